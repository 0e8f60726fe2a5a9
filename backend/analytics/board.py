"""The board: per outcome, how many decisions on the scope's actions and the days from the
action being ready for the board to the decision (median, 90th percentile); how often
actions are deferred.

Days to a decision: from the action's last entry into « ready for the board » before it was
put on the agenda that led to the decision (after a deferral, the wait starts again at the
deferral) to the decision itself. Read from the actions' passages (``workflows.StateStay``):
the agenda is the action's last passage into « scheduled » begun before the decision, and
the wait the passage through « ready for the board » that this scheduling ended (an action
is only ever scheduled from there; the engine ends one passage and begins the next at the
same instant).
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, Q

from backend.accounts import scoping
from backend.actions.models import Action, ActionState
from backend.analytics.scope import Scope
from backend.analytics.stats import fill_percentiles, in_database, rounded
from backend.board.models import BoardDecision, Outcome
from workflows.models import StateStay

S = ActionState


def _decisions(scope: Scope):
    """The scope's decisions on actions (the board's decisions on projects do not count)."""
    if scope.restricted:  # the scope's actions are among the user's already
        decisions = BoardDecision.objects.filter(action__in=scope.actions().values("pk"))
    else:
        decisions = scoping.decisions_for(scope.user).filter(action__isnull=False)
    return decisions.order_by()


def _waits_sql(scope: Scope) -> tuple[str, list]:
    """Per decision of the scope: its outcome and the days it waited (NULL: no passage
    through « ready for the board » found before it). Two hash joins on the passages."""
    decisions = _decisions(scope).values("id", "action_id", "outcome", "recorded_at")
    decisions_sql, decisions_params = decisions.query.sql_with_params()
    stays = StateStay._meta.db_table
    if connection.vendor == "postgresql":
        days = "date_part('epoch', d.recorded_at - r.entered_at) / 86400.0"
    else:
        days = "(julianday(d.recorded_at) - julianday(r.entered_at))"
    sql = f"""
        WITH decided AS (
            SELECT d.id, d.action_id, d.outcome, d.recorded_at,
                   MAX(s.entered_at) AS scheduled_at
            FROM ({decisions_sql}) d
            LEFT JOIN {stays} s ON s.subject_type_id = %s AND s.state = %s
                 AND s.subject_id = d.action_id AND s.entered_at < d.recorded_at
            GROUP BY d.id, d.action_id, d.outcome, d.recorded_at
        )
        SELECT d.outcome, {days} AS days
        FROM decided d
        LEFT JOIN {stays} r ON r.subject_type_id = %s AND r.state = %s
             AND r.subject_id = d.action_id AND r.left_at = d.scheduled_at
    """
    action_type = ContentType.objects.get_for_model(Action).pk
    params = [*decisions_params, action_type, S.SCHEDULED, action_type, S.READY_FOR_BOARD]
    return sql, params


def board(scope: Scope) -> dict:
    """``outcomes``: one row per outcome (``outcome``, ``label``, ``decisions``,
    ``median_days``, ``p90_days``); ``deferrals``: ``decided_actions`` (actions with a
    decision), ``deferred_actions`` (deferred at least once), ``deferrals`` (deferral
    decisions), ``deferral_rate`` (deferrals among the decisions, 0 to 1)."""
    sql, params = _waits_sql(scope)
    with connection.cursor() as cursor:
        if in_database():
            cursor.execute(
                f"""
                WITH waits AS ({sql})
                SELECT outcome, COUNT(*),
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY days),
                       percentile_cont(0.9) WITHIN GROUP (ORDER BY days)
                FROM waits GROUP BY outcome
                """,
                params,
            )
            rows = [
                {"outcome": outcome, "decisions": count, "median_days": median, "p90_days": p90}
                for outcome, count, median, p90 in cursor.fetchall()
            ]
        else:
            cursor.execute(sql, params)
            pairs = cursor.fetchall()
            counts: dict[str, int] = {}
            for outcome, _days in pairs:
                counts[outcome] = counts.get(outcome, 0) + 1
            rows = [{"outcome": outcome, "decisions": n} for outcome, n in counts.items()]
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
    return {"outcomes": outcomes, "deferrals": _deferrals(_decisions(scope))}


def _deferrals(decisions) -> dict:
    deferred = Q(outcome=Outcome.DEFERRED)
    totals = decisions.aggregate(
        decisions=Count("pk"),
        decided_actions=Count("action", distinct=True),
        deferred_actions=Count("action", distinct=True, filter=deferred),
        deferrals=Count("pk", filter=deferred),
    )
    total = totals.pop("decisions")
    totals["deferral_rate"] = round(totals["deferrals"] / total, 3) if total else None
    return totals
