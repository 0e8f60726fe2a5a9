"""A board session's calendar follows it: the agenda's invitation, the updated invitation
when its date, time or place changes, the cancellation; each version received as a real
e-mail (aiosmtpd) and read by two independent calendar parsers (icalendar and vobject)."""

import datetime
import re

import icalendar
import pytest
import vobject

from backend.accounts.models import StaffRole
from backend.actions.models import Action
from backend.actions.transitions import schedule_action
from backend.board.models import BoardSession
from notifications.delivery.sweep import sweep
from tests import factories
from tests.notifications import PARIS, html_of, subject_of, text_of

pytestmark = pytest.mark.django_db
NB = "\u00a0"  # a no-break space: « 14 h 00 » as the pages write it
SESSION_AT = datetime.datetime(2027, 1, 14, 14, 0, tzinfo=PARIS)
MOVED_TO = datetime.datetime(2027, 1, 21, 9, 30, tzinfo=PARIS)
ROOM = "Salle du conseil, Saint-Étienne"
NEW_ROOM = "Maison des services, Roanne"


@pytest.fixture
def convened(time_machine, api, project, pilot, manager, secretary, social_worker, make_staff):
    """A session with an invited director (an attendee) and two actions on its agenda: the
    pilot partner's one second; the agenda published."""
    time_machine.move_to(datetime.datetime(2026, 12, 14, 10, 0, tzinfo=PARIS), tick=False)
    guest = make_staff(StaffRole.DIRECTOR, territories=[], email="directrice@caf42.example")
    session = BoardSession.objects.create(
        date=SESSION_AT, title="Conseil de janvier", location=ROOM
    )
    session.staff_invited.add(guest)
    other = factories.ActionFactory(project=project, title="Vacances en familles")
    action = pilot.action
    Action.objects.filter(pk__in=[other.pk, action.pk]).update(
        state="ready_for_board", social_worker=social_worker
    )
    for ready in (other, action):
        ready.refresh_from_db()
        schedule_action(ready, actor=manager, board_session=session)
    published = api.as_user(secretary).post(
        f"/api/v1/board-sessions/{session.pk}/transitions/publish_agenda/"
    )
    assert published.status_code == 200, published.data
    assert sweep().sent >= 4
    return session, guest, pilot.contact, action, other


def calendar_of(message) -> dict:
    """The message's calendar, read by both parsers, which must agree."""
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    raw = part.get_content()
    ical = icalendar.Calendar.from_ical(raw)
    [event] = ical.walk("VEVENT")
    vcal = vobject.readOne(raw)
    vevent = vcal.vevent
    attendees = event.get("ATTENDEE", [])
    attendees = attendees if isinstance(attendees, list) else [attendees]  # one: not a list
    first = {
        "method": str(ical["METHOD"]),
        "uid": str(event["UID"]),
        "sequence": int(event["SEQUENCE"]),
        "start": event.decoded("DTSTART"),
        "location": str(event.get("LOCATION", "")),
        "status": str(event["STATUS"]),
        "attendees": sorted(str(a).lower() for a in attendees),
    }
    second = {
        "method": vcal.method.value,
        "uid": vevent.uid.value,
        "sequence": int(vevent.sequence.value),
        "start": vevent.dtstart.value,
        "location": vevent.location.value if hasattr(vevent, "location") else "",
        "status": vevent.status.value,
        "attendees": sorted(a.value.lower() for a in vevent.contents.get("attendee", [])),
    }
    assert first == second, (first, second)
    assert part.get_param("method") == first["method"]
    return first


def only(smtp, address, start=0):
    messages = smtp.to(address)[start:]
    assert len(messages) == 1, [subject_of(m) for m in messages]
    return messages[0]


