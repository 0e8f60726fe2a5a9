"""One service per transition of a board session (the decisions: ``decisions``)."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from backend.actions.models import Action, ActionState
from backend.board.attendance import AttendanceInput, confirm_attendance, convene
from backend.board.machine import CANCEL
from backend.board.models import BoardSession
from notifications.planning.notices import plan_agenda_notices, plan_convocation_notices
from notifications.planning.session_notices import plan_session_cancelled
from workflows.models import TransitionLog
from workflows.services import perform_locked_transitions, perform_transition, run_transition


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


@transaction.atomic
def cancel_session(session: BoardSession, *, actor, comment: str = "") -> BoardSession:
    """The session will not take place (``comment``: why, required): the actions scheduled
    on it go back to ready_for_board and the projects put to it back to preparation, each
    logged with the reason; everyone convened gets the calendar cancellation. The agenda
    stays on the cancelled session, as a record of what it was to examine."""
    session = run_transition(session, CANCEL, actor=actor, comment=comment)
    published = _was_published(session)
    release_actions(session, actor=actor, comment=comment)
    release_projects(session, actor=actor, comment=comment)
    plan_session_cancelled(session, published=published)
    return session


def _was_published(session: BoardSession) -> bool:
    """Whether the session's agenda was published (its own log says so)."""
    return TransitionLog.objects.filter(
        subject_type=ContentType.objects.get_for_model(BoardSession),
        subject_id=session.pk,
        transition="publish_agenda",
    ).exists()


def cancel_reason(session: BoardSession) -> str:
    """Why the session was cancelled (the comment of its ``cancel`` log row)."""
    row = (
        TransitionLog.objects.filter(
            subject_type=ContentType.objects.get_for_model(BoardSession),
            subject_id=session.pk,
            transition=CANCEL,
        )
        .order_by("-at", "-id")
        .first()
    )
    return row.comment if row is not None else ""


def release_actions(session: BoardSession, *, actor, comment: str) -> None:
    """The actions scheduled on the session: ``unschedule``d (ready_for_board again, their
    session cleared), locked in the order of their ids, one log row each. A consequence of
    the cancellation, whatever the territory of the action: fired as automatic, in the name
    of the person who cancelled."""
    actions = list(
        Action.objects.select_for_update(of=("self",))
        .select_related("board_session")
        .filter(board_session=session, state=ActionState.SCHEDULED)
        .order_by("pk")
    )
    perform_locked_transitions(actions, "unschedule", actor=actor, comment=comment, automatic=True)


def release_projects(session: BoardSession, *, actor, comment: str) -> None:
    """The territory projects put to the session go back to preparation."""
    items = session.agenda_items.filter(project__isnull=False, project__state="submitted")
    for item in items.select_related("project"):
        perform_transition(
            item.project, "return_to_draft", actor=actor, comment=comment, automatic=True
        )


SESSION_SERVICES = {
    "publish_agenda": publish_agenda,
    "hold": hold_session,
    "close": close_session,
    CANCEL: cancel_session,
}
