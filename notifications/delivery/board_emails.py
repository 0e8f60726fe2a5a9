"""The e-mails about a board session: its agenda, a change of its date, time or place, its
cancellation. Each says when and where (in words, Paris time), the agenda with the reader's
own actions first, and gives a link (staff: the session's page; partners and members: their
personal read-only agenda page); each carries the session's calendar file (``board.ics``),
the method chosen for its reader (``ics.method_for``)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from backend.board import ics
from backend.board.models import BoardSession, SessionChange
from backend.board.reader_agenda import agenda_for, agenda_link, when
from backend.board.transitions import cancel_reason
from notifications.delivery.lookups import Lookups
from notifications.models import Kind, Notification

CALENDAR_KINDS = frozenset({Kind.AGENDA_PUBLISHED, Kind.SESSION_MOVED, Kind.SESSION_CANCELLED})


def session_of(notification: Notification, lookups: Lookups) -> BoardSession:
    session = lookups.subject(notification)
    if not isinstance(session, BoardSession):
        raise ValueError(f"notification {notification.pk}: its board session no longer exists")
    return session


def session_url(session: BoardSession) -> str:
    return settings.SITE_URL + reverse("web:board_detail", args=[session.pk])


def _session(notification: Notification, lookups: Lookups) -> dict:
    session = session_of(notification, lookups)
    reader = notification.user if notification.user_id else notification.contact
    staff = notification.user_id is not None
    return {
        "session": session,
        "when": when(session.date),
        "location": session.location,
        "agenda": agenda_for(session, reader),
        "link": session_url(session) if staff else agenda_link(session, notification.contact),
    }


def _agenda(notification: Notification, lookups: Lookups) -> dict:
    return _session(notification, lookups)


def _moved(notification: Notification, lookups: Lookups) -> dict:
    context = _session(notification, lookups)
    change = SessionChange.objects.get(pk=int(notification.round))
    context.update(
        {
            "change": change,
            "old_when": when(change.old_date),
            "new_when": when(change.new_date),
        }
    )
    return context


def _cancelled(notification: Notification, lookups: Lookups) -> dict:
    context = _session(notification, lookups)
    context["reason"] = cancel_reason(context["session"])
    return context


BOARD_BUILDERS = {
    Kind.AGENDA_PUBLISHED: _agenda,
    Kind.SESSION_MOVED: _moved,
    Kind.SESSION_CANCELLED: _cancelled,
}


def attach_calendar(message: EmailMultiAlternatives, notification: Notification, session) -> None:
    """The session's iCalendar file, with the method its reader gets: REQUEST for the
    session's attendees (CANCEL once cancelled), PUBLISH for everyone else (``session``
    with its members and invited staff prefetched)."""
    if not isinstance(session, BoardSession):
        raise ValueError(f"notification {notification.pk}: its board session no longer exists")
    viewer = notification.user if notification.user_id else None
    method = ics.method_for(session, notification.email)
    message.attach(
        ics.filename(session),
        ics.session_ics(session, user=viewer, method=method),
        f"text/calendar; method={method}",
    )
