"""A session as one reader sees it: when and where, in words, and the agenda with the
reader's own actions first; the partner's personal link to it.

Used by the e-mails about a session (agenda, change, cancellation) and by the read-only
agenda page a partner opens from its personal link, ``{SITE_URL}/agenda/<token>/`` (no
account). The token is signed (HMAC with SECRET_KEY, a salt of its own) and names the session
and the contact; it opens the page only for a contact convened to that session (one of its
agenda or convocation notices names them).
"""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.utils import timezone

from backend.actions.models import RoleAssignment
from backend.actions.role_machine import OPEN_ROLE_STATES
from backend.board.ics import project_label, visible_agenda
from backend.board.models import AgendaItem, BoardSession
from backend.core.moments import moment_long
from backend.core.signed_links import InvalidToken
from backend.partners.models import Contact
from notifications.models import Notification, Status

PARIS = ZoneInfo("Europe/Paris")
SALT = "board.agenda-link"
PATH = "agenda"
# The notices that convene someone (the convocation is the members' one).
CONVENING_KINDS = ("agenda_published", "convocation")


def when(moment) -> str:
    """« jeudi 14 janvier 2027 à 14 h 00 » (Paris time, in the active language), as the pages
    write it."""
    with timezone.override(PARIS):
        return moment_long(moment)


@dataclass(frozen=True)
class Point:
    position: int
    title: str
    territory: str
    action_id: int | None


@dataclass(frozen=True)
class ReaderAgenda:
    own: list[Point]  # the reader's own actions (a role on it; staff: theirs)
    others: list[Point]
    omitted: bool  # points of other territories left out (territory staff)

    @property
    def points(self) -> list[Point]:
        return [*self.own, *self.others]


def _point(item: AgendaItem) -> Point:
    if item.action_id:
        action = item.action
        return Point(item.position, action.title, action.project.territory.name, action.pk)
    return Point(item.position, project_label(item.project), item.project.territory.name, None)


def _own_action_ids(items: list[AgendaItem], reader) -> set[int]:
    action_ids = {item.action_id for item in items if item.action_id}
    if reader is None or not action_ids:
        return set()
    if isinstance(reader, Contact):
        roles = RoleAssignment.objects.filter(
            contact=reader, action_id__in=action_ids, state__in=OPEN_ROLE_STATES
        )
        return set(roles.values_list("action_id", flat=True))
    own = set()
    for item in items:
        action = item.action
        if action is None:
            continue
        if action.social_worker_id == reader.pk or (
            reader.role == "territory_manager"
            and action.project.territory_id in reader.territory_ids()
        ):
            own.add(action.pk)
    return own


def agenda_for(session: BoardSession, reader=None) -> ReaderAgenda:
    """The agenda ``reader`` may read (a staff user sees their territories' points, a contact
    every point), their own actions first, each part in the agenda's order."""
    user = reader if reader is not None and not isinstance(reader, Contact) else None
    items, omitted = visible_agenda(session, user)
    own_ids = _own_action_ids(items, reader)
    own = [_point(item) for item in items if item.action_id in own_ids]
    others = [_point(item) for item in items if item.action_id not in own_ids]
    return ReaderAgenda(own=own, others=others, omitted=omitted)


# --- the partner's personal link -----------------------------------------------------------


def agenda_token(session: BoardSession, contact: Contact) -> str:
    return signing.dumps([session.pk, contact.pk], salt=SALT, compress=False)


def agenda_link(session: BoardSession, contact: Contact) -> str:
    return f"{settings.SITE_URL}/{PATH}/{agenda_token(session, contact)}/"


def _convened(session: BoardSession, contact: Contact) -> bool:
    return (
        Notification.objects.filter(
            subject_type=ContentType.objects.get_for_model(BoardSession),
            subject_id=session.pk,
            contact=contact,
            kind__in=CONVENING_KINDS,
        )
        .exclude(status=Status.CANCELLED)
        .exists()
    )


def session_for_token(token: str) -> tuple[BoardSession, Contact]:
    """The session and the contact a personal agenda link names; InvalidToken if the token is
    not ours, or names a session or a contact that no longer exists or was never convened."""
    try:
        session_id, contact_id = signing.loads(token, salt=SALT)
        session = BoardSession.objects.get(pk=int(session_id))
        contact = Contact.objects.get(pk=int(contact_id))
    except (signing.BadSignature, TypeError, ValueError, BoardSession.DoesNotExist):
        raise InvalidToken from None
    except Contact.DoesNotExist:
        raise InvalidToken from None
    if not _convened(session, contact):
        raise InvalidToken
    return session, contact
