"""One service per transition of a board session (the decisions: ``decisions``)."""

from django.db import transaction

from backend.board.attendance import AttendanceInput, confirm_attendance, convene
from backend.board.models import BoardSession
from notifications.planning.notices import plan_agenda_notices, plan_convocation_notices
from workflows.services import perform_transition, run_transition


@transaction.atomic
def publish_agenda(session: BoardSession, *, actor, comment: str = "") -> BoardSession:
    """The agenda is final: each member is convened (a convocation with their attendance
    link), the invited staff and the partners and staff of each action on it receive it
    with the calendar invitation."""
    session = run_transition(session, "publish_agenda", actor=actor, comment=comment)
    convocations, removed = convene(session)
    plan_convocation_notices(session, convocations, removed)
    plan_agenda_notices(session)
    return session


@transaction.atomic
def hold_session(
    session: BoardSession,
    *,
    actor,
    comment: str = "",
    attendance: list[AttendanceInput] | None = None,
) -> BoardSession:
    """The session takes place: the secretary confirms who attends (``attendance``; the
    members' own answers for the others), then decisions can be recorded."""
    session = run_transition(session, "hold", actor=actor, comment=comment)
    confirm_attendance(session, attendance or [])
    return session


def close_session(session: BoardSession, *, actor, comment: str = "") -> BoardSession:
    """Every action on the agenda has its decision."""
    return perform_transition(session, "close", actor=actor, comment=comment)


SESSION_SERVICES = {"publish_agenda": publish_agenda, "hold": hold_session, "close": close_session}
