"""One service per transition of a board session (the decisions: ``decisions``)."""

from django.db import transaction

from backend.board.models import BoardSession
from notifications.planning.notices import plan_agenda_notices
from workflows.services import perform_transition, run_transition


@transaction.atomic
def publish_agenda(session: BoardSession, *, actor, comment: str = "") -> BoardSession:
    """The agenda is final: the members, the invited staff, and the partners and staff of
    each action on it receive it with the calendar invitation."""
    session = run_transition(session, "publish_agenda", actor=actor, comment=comment)
    plan_agenda_notices(session)
    return session


def hold_session(session: BoardSession, *, actor, comment: str = "") -> BoardSession:
    """The session takes place: decisions can be recorded."""
    return perform_transition(session, "hold", actor=actor, comment=comment)


def close_session(session: BoardSession, *, actor, comment: str = "") -> BoardSession:
    """Every action on the agenda has its decision."""
    return perform_transition(session, "close", actor=actor, comment=comment)


SESSION_SERVICES = {"publish_agenda": publish_agenda, "hold": hold_session, "close": close_session}
