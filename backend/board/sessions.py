"""Planning the board's sessions: creating one, changing its date, title, place or guests.

The API (``board-sessions/``) and the board pages call these; the edges check the fields
(the date within bounds, ``backend.core.limits``), the services who may plan, that a session
is planned or moved only into the future, that a held session no longer moves, and the
writing. Moving a session whose agenda is published tells everyone convened (an updated
calendar invitation and what changed: ``notifications.planning.session_notices``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import StaffRole
from backend.board.attendance import convene
from backend.board.machine import MOVABLE_STATES
from backend.board.members import current_members
from backend.board.models import BoardSession, BoardSessionState, SessionChange
from backend.core.versions import check_version
from notifications.planning.notices import plan_convocation_notices
from notifications.planning.session_notices import plan_session_moved
from workflows.errors import TransitionConflict

PLANNERS = (StaffRole.BOARD_SECRETARY,)  # directors and administrators too (``has_role``)
GUESTS = ("members", "staff_invited")  # the many-to-many fields
WHERE_AND_WHEN = ("date", "location")  # what a calendar shows: changing it sends an update
DATE_IN_THE_PAST = _("La date de la séance doit être dans le futur.")
NO_LONGER_MOVES = _("La séance est %(state)s : sa date, son heure et son lieu ne changent plus.")


def require_planner(user) -> None:
    if not user.has_role(*PLANNERS):
        raise PermissionDenied(_("Seul le secrétariat du conseil planifie les séances."))


def require_future(date) -> None:
    """A session is planned or moved only into the future (400 naming ``date``)."""
    if date is not None and date <= timezone.now():
        raise ValidationError({"date": [DATE_IN_THE_PAST]}, code="date_in_the_past")


def _set_guests(session: BoardSession, guests: dict) -> None:
    held = session.state in (BoardSessionState.HELD, BoardSessionState.CLOSED)
    if "members" in guests and held:
        raise ValidationError(
            {"members": _("La séance est tenue : la liste des administrateurs ne change plus.")}
        )
    for name, people in guests.items():
        getattr(session, name).set(people)


def _split(data: dict) -> tuple[dict, dict]:
    fields = {name: value for name, value in data.items() if name not in GUESTS}
    guests = {name: value for name, value in data.items() if name in GUESTS}
    return fields, guests


@transaction.atomic
def create_board_session(*, user, data: dict) -> BoardSession:
    """A new session, planned (``data``: date, title, location and optionally its guests;
    its members are by default every current member of the board)."""
    require_planner(user)
    require_future(data.get("date"))
    fields, guests = _split(data)
    if "members" not in guests:
        guests["members"] = list(current_members())
    session = BoardSession.objects.create(**fields)
    _set_guests(session, guests)
    return session


def _moves(session: BoardSession, fields: dict) -> bool:
    return any(name in fields and fields[name] != getattr(session, name) for name in WHERE_AND_WHEN)


@transaction.atomic
def update_board_session(
    session: BoardSession, *, user, data: dict, expected_versions=None
) -> BoardSession:
    """Change what ``data`` names, on the session's row as it is now (locked: a transition
    fired meanwhile is kept; changed since ``expected_versions`` were read: refused). A change
    of date, time or place is recorded and, once the agenda is published, sent to everyone
    convened."""
    require_planner(user)
    session = BoardSession.objects.select_for_update().get(pk=session.pk)
    check_version(session, expected_versions)
    fields, guests = _split(data)
    change = None
    if _moves(session, fields):
        change = move_session(
            session, user=user, **{n: fields[n] for n in WHERE_AND_WHEN if n in fields}
        )
    for name, value in fields.items():
        setattr(session, name, value)
    if fields:
        session.save(update_fields=list(fields))
    _set_guests(session, guests)
    if change is not None:
        plan_session_moved(session, change)
    if "members" in guests and session.state == BoardSessionState.AGENDA_PUBLISHED:
        convocations, removed = convene(session)  # a member added now is convened at once
        plan_convocation_notices(session, convocations, removed)
    return session


def move_session(session: BoardSession, *, user, **where_and_when) -> SessionChange:
    """Check and record a change of date, time or place of the locked ``session`` (the
    caller saves the session, then plans the notices)."""
    if session.state not in MOVABLE_STATES:
        raise TransitionConflict(NO_LONGER_MOVES % {"state": session.get_state_display()})
    date = where_and_when.get("date", session.date)
    if date != session.date:
        require_future(date)
    return SessionChange.objects.create(
        session=session,
        old_date=session.date,
        new_date=date,
        old_location=session.location,
        new_location=where_and_when.get("location", session.location),
        changed_by=user if getattr(user, "pk", None) else None,
    )
