"""The iCalendar (RFC 5545) invitation to a board session.

One VEVENT (RFC 5546): the time is given in Europe/Paris with its VTIMEZONE, the UID is stable
for the session (a calendar updates the event rather than adding a second one), the SEQUENCE
grows with each state change of the session and each change of its date, time or place, the
description is the agenda, the organiser is the address of ``DEFAULT_FROM_EMAIL``.

The method depends on who receives it (``method_for``): the session's attendees (its board
members and invited staff, listed as ATTENDEE) get ``METHOD:REQUEST`` (``METHOD:CANCEL`` once
the session is cancelled); everyone else (the partners and staff of the actions on the agenda)
gets ``METHOD:PUBLISH``, without attendees (RFC 5546 3.2.1), with ``STATUS:CANCELLED`` once
cancelled. RSVP is off: attendance is answered on the product's own pages, and the organiser's
address does not read replies.

Written by hand (no runtime dependency): text escaping (section 3.3.11), CRLF line ends and
folding at 75 octets without cutting a UTF-8 character (section 3.1).
"""

import datetime
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from backend.accounts import scoping
from backend.board.models import AgendaItem, BoardSession, BoardSessionState, SessionChange
from workflows.models import TransitionLog

PARIS = ZoneInfo("Europe/Paris")
DURATION = datetime.timedelta(hours=3)  # a session has no end time: a board meets ~3 hours
PRODID = "-//CAF de la Loire//Projets de territoire//FR"
REQUEST, PUBLISH, CANCEL = "REQUEST", "PUBLISH", "CANCEL"

# The rules in force in France since 1996 (EU summer time): last Sunday of March at 02:00,
# last Sunday of October at 03:00.
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Paris",
    "X-LIC-LOCATION:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19810329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19961027T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line ends escaped."""
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def _param(value: str) -> str:
    """A parameter value, always quoted (DQUOTE itself is not allowed inside)."""
    cleaned = "".join(c for c in str(value) if c not in '"\r\n' and (c >= " " or c == "\t"))
    return f'"{cleaned}"'


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after one space."""
    out, current, size = [], [], 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += width
    out.append("".join(current))
    return "\r\n".join(out)


def _local(moment: datetime.datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y%m%dT%H%M%S")


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def uid(session: BoardSession) -> str:
    """Stable for the life of the session."""
    return f"board-session-{session.pk}@{_domain()}"


def sequence(session: BoardSession) -> int:
    """How many times the session changed state, date, time or place (the transition log and
    the session's changes are append-only, so the number only grows)."""
    states = TransitionLog.objects.filter(
        subject_type=ContentType.objects.get_for_model(BoardSession), subject_id=session.pk
    ).count()
    return states + SessionChange.objects.filter(session=session).count()


def attendee_addresses(session: BoardSession) -> set[str]:
    """The session's attendees (board members, invited staff), by address in lower case."""
    people = [*session.members.all(), *session.staff_invited.all()]
    return {person.email.lower() for person in people if person.email}


def method_for(session: BoardSession, email: str) -> str:
    """REQUEST for an attendee (CANCEL once the session is cancelled), PUBLISH otherwise."""
    if email.lower() not in attendee_addresses(session):
        return PUBLISH
    return CANCEL if session.state == BoardSessionState.CANCELLED else REQUEST


def visible_agenda(session: BoardSession, user=None) -> tuple[list[AgendaItem], bool]:
    """The agenda points ``user`` may see (every point when ``user`` is None, e.g. for the
    invitation sent to the board members), and whether some points were left out."""
    every = AgendaItem.objects.filter(session=session)
    items = every if user is None else scoping.agenda_items_for(user).filter(session=session)
    shown = list(
        items.select_related("action__project__territory", "project__territory").order_by(
            "position", "id"
        )
    )
    if user is None or getattr(user, "sees_all_territories", False):
        return shown, False
    return shown, len(shown) < every.count()


def project_label(project) -> str:
    """How a territory project appears on the agenda."""
    title = str(project.title)
    if title.lower().startswith("projet de territoire"):
        return title
    return f"Projet de territoire : {title}"


def agenda_text(items: list[AgendaItem], omitted: bool) -> str:
    lines = ["Ordre du jour :"]
    for item in items:
        if item.action_id:
            title, territory = item.action.title, item.action.project.territory.name
            lines.append(f"{item.position}. {title} ({territory})")
        else:
            lines.append(f"{item.position}. {project_label(item.project)}")
    if not items:
        lines.append("(aucun point)")
    if omitted:
        lines.append("Les points concernant d'autres territoires ne sont pas repris ici.")
    return "\n".join(lines)


def _attendee(name: str, email: str, role: str) -> str:
    return (
        f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE={role};PARTSTAT=NEEDS-ACTION;RSVP=FALSE;"
        f"CN={_param(name)}:mailto:{email}"
    )


def _attendees(session: BoardSession) -> list[str]:
    lines, seen = [], set()
    for member in session.members.all():
        if member.email and member.email.lower() not in seen:
            seen.add(member.email.lower())
            lines.append(_attendee(member.full_name, member.email, "REQ-PARTICIPANT"))
    for person in session.staff_invited.all():
        if person.email and person.email.lower() not in seen:
            seen.add(person.email.lower())
            lines.append(_attendee(str(person), person.email, "OPT-PARTICIPANT"))
    return lines


def session_ics(session: BoardSession, *, user=None, method: str = REQUEST) -> bytes:
    """The invitation to ``session`` as an ``.ics`` file (UTF-8, CRLF).

    ``user``: whose view of the agenda goes into the description (territory staff see only
    their territories' points); None for the full agenda. ``method``: REQUEST, PUBLISH or
    CANCEL (``method_for`` says which one a person gets).
    """
    cancelled = method == CANCEL or session.state == BoardSessionState.CANCELLED
    items, omitted = visible_agenda(session, user)
    organiser_name, organiser_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    start = session.date
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        *VTIMEZONE,
        "BEGIN:VEVENT",
        f"UID:{uid(session)}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"SEQUENCE:{sequence(session)}",
        f"DTSTART;TZID=Europe/Paris:{_local(start)}",
        f"DTEND;TZID=Europe/Paris:{_local(start + DURATION)}",
        f"SUMMARY:{escape_text(session.title)}",
    ]
    if session.location:
        lines.append(f"LOCATION:{escape_text(session.location)}")
    lines += [
        f"DESCRIPTION:{escape_text(agenda_text(items, omitted))}",
        "STATUS:CANCELLED" if cancelled else "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        f"ORGANIZER;CN={_param(organiser_name or organiser_email)}:mailto:{organiser_email}",
    ]
    if method != PUBLISH:  # PUBLISH names no attendees (RFC 5546 3.2.1)
        lines += _attendees(session)
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")


def filename(session: BoardSession) -> str:
    return f"conseil-{timezone.localtime(session.date, PARIS):%Y-%m-%d}.ics"
