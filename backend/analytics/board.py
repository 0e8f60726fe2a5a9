"""The board: per outcome, how many decisions on the scope's actions and the days from the
action being ready for the board to the decision (median, 90th percentile); how often
actions are deferred.

Days to a decision: from the action's last entry into « ready for the board » before it was
put on the agenda that led to the decision (after a deferral, the wait starts again at the
deferral) to the log row of the decision itself.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, OuterRef, Q, Subquery

from backend.accounts import scoping
from backend.actions.models import Action, ActionState
from backend.analytics.kept import kept
from backend.analytics.scope import Scope
from backend.analytics.stats import (
    DaysBetween,
    fill_percentiles,
    in_database,
    percentile_annotations,
    rounded,
)
from backend.board.models import Outcome
from workflows.models import TransitionLog

S = ActionState


def _entered(state: str, before: str):
    """Per decision (outer row): when its action last entered ``state`` before ``before``."""
    moves = TransitionLog.objects.filter(
        subject_type=ContentType.objects.get_for_model(Action),
        subject_id=OuterRef("action_id"),
        target=state,
        at__lt=OuterRef(before),
    ).exclude(source=F("target"))
    return Subquery(moves.order_by("-at", "-id").values("at")[:1])


def board(scope: Scope) -> dict:
    """See ``_board`` (kept in the cache: ``backend.analytics.kept``)."""
    return kept("board", scope, _board)


def _board(scope: Scope) -> dict:
    """``outcomes``: one row per outcome (``outcome``, ``label``, ``decisions``,
    ``median_days``, ``p90_days``); ``deferrals``: ``decided_actions`` (actions with a
    decision), ``deferred_actions`` (deferred at least once), ``deferrals`` (deferral
    decisions), ``deferral_rate`` (deferrals among the decisions, 0 to 1)."""
    decisions = (
        scoping.decisions_for(scope.user)
        .filter(action__in=scope.actions().values("pk"))
        .annotate(scheduled_at=_entered(S.SCHEDULED, "recorded_at"))
        .annotate(ready_at=_entered(S.READY_FOR_BOARD, "scheduled_at"))
        .order_by()
    )
    days = DaysBetween("recorded_at", "ready_at")
    found = Q(ready_at__isnull=False)
    rows = list(
        decisions.values("outcome").annotate(
            decisions=Count("pk"), **percentile_annotations(days, filter=found)
        )
    )
    if not in_database():
        pairs = decisions.filter(found).values_list("outcome", days)
        fill_percentiles(rows, lambda row: row["outcome"], pairs)
    by_outcome = {row["outcome"]: row for row in rows}
    outcomes = []
    for value, label in Outcome.choices:
        row = by_outcome.get(value, {})
        outcomes.append(
            {
                "outcome": value,
                "label": str(label),
                "decisions": row.get("decisions", 0),
                "median_days": rounded(row.get("median_days")),
                "p90_days": rounded(row.get("p90_days")),
            }
        )
    deferred = Q(outcome=Outcome.DEFERRED)
    totals = decisions.aggregate(
        decisions=Count("pk"),
        decided_actions=Count("action", distinct=True),
        deferred_actions=Count("action", distinct=True, filter=deferred),
        deferrals=Count("pk", filter=deferred),
    )
    total = totals.pop("decisions")
    totals["deferral_rate"] = round(totals["deferrals"] / total, 3) if total else None
    return {"outcomes": outcomes, "deferrals": totals}