def test_each_calendar_version_follows_the_session(smtp, api, convened, secretary):
    session, guest, partner, _action, _other = convened
    invited = calendar_of(only(smtp, guest.email))
    informed = calendar_of(only(smtp, partner.email))
    # the attendee gets a REQUEST naming them, the partner a PUBLISH without attendees
    assert invited["method"] == "REQUEST" and f"mailto:{guest.email}" in invited["attendees"]
    assert informed["method"] == "PUBLISH" and informed["attendees"] == []
    assert invited["uid"] == informed["uid"]
    assert invited["start"] == SESSION_AT and invited["location"] == ROOM

    client = api.as_user(secretary)
    moved = client.patch(
        f"/api/v1/board-sessions/{session.pk}/",
        {"date": MOVED_TO.isoformat(), "location": NEW_ROOM},
        format="json",
    )
    assert moved.status_code == 200, moved.data
    assert sweep().sent >= 4
    updated = calendar_of(only(smtp, guest.email, start=1))
    updated_partner = calendar_of(only(smtp, partner.email, start=1))
    assert updated["uid"] == invited["uid"] == updated_partner["uid"]
    assert updated["sequence"] > invited["sequence"]
    assert (updated["method"], updated_partner["method"]) == ("REQUEST", "PUBLISH")
    assert updated["start"] == MOVED_TO and updated["location"] == NEW_ROOM
    assert updated_partner["start"] == MOVED_TO and updated_partner["location"] == NEW_ROOM

    # only the place changes: the calendar goes up again
    again = client.patch(f"/api/v1/board-sessions/{session.pk}/", {"location": ROOM}, format="json")
    assert again.status_code == 200
    sweep()
    relocated = calendar_of(only(smtp, guest.email, start=2))
    assert relocated["sequence"] > updated["sequence"] and relocated["location"] == ROOM

    cancelled = client.post(
        f"/api/v1/board-sessions/{session.pk}/transitions/cancel/",
        {"comment": "Quorum impossible à réunir"},
        format="json",
    )
    assert cancelled.status_code == 200, cancelled.data
    assert sweep().sent >= 4
    cancel = calendar_of(only(smtp, guest.email, start=3))
    cancel_partner = calendar_of(only(smtp, partner.email, start=3))
    assert cancel["method"] == "CANCEL" and cancel["status"] == "CANCELLED"
    assert f"mailto:{guest.email}" in cancel["attendees"]
    assert cancel_partner["method"] == "PUBLISH" and cancel_partner["status"] == "CANCELLED"
    assert cancel["uid"] == invited["uid"] and cancel["sequence"] > relocated["sequence"]
    assert sweep().sent == 0  # once only


def test_the_change_e_mail_says_what_changed(smtp, api, convened, secretary):
    session, _guest, partner, _action, _other = convened
    api.as_user(secretary).patch(
        f"/api/v1/board-sessions/{session.pk}/",
        {"date": MOVED_TO.isoformat(), "location": NEW_ROOM},
        format="json",
    )
    sweep()
    message = only(smtp, partner.email, start=1)
    assert subject_of(message) == (
        f"Séance déplacée : Conseil de janvier, désormais le jeudi 21 janvier 2027 à 09{NB}h{NB}30"
    )
    text = text_of(message)
    assert f"jeudi 14 janvier 2027 à 14{NB}h{NB}00 → jeudi 21 janvier 2027 à 09{NB}h{NB}30" in text
    assert f"{ROOM} → {NEW_ROOM}" in text
    assert f"→ jeudi 21 janvier 2027 à 09{NB}h{NB}30" in html_of(message)


def test_the_cancellation_says_why_and_reaches_everyone_convened(smtp, api, convened, secretary):
    session, _guest, partner, action, _other = convened
    before = {m["To"] for m in smtp.messages}
    api.as_user(secretary).post(
        f"/api/v1/board-sessions/{session.pk}/transitions/cancel/",
        {"comment": "Quorum impossible à réunir"},
        format="json",
    )
    sweep()
    after = [m for m in smtp.messages if subject_of(m).startswith("Séance annulée")]
    assert {m["To"] for m in after} == before  # everyone who received the agenda
    message = only(smtp, partner.email, start=1)
    assert subject_of(message) == (
        f"Séance annulée : Conseil de janvier, jeudi 14 janvier 2027 à 14{NB}h{NB}00"
    )
    text = text_of(message)
    assert "Motif : Quorum impossible à réunir" in text
    assert action.title in text  # its own action waits for another session


def test_the_agenda_e_mail_stands_on_its_own(smtp, convened, manager):
    session, _guest, partner, action, other = convened
    message = only(smtp, partner.email)
    subject = subject_of(message)
    assert subject == f"Ordre du jour : Conseil de janvier, jeudi 14 janvier 2027 à 14{NB}h{NB}00"
    text = text_of(message)
    assert f"Date : jeudi 14 janvier 2027 à 14{NB}h{NB}00 (heure de Paris)" in text
    assert f"Lieu : {ROOM}" in text
    # the reader's own action first, though second on the agenda
    assert text.index("Vos actions à l'ordre du jour") < text.index(f"2. {action.title}")
    assert text.index(f"2. {action.title}") < text.index(f"1. {other.title}")
    [link] = re.findall(r"http://\S+/agenda/\S+/", text)
    assert link in html_of(message)

    staff = only(smtp, manager.email)
    staff_text = text_of(staff)
    assert f"/conseil/{session.pk}/" in staff_text and "/admin/" not in staff_text
    assert "/agenda/" not in staff_text
