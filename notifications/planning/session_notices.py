"""The notices of a board session once convened: who was convened, the updated invitation
when its date, time or place changes, the cancellation.

"Everyone convened" is read from the session's own notification rows (the agenda sent to the
partners and staff, the members' convocations): whoever was sent one of them, or is about to
be, hears of every change after. A session published before these rows existed falls back to
the agenda's recipients of today.
"""

from django.contrib.contenttypes.models import ContentType

from backend.accounts.models import User
from backend.board.models import BoardSession, SessionChange
from backend.partners.models import Contact
from notifications.models import Kind, Notification, Status
from notifications.planning.notices import agenda_recipients
from notifications.planning.rows import cancel, notice, planned_for, write

# The kinds that convene someone to a session: the agenda, and the members' convocation.
CONVENING_KINDS = (Kind.AGENDA_PUBLISHED, "convocation")


def convened(session: BoardSession, *, published: bool) -> list:
    """Everyone convened to ``session`` (staff users and contacts), each once.

    From the session's agenda and convocation rows that left or are leaving (a row still
    planned will carry the session as it is when it leaves; a cancelled one never will);
    when it has none at all and its agenda was ``published``, the agenda's recipients of
    today."""
    rows = Notification.objects.filter(
        subject_type=ContentType.objects.get_for_model(BoardSession),
        subject_id=session.pk,
        kind__in=CONVENING_KINDS,
    )
    if not rows.exists():
        return agenda_recipients(session) if published else []
    kept = rows.exclude(status__in=(Status.CANCELLED, Status.PLANNED))
    user_ids = set(kept.filter(user__isnull=False).values_list("user_id", flat=True))
    contact_ids = set(kept.filter(contact__isnull=False).values_list("contact_id", flat=True))
    users = User.objects.filter(pk__in=user_ids).order_by("pk")
    contacts = Contact.objects.filter(pk__in=contact_ids).order_by("pk")
    return [*users, *contacts]


def plan_session_moved(session: BoardSession, change: SessionChange) -> None:
    """The session's date, time or place changed: everyone convened gets the updated
    invitation and what changed (one notice per change and person)."""
    published = session.state != "planned"
    write(
        [
            notice(Kind.SESSION_MOVED, subject=session, recipient=person, round=str(change.pk))
            for person in convened(session, published=published)
        ]
    )


def plan_session_cancelled(session: BoardSession, *, published: bool) -> None:
    """The session is cancelled: what has not left about it yet is cancelled too (the
    agenda, a change, a reminder), and everyone who was sent something gets the
    cancellation (``published``: whether its agenda was published, for the fallback)."""
    cancel(planned_for(session))
    write(
        [
            notice(Kind.SESSION_CANCELLED, subject=session, recipient=person)
            for person in convened(session, published=published)
        ]
    )
