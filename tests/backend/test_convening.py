"""Convening the board, lived through with time-machine through the API: the secretary keeps
the board's members, publishes the agenda, each member receives a convocation (aiosmtpd) with
a personal attendance link, answers (proxy rules), those who have not answered get a reminder,
the quorum is counted, the session is held with the attendance confirmed, and the minutes
(PDF, read with pypdf) record it all.

The session: Thursday 14 January 2027 at 14:00 (Paris). The board-session reminder policy:
3 business days before, at 08:30: Monday 11 January.
"""

import datetime
import io
import re

import pytest
from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader

from backend.actions.models import Action
from notifications.delivery.sweep import sweep
from notifications.models import Kind, Notification
from tests import factories
from tests.backend.test_exports import read_csv, read_xlsx
from tests.notifications import subject_of, text_of

pytestmark = pytest.mark.django_db

PARIS = timezone.get_fixed_timezone(60)
MONDAY = datetime.datetime(2027, 1, 4, 10, 0, tzinfo=PARIS)
SESSION_AT = datetime.datetime(2027, 1, 14, 14, 0, tzinfo=PARIS)
REMINDER_AT = datetime.datetime(2027, 1, 11, 8, 30, tzinfo=PARIS)
MEMBERS = [
    ("Alice", "Martin", "alice.martin@conseil.example"),
    ("Bruno", "Faure", "bruno.faure@conseil.example"),
    ("Chloé", "Perrin", "chloe.perrin@conseil.example"),
    ("David", "Roux", "david.roux@conseil.example"),
]
LINK = re.compile(re.escape(settings.SITE_URL) + r"/attendance/([^/\s]+)/")


def pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture
def board(api, secretary, time_machine):
    """Four members added by the secretary, a session planned (every member by default) with
    one action on its agenda."""
    time_machine.move_to(MONDAY, tick=False)
    client = api.as_user(secretary)
    members = {}
    for first, last, email in MEMBERS:
        response = client.post(
            "/api/v1/board-members/",
            {"first_name": first, "last_name": last, "email": email, "position": "Administrateur"},
        )
        assert response.status_code == 201, response.data
        members[first] = response.data["id"]
    response = client.post(
        "/api/v1/board-sessions/",
        {
            "date": SESSION_AT.isoformat(),
            "title": "Conseil de janvier",
            "location": "Siège, Saint-Étienne",
        },
    )
    assert response.status_code == 201, response.data
    assert sorted(response.data["members"]) == sorted(members.values())
    return client, response.data, members


def schedule(api, manager, project, session, title="Ludothèque de Saint-Julien"):
    action = factories.ActionFactory(project=project, title=title)
    Action.objects.filter(pk=action.pk).update(state="ready_for_board")
    response = api.as_user(manager).post(
        f"/api/v1/board-sessions/{session['id']}/agenda/", {"action": action.pk}
    )
    assert response.status_code == 200, response.data
    return action


def answer(api, token, attendance, proxy=None):
    api.credentials()  # no account: the link is the key
    body = {"attendance": attendance}
    if proxy is not None:
        body["proxy"] = proxy
    return api.post(f"/api/v1/attendance/{token}/", body, format="json")


