"""The convocation of a board member (and its reminder): the session's date, time and place,
the agenda, links to answer (the personal attendance link) and to the board file, and the
iCalendar invitation attached. The row is about the session; the member's convocation (their
link) is read by (session, member)."""

from django.utils import timezone

from notifications.models import Notification


def convocation_context(notification: Notification, lookups) -> dict:
    from backend.board.attendance import attendance_link, proxies_per_member
    from backend.board.ics import visible_agenda
    from backend.board.models import BoardSession, Convocation

    session = lookups.subject(notification)
    if not isinstance(session, BoardSession):
        raise ValueError(f"notification {notification.pk}: its board session no longer exists")
    convocation = Convocation.objects.filter(
        session=session, member_id=notification.contact_id
    ).first()
    if convocation is None:
        raise ValueError(f"notification {notification.pk}: the member is no longer convened")
    link = attendance_link(convocation)
    items, _omitted = visible_agenda(session)
    return {
        "session": session,
        "session_date": timezone.localtime(session.date),
        "agenda": items,
        "convocation": convocation,
        "link": link,
        "board_file_url": f"{link}dossier/",
        "proxies_per_member": proxies_per_member(),
        "reminder": notification.kind == "attendance_reminder",
    }
