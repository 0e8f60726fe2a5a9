"""Planning the board's sessions: creating one, changing its date, title, place or guests.

The API (``board-sessions/``) and the board pages call these; the edges check the fields
(the date within bounds, ``backend.core.limits``), the services who may plan and the writing.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import StaffRole
from backend.board.models import BoardSession
from backend.core.versions import check_version

PLANNERS = (StaffRole.BOARD_SECRETARY,)  # directors and administrators too (``has_role``)
GUESTS = ("members", "staff_invited")  # the many-to-many fields


def require_planner(user) -> None:
    if not user.has_role(*PLANNERS):
        raise PermissionDenied(_("Seul le secrétariat du conseil planifie les séances."))


def _set_guests(session: BoardSession, guests: dict) -> None:
    for name, people in guests.items():
        getattr(session, name).set(people)


def _split(data: dict) -> tuple[dict, dict]:
    fields = {name: value for name, value in data.items() if name not in GUESTS}
    guests = {name: value for name, value in data.items() if name in GUESTS}
    return fields, guests


@transaction.atomic
def create_board_session(*, user, data: dict) -> BoardSession:
    """A new session, planned (``data``: date, title, location and optionally its guests)."""
    require_planner(user)
    fields, guests = _split(data)
    session = BoardSession.objects.create(**fields)
    _set_guests(session, guests)
    return session


@transaction.atomic
def update_board_session(
    session: BoardSession, *, user, data: dict, expected_versions=None
) -> BoardSession:
    """Change what ``data`` names, on the session's row as it is now (locked: a transition
    fired meanwhile is kept; changed since ``expected_versions`` were read: refused)."""
    require_planner(user)
    session = BoardSession.objects.select_for_update().get(pk=session.pk)
    check_version(session, expected_versions)
    fields, guests = _split(data)
    for name, value in fields.items():
        setattr(session, name, value)
    if fields:
        session.save(update_fields=list(fields))
    _set_guests(session, guests)
    return session