def test_the_whole_convening(api, smtp, board, manager, secretary, project, time_machine):
    client, session, members = board
    url = f"/api/v1/board-sessions/{session['id']}/"
    action = schedule(api, manager, project, session)
    client = api.as_user(secretary)
    assert client.post(url + "transitions/publish_agenda/").status_code == 200
    sweep()

    # Each member receives one e-mail: the convocation, with date, place, agenda, links, .ics.
    tokens = {}
    for first, _last, email in MEMBERS:
        [message] = smtp.to(email)
        assert subject_of(message) == "Convocation : Conseil de janvier, le jeudi 14 janvier 2027"
        text = text_of(message)
        assert "Le jeudi 14 janvier 2027 à 14\u00a0h\u00a000 (heure de Paris)" in text
        assert "Lieu : Siège, Saint-Étienne" in text
        assert "1. Ludothèque de Saint-Julien (Gier-Ondaine-Pilat)" in text
        assert "Un administrateur peut détenir 1 pouvoir au plus." in text
        tokens[first] = LINK.search(text).group(1)
        assert f"{settings.SITE_URL}/attendance/{tokens[first]}/dossier/" in text
        [ics] = list(message.iter_attachments())
        assert ics.get_content_type() == "text/calendar"
        assert "DTSTART;TZID=Europe/Paris:20270114T140000" in ics.get_content()
    board_file = api.get(f"/attendance/{tokens['Alice']}/dossier/")
    assert board_file.status_code == 200
    assert "Ludothèque de Saint-Julien" in pdf_text(board_file.content)

    # Answers, with the proxy rules.
    ids = members
    assert answer(api, tokens["Alice"], "present").status_code == 200
    assert answer(api, tokens["Bruno"], "absent", ids["Alice"]).status_code == 200
    too_many = answer(api, tokens["Chloé"], "absent", ids["Alice"])
    assert too_many.status_code == 400
    assert "nombre maximal de pouvoirs (1)" in str(too_many.data["proxy"])
    to_absent = answer(api, tokens["Chloé"], "absent", ids["Bruno"])
    assert to_absent.status_code == 400
    assert "Bruno Faure sera absent" in str(to_absent.data["proxy"])
    assert answer(api, tokens["Chloé"], "present", ids["David"]).status_code == 400
    assert answer(api, tokens["Chloé"], "absent", ids["Chloé"]).status_code == 400
    holder_leaves = answer(api, tokens["Alice"], "absent")
    assert holder_leaves.status_code == 400
    assert "Bruno Faure" in str(holder_leaves.data["attendance"])
    assert answer(api, tokens["Chloé"], "remote").status_code == 200
    assert answer(api, "not-a-token", "present").status_code == 404

    rows = api.as_user(secretary).get(url + "convocations/").json()
    by_name = {row["name"]: row for row in rows}
    assert {name: row["attendance"] for name, row in by_name.items()} == {
        "Alice Martin": "present",
        "Bruno Faure": "absent",
        "Chloé Perrin": "remote",
        "David Roux": "pending",
    }
    assert by_name["Bruno Faure"]["proxy"] == ids["Alice"]
    assert by_name["David Roux"]["answered_at"] is None
    assert by_name["Alice Martin"]["answered_at"].startswith("2027-01-04")

    # The reminder: only to the member who has not answered, on Monday 11 January at 08:30.
    time_machine.move_to(REMINDER_AT - datetime.timedelta(minutes=1), tick=False)
    assert sweep().sent == 0
    time_machine.move_to(REMINDER_AT, tick=False)
    sweep()
    reminded = [m for m in smtp.messages if subject_of(m).startswith("Rappel")]
    assert [m["To"] for m in reminded] == ["david.roux@conseil.example"]
    page = api.get(f"/attendance/{LINK.search(text_of(reminded[0])).group(1)}/")
    assert "David Roux" in page.content.decode()

    # The answer can change until the session is held.
    assert answer(api, tokens["Chloé"], "present").status_code == 200

    # The session is held: the secretary confirms the attendance (David came after all).
    time_machine.move_to(SESSION_AT, tick=False)
    client = api.as_user(secretary)
    held = client.post(
        url + "transitions/hold/",
        {"attendance": [{"member": ids["David"], "attendance": "present"}]},
        format="json",
    )
    assert held.status_code == 200, held.data
    assert answer(api, tokens["Chloé"], "absent").status_code == 409
    client = api.as_user(secretary)
    decided = client.post(
        url + "decisions/",
        {
            "action": action.pk,
            "outcome": "approved_with_conditions",
            "reference": "2027-004",
            "conditions": "Un bilan à mi-parcours.",
        },
        format="json",
    )
    assert decided.status_code == 201, decided.data

    minutes = client.get(url + "minutes/")
    assert minutes.status_code == 200
    assert minutes["Content-Type"] == "application/pdf"
    text = pdf_text(minutes.content)
    assert "procès-verbal" in text
    assert "Alice Martin Présent" in text
    assert "Bruno Faure Absent Pouvoir donné à Alice Martin" in text
    assert "David Roux Présent" in text
    assert "Quorum atteint : 4 administrateurs sur 4 présents ou représentés" in text
    assert "Ludothèque de Saint-Julien" in text
    assert "délibération n° 2027-004" in text
    assert "Un bilan à mi-parcours." in text
    by_member = api.get(f"/attendance/{tokens['Bruno']}/proces-verbal/")
    assert by_member.status_code == 200
    assert "Pouvoir donné à Alice Martin" in pdf_text(by_member.content)
    # The exports carry the attendance of each session.
    rows = read_csv(client.get("/api/v1/exports/attendance.csv?year=2027"))
    assert [
        (r["Administrateur"], r["Réponse"], r["Pouvoir donné à"], r["Présence constatée"])
        for r in rows
    ] == [
        ("Bruno Faure", "absent", "Alice Martin", "absent"),
        ("Alice Martin", "présent", "", "présent"),
        ("Chloé Perrin", "présent", "", "présent"),
        ("David Roux", "sans réponse", "", "présent"),
    ]
    assert {r["Date de la séance"] for r in rows} == {"2027-01-14"}
    sheet = read_xlsx(client.get("/api/v1/exports/actions.xlsx"))["présences"]
    assert {(r["Administrateur"], r["Présence constatée"]) for r in sheet} >= {
        ("David Roux", "présent")
    }
    # Exactly one convocation row per member, and one reminder sent.
    assert Notification.objects.filter(kind=Kind.CONVOCATION).count() == 4
    assert Notification.objects.filter(kind=Kind.ATTENDANCE_REMINDER, status="sent").count() == 1


