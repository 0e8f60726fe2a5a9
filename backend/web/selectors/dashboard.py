"""The dashboard's queries: the pipeline's columns (or the paged list), what needs the caller
now, the counts per territory. The page runs the same number of queries whatever the number of
actions: each column shows its first cards (``CARDS_PER_COLUMN``: one "top N" query per state,
joined in one UNION ALL) with its count and a link to the list of all of them, filtered by its
state; the counts come from one aggregate."""

import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.actions.models import Action, ActionState, RoleAssignment, RoleState
from backend.actions.summary import consultation_summary
from backend.evaluations.models import Evaluation, EvaluationState
from backend.web.selectors.deliveries import failed_for, server_said

S = ActionState

# The columns of the board, in workflow order; the final states are only counted.
PIPELINE = (
    S.DRAFT,
    S.CONSULTATION,
    S.READY_FOR_BOARD,
    S.SCHEDULED,
    S.APPROVED,
    S.IN_PROGRESS,
    S.EVALUATION,
)
FINISHED = (S.CLOSED, S.REJECTED, S.WITHDRAWN)
# Columns whose cards show where the partner consultation stands.
CONSULTATION_STATES = (S.DRAFT, S.CONSULTATION, S.READY_FOR_BOARD)

CARDS_PER_COLUMN = 8
LIST_PAGE_SIZE = 50
TODO_LIMIT = 5
RECENT_ANSWERS_DAYS = 14
ANSWERED = (RoleState.ACCEPTED, RoleState.DECLINED, RoleState.CHANGES_REQUESTED)
EVALUATION_NOTICE_DAYS = 30
# What a to-do line shows of an action: the rows sorted for "the first five" stay narrow.
TODO_FIELDS = ("title", "consultation_deadline", "updated_at", "project__territory__name")

# The columns of the counts per territory: a label and the states it adds up.
TERRITORY_COLUMNS = (
    ("draft", _("Brouillon"), (S.DRAFT,)),
    ("consultation", _("Consultation"), (S.CONSULTATION,)),
    ("board", _("Au conseil"), (S.READY_FOR_BOARD, S.SCHEDULED)),
    ("running", _("Approuvées ou en cours"), (S.APPROVED, S.IN_PROGRESS)),
    ("evaluation", _("En évaluation"), (S.EVALUATION,)),
    ("finished", _("Terminées"), FINISHED),
)

# --- the pipeline ---------------------------------------------------------------------------


@dataclass
class Card:
    action: object
    summary: object
    shows_consultation: bool
    evaluation: object = None


@dataclass
class Column:
    state: str
    label: str
    count: int
    cards: list
    more_url: str = ""

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


def with_card_data(actions):
    """What a card or a list row shows, in a constant number of queries."""
    roles = RoleAssignment.objects.only("id", "action_id", "state")
    return actions.select_related(
        "project__territory", "commune", "neighbourhood", "board_session", "evaluation"
    ).prefetch_related(Prefetch("roles", queryset=roles))


def _card(action, today) -> Card:
    return Card(
        action=action,
        summary=consultation_summary(action, today=today),
        shows_consultation=action.state in CONSULTATION_STATES,
        evaluation=getattr(action, "evaluation", None),
    )


def _column_order(state) -> tuple:
    """Consultations: the nearest deadline first; elsewhere the latest change first."""
    if state == S.CONSULTATION:
        return (F("consultation_deadline").asc(nulls_last=True), "-updated_at", "-id")
    return ("-updated_at", "-id")


def columns_of(actions, filters, today, counts: dict | None = None):
    """The columns; ``counts`` per state when already read (``per_state``), else counted."""
    if counts is None:
        counts = dict(actions.values_list("state").annotate(n=Count("id")).order_by())
    states = [s for s in PIPELINE if not filters.state or s == filters.state]
    # Each column's first cards: one small "top N" query per state, joined in one UNION ALL
    # (each can use the state index; PostgreSQL appends them in order), then the cards by id.
    firsts = [actions.filter(state=state).order_by(*_column_order(state)) for state in states]
    firsts = [qs.values_list("id", flat=True)[:CARDS_PER_COLUMN] for qs in firsts]
    if connection.features.supports_slicing_ordering_in_compound:
        ids = list(firsts[0].union(*firsts[1:], all=True)) if firsts else []
    else:  # SQLite (the embedded run) refuses LIMIT inside a UNION: one query per column
        ids = [pk for first in firsts for pk in first]
    cards = with_card_data(Action.objects.filter(pk__in=ids)) if ids else []
    position = {pk: n for n, pk in enumerate(ids)}
    by_state: dict[str, list] = {s: [] for s in states}
    for action in sorted(cards, key=lambda a: position[a.pk]):
        by_state[action.state].append(_card(action, today))
    labels = dict(S.choices)
    columns = []
    for state in states:
        column = Column(state, labels[state], counts.get(state, 0), by_state[state])
        if column.more > 0:
            column.more_url = "?" + filters.query(view="list", state=state)
        columns.append(column)
    finished = [
        {
            "state": s,
            "label": labels[s],
            "count": counts.get(s, 0),
            "url": "?" + filters.query(view="list", state=s),
        }
        for s in FINISHED
        if not filters.state or s == filters.state
    ]
    return columns, finished, sum(counts.values())


