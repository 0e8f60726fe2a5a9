"""Planning the board's sessions: creating one, changing its date, title, place or guests.

The API (``board-sessions/``) and the board pages call these; the edges check the fields
(the date within bounds, ``backend.core.limits``), the services who may plan and the writing.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import StaffRole
from backend.board.attendance import convene
from backend.board.members import current_members
from backend.board.models import BoardSession, BoardSessionState
from notifications.planning.notices import plan_convocation_notices

PLANNERS = (StaffRole.BOARD_SECRETARY,)  # directors and administrators too (``has_role``)
GUESTS = ("members", "staff_invited")  # the many-to-many fields


def require_planner(user) -> None:
    if not user.has_role(*PLANNERS):
        raise PermissionDenied(_("Seul le secrétariat du conseil planifie les séances."))


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
    fields, guests = _split(data)
    if "members" not in guests:
        guests["members"] = list(current_members())
    session = BoardSession.objects.create(**fields)
    _set_guests(session, guests)
    return session


@transaction.atomic
def update_board_session(session: BoardSession, *, user, data: dict) -> BoardSession:
    """Change what ``data`` names, on the session's row as it is now (locked: a transition
    fired meanwhile is kept)."""
    require_planner(user)
    session = BoardSession.objects.select_for_update().get(pk=session.pk)
    fields, guests = _split(data)
    for name, value in fields.items():
        setattr(session, name, value)
    if fields:
        session.save(update_fields=list(fields))
    _set_guests(session, guests)
    if "members" in guests and session.state == BoardSessionState.AGENDA_PUBLISHED:
        convocations, removed = convene(session)  # a member added now is convened at once
        plan_convocation_notices(session, convocations, removed)
    return session