def test_members_get_the_convocation_not_the_agenda_notice(api, board, manager, secretary, project):
    _client, session, _members = board
    schedule(api, manager, project, session)
    publish = f"/api/v1/board-sessions/{session['id']}/transitions/publish_agenda/"
    assert api.as_user(secretary).post(publish).status_code == 200
    assert Notification.objects.filter(kind=Kind.CONVOCATION).count() == 4
    assert not Notification.objects.filter(
        kind=Kind.AGENDA_PUBLISHED, email__endswith="@conseil.example"
    ).exists()


def test_the_minutes_wait_for_the_session(api, board, secretary):
    _client, session, _members = board
    response = api.as_user(secretary).get(f"/api/v1/board-sessions/{session['id']}/minutes/")
    assert response.status_code == 409


def test_a_member_who_left_is_not_convened_to_new_sessions(api, board, secretary):
    client, _session, members = board
    assert client.delete(f"/api/v1/board-members/{members['David']}/").status_code == 204
    listed = client.get("/api/v1/board-members/").json()
    names = [row["last_name"] for row in listed.get("results", listed)]
    assert "Roux" not in names
    response = client.post(
        "/api/v1/board-sessions/",
        {
            "date": (SESSION_AT + datetime.timedelta(days=30)).isoformat(),
            "title": "Conseil de février",
        },
    )
    assert members["David"] not in response.data["members"]
    assert len(response.data["members"]) == 3


def test_only_the_secretary_keeps_the_members(api, manager):
    response = api.as_user(manager).post(
        "/api/v1/board-members/",
        {"first_name": "Eve", "last_name": "Noir", "email": "eve@conseil.example"},
    )
    assert response.status_code == 403


def test_reminders_follow_a_moved_session(api, board, manager, secretary, project):
    from backend.board.models import BoardSession
    from notifications.planning.notices import attendance_reminders_moved

    _client, session, _members = board
    schedule(api, manager, project, session)
    publish = f"/api/v1/board-sessions/{session['id']}/transitions/publish_agenda/"
    assert api.as_user(secretary).post(publish).status_code == 200
    moved = BoardSession.objects.get(pk=session["id"])
    moved.date = SESSION_AT + datetime.timedelta(days=7)  # Thursday 21 January
    moved.save(update_fields=["date"])
    attendance_reminders_moved(moved)
    planned = Notification.objects.filter(kind=Kind.ATTENDANCE_REMINDER, status="planned")
    assert {row.due_at for row in planned} == {REMINDER_AT + datetime.timedelta(days=7)}
    assert planned.count() == 4