def page_of(actions, request, today):
    ordered = with_card_data(actions.order_by("-updated_at", "-id"))
    page = Paginator(ordered, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    page.cards = [_card(action, today) for action in page.object_list]
    return page


# --- what needs me now ----------------------------------------------------------------------


def _first(queryset, size=TODO_LIMIT):
    """The first rows and how many there are in all, in one query (a window count)."""
    rows = list(queryset.annotate(total_rows=Window(Count("*")))[:size])
    return rows, rows[0].total_rows if rows else 0


def _answers_in(actions, user):
    """The roles of ``actions`` (the caller's scope). For a person bound to territories, as a
    semi-join on the scoped actions' ids: PostgreSQL hashes them (a join through the projects
    led it to probe the roles of each of the territory's 25,000 actions instead)."""
    roles = RoleAssignment.objects.all()
    return roles if user.sees_all_territories else roles.filter(action__in=actions.values("pk"))


def recent_answers(user, actions):
    """The actions whose partners answered lately, the caller's first, and how many there
    are: the answers are grouped per action first (narrow rows, the recent answers' index),
    then the first five actions read by id."""
    since = timezone.now() - datetime.timedelta(days=RECENT_ANSWERS_DAYS)
    # The caller's own actions first: their ids read once (a hashed subquery), no join of
    # every answered role to its action.
    mine = Case(
        When(action__in=Action.objects.filter(social_worker=user).values("pk"), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    grouped = (
        _answers_in(actions, user)
        .filter(responded_at__gte=since, state__in=ANSWERED)
        .values("action")
        .annotate(
            mine=Min(mine),
            answers=Count("id"),
            accepted=Count("id", filter=Q(state=RoleState.ACCEPTED)),
            declined=Count("id", filter=Q(state=RoleState.DECLINED)),
            changes=Count("id", filter=Q(state=RoleState.CHANGES_REQUESTED)),
            last_answer=Max("responded_at"),
            total_rows=Window(Count("*")),
        )
        .order_by("mine", "-last_answer", "-action")
    )
    rows = list(grouped[:TODO_LIMIT])
    found = (
        Action.objects.select_related("project__territory")
        .only(*TODO_FIELDS)
        .in_bulk([row["action"] for row in rows])
    )
    listed = []
    for row in rows:
        action = found[row["action"]]
        for name in ("answers", "accepted", "declined", "changes", "last_answer"):
            setattr(action, name, row[name])
        listed.append(action)
    return listed, rows[0]["total_rows"] if rows else 0


def todo_of(user, actions, today):
    """Five short lists for the person and their territories, what they follow first."""
    mine_first = Case(
        When(social_worker=user, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    invited = RoleAssignment.objects.filter(action=OuterRef("pk"), state=RoleState.INVITED)
    overdue = (
        actions.filter(state=S.CONSULTATION, consultation_deadline__lt=today)
        .filter(Exists(invited))
        .annotate(
            waiting=Subquery(
                invited.order_by().values("action").annotate(n=Count("id")).values("n"),
                output_field=IntegerField(),
            )
        )
        .select_related("project__territory")
        .only(*TODO_FIELDS)
        .order_by(mine_first, "consultation_deadline", "id")
    )
    ready = (
        actions.filter(state=S.READY_FOR_BOARD)
        .select_related("project__territory", "commune")
        .only(*TODO_FIELDS, "commune__name")
        .order_by(mine_first, "updated_at", "id")
    )
    evaluations = (
        Evaluation.objects.filter(action__in=actions.values("pk"))
        .filter(
            Q(state=EvaluationState.DUE)
            | Q(state=EvaluationState.SUBMITTED)
            | Q(
                state=EvaluationState.PLANNED,
                due_date__lte=today + datetime.timedelta(days=EVALUATION_NOTICE_DAYS),
            )
        )
        .select_related("action__project__territory")
        .order_by("due_date", "id")
    )
    failures, failed = _first(failed_for(actions))
    for row in failures:  # the SMTP server's reply, as the page shows it
        row.server_said = server_said(row.last_error)
    return {
        "overdue": _first(overdue),
        "answers": recent_answers(user, actions),
        "ready": _first(ready),
        "evaluations": _first(evaluations),
        "failures": (failures, failed),
    }


# --- counts per territory -------------------------------------------------------------------


def counts_of(actions, today) -> list[dict]:
    """The actions counted per project and state (and the overdue consultations): one
    aggregate on the actions alone, from which both the columns' counts and the territory
    table are read."""
    overdue = Count("id", filter=Q(state=S.CONSULTATION, consultation_deadline__lt=today))
    return list(
        actions.values("project", "state").annotate(n=Count("id"), overdue=overdue).order_by()
    )


def per_state(counts: list[dict]) -> dict:
    totals: dict[str, int] = {}
    for row in counts:
        totals[row["state"]] = totals.get(row["state"], 0) + row["n"]
    return totals


def territory_counts(counts: list[dict], options):
    """The table per territory, from ``counts_of`` (the projects' territories: ``options``)."""
    column_of = {state: key for key, _label, states in TERRITORY_COLUMNS for state in states}
    territory_of = {project.pk: project.territory_id for project in options.projects}
    keys = [key for key, _label, _states in TERRITORY_COLUMNS]
    empty = dict.fromkeys([*keys, "overdue"], 0)
    rows: dict = {}
    for row in counts:
        cells = rows.setdefault(territory_of[row["project"]], dict(empty))
        cells[column_of[row["state"]]] += row["n"]
        cells["overdue"] += row["overdue"]
    table = []
    for territory in options.territories:
        cells = rows.get(territory.pk, empty)
        table.append(
            {
                "territory": territory,
                "cells": [cells[key] for key in keys],
                "overdue": cells["overdue"],
                "total": sum(cells[key] for key in keys),
            }
        )
    totals = {
        "cells": [sum(r["cells"][i] for r in table) for i in range(len(keys))],
        "overdue": sum(r["overdue"] for r in table),
        "total": sum(r["total"] for r in table),
    }
    return table, totals
