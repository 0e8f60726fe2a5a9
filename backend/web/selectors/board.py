"""The board pages' queries: the agenda points a user may see, with the counts the page shows."""

from django.db.models import Count, OuterRef, Q, Subquery, Window
from django.db.models.functions import Coalesce
from django.urls import reverse

from backend.accounts import scoping
from backend.accounts.models import StaffRole
from backend.actions.models import Action, RoleAssignment
from backend.actions.role_machine import OPEN_ROLE_STATES
from backend.board.attendance import ANSWERS, proxies_per_member
from backend.board.convening import convocations_of, session_quorum
from backend.board.members import current_members
from backend.board.minutes import MINUTES_STATES
from backend.board.models import AgendaItem, Attendance, BoardSession, BoardSessionState
from workflows.engine import explain

EDITABLE = (BoardSessionState.PLANNED, BoardSessionState.AGENDA_PUBLISHED)
# The ready actions the scheduling form offers (thousands may wait on a large instance).
READY_SHOWN = 50


def visible_items(session_or_id, user):
    """The agenda points a user may see, as in ``board-sessions/`` (``accounts.scoping``)."""
    return scoping.agenda_items_for(user).filter(session=session_or_id)


def _count(rows, by: str):
    """How many of ``rows`` belong to the outer row (``by``: the outer field they point at), as
    a subquery: no join that multiplies an agenda point by its project's thousands of actions."""
    counted = rows.filter(**{by: OuterRef(by)}).order_by().values(by).annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")), 0)


def agenda_items(session: BoardSession, user) -> list[AgendaItem]:
    roles = RoleAssignment.objects.all()
    items = (
        visible_items(session, user)
        .select_related(
            "action__project__territory",
            "action__commune",
            "action__neighbourhood",
            "action__board_session",
            "project__territory",
        )
        .annotate(
            open_roles=_count(roles.filter(state__in=OPEN_ROLE_STATES), "action"),
            accepted_roles=_count(roles.filter(state="accepted"), "action"),
            project_actions=_count(Action.objects.all(), "project"),
        )
        .order_by("position", "id")
    )
    return list(items)


def sessions_with_points(user):
    """Every session, by date, with the number of agenda points the user may see (``points``)."""
    if user.sees_all_territories:
        points = Count("agenda_items")
    else:
        visible = scoping.agenda_items_for(user).values("pk")
        points = Count("agenda_items", filter=Q(agenda_items__in=visible))
    return BoardSession.objects.annotate(points=points).order_by("date")


def ready_for_board(user) -> tuple[list, int]:
    """The first actions the user may put on an agenda, and how many there are in all (one
    query: a window count). The others are reached from the dashboard's list."""
    actions = (
        scoping.actions_for(user)
        .filter(state="ready_for_board")
        .select_related("project__territory", "commune")
        # What an option shows: the rows counted and sorted stay narrow.
        .only("title", "project__territory__name", "commune__name")
        .annotate(total_rows=Window(Count("*")))
        .order_by("project__territory__name", "title", "id")
    )
    rows = list(actions[:READY_SHOWN])
    return rows, rows[0].total_rows if rows else 0


def draft_projects_for(user, year: int):
    """The territory projects of that year the user may put on an agenda."""
    return (
        scoping.projects_for(user)
        .filter(state="draft", year=year)
        .select_related("territory")
        .order_by("territory__name")
    )


def member_choices(session) -> list:
    """Whom the list may hold: the current members and those already on it."""
    chosen = {contact.pk: contact for contact in current_members()}
    for contact in session.members.all():
        chosen.setdefault(contact.pk, contact)
    return sorted(chosen.values(), key=lambda c: (c.last_name, c.first_name, c.pk))


def convening_context(session, user) -> dict:
    """What the session's page shows of its convening."""
    convocations = convocations_of(session)
    secretary = user.has_role(StaffRole.BOARD_SECRETARY)
    hold = explain(session, "hold", user)
    on_list = {contact.pk for contact in session.members.all()}
    return {
        "convocations": convocations,
        "quorum": session_quorum(session, convocations),
        "held": session.state in MINUTES_STATES,
        "proxies_per_member": proxies_per_member(),
        "can_edit_members": secretary and session.state in EDITABLE,
        "member_choices": [
            {"contact": contact, "checked": contact.pk in on_list}
            for contact in member_choices(session)
        ]
        if secretary and session.state in EDITABLE
        else [],
        "can_hold": hold.allowed,
        "hold_url": reverse("web:board_hold", args=[session.pk]),
        "attendance_choices": [(value, Attendance(value).label) for value in ANSWERS],
        "minutes_url": reverse("board-session-minutes", args=[session.pk])
        if session.state in MINUTES_STATES
        else "",
    }
