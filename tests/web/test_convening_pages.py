"""The board secretary's convening pages (members, the session's list, answers and quorum,
the hold with the attendance) and the member's attendance page, without an account."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from backend.actions.models import Action
from backend.actions.transitions import schedule_action
from backend.board.attendance import attendance_link
from backend.board.members import add_member
from backend.board.models import BoardSession, Convocation
from backend.board.sessions import create_board_session
from backend.board.transitions import publish_agenda
from tests import factories

pytestmark = pytest.mark.django_db
PARIS = timezone.get_fixed_timezone(60)
SESSION_AT = datetime.datetime(2027, 1, 14, 14, 0, tzinfo=PARIS)


@pytest.fixture
def published(time_machine, secretary, manager, project):
    """Three members, a session convening them all, its agenda published."""
    time_machine.move_to(datetime.datetime(2027, 1, 4, 10, 0, tzinfo=PARIS), tick=False)
    members = [
        add_member(
            user=secretary,
            data={
                "first_name": first,
                "last_name": last,
                "email": f"{first.lower()}@conseil.example",
            },
        )
        for first, last in (("Alice", "Martin"), ("Bruno", "Faure"), ("Chloé", "Perrin"))
    ]
    session = create_board_session(
        user=secretary,
        data={"date": SESSION_AT, "title": "Conseil de janvier", "location": "Siège"},
    )
    action = factories.ActionFactory(project=project, title="Ludothèque")
    Action.objects.filter(pk=action.pk).update(state="ready_for_board")
    action.refresh_from_db()
    schedule_action(action, actor=manager, board_session=session)
    publish_agenda(session, actor=secretary)
    return session, members


def path_of(convocation) -> str:
    return attendance_link(convocation).removeprefix(settings.SITE_URL)


def test_the_secretary_adds_a_member_from_the_pages(page_client, secretary):
    client = page_client(secretary)
    response = client.post(
        "/conseil/membres/",
        {"first_name": "Denise", "last_name": "Vial", "email": "denise@conseil.example"},
    )
    assert response.status_code == 303
    page = client.get("/conseil/membres/").content.decode()
    assert "Denise Vial" in page
    session = create_board_session(
        user=secretary, data={"date": SESSION_AT, "title": "Conseil", "location": ""}
    )
    assert [m.full_name for m in session.members.all()] == ["Denise Vial"]

    refused = client.post("/conseil/membres/", {"first_name": "Paul", "email": "pas-une-adresse"})
    html = refused.content.decode()
    assert "Le membre n'est pas ajouté : corrigez les erreurs signalées." in html
    assert '<li><a href="#id_email">' in html and "id_last_name-error" in html
    assert "Paul" not in client.get("/conseil/membres/").content.decode()


def test_a_manager_cannot_add_a_member(page_client, manager):
    response = page_client(manager).post(
        "/conseil/membres/",
        {"first_name": "Denise", "last_name": "Vial", "email": "denise@conseil.example"},
    )
    assert response.status_code == 403


def test_the_session_page_shows_answers_and_quorum(page_client, published, secretary):
    session, (alice, bruno, _chloe) = published
    client = page_client()
    for member, answer in ((alice, "present"), (bruno, "absent")):
        convocation = Convocation.objects.get(session=session, member=member)
        data = {"attendance": answer}
        if member == bruno:
            data["proxy"] = alice.pk
        response = client.post(path_of(convocation), data)
        assert response.status_code == 200
        assert "Merci, votre réponse est enregistrée" in response.content.decode()
    page = page_client(secretary).get(f"/conseil/{session.pk}/").content.decode()
    text = re.sub(r"\s+", " ", page)
    assert "Quorum atteint" in text
    assert "2 administrateurs sur 3 présents ou représentés" in text
    assert "1 administrateur n'a pas encore répondu." in text
    assert "Chloé Perrin" in text and "Sans réponse" in text


def test_a_member_added_after_publication_is_convened(page_client, published, secretary):
    session, members = published
    late = add_member(
        user=secretary,
        data={"first_name": "David", "last_name": "Roux", "email": "david@conseil.example"},
    )
    response = page_client(secretary).post(
        f"/conseil/{session.pk}/administrateurs/",
        {"members": [m.pk for m in [*members, late]]},
    )
    assert response.status_code == 303
    assert Convocation.objects.filter(session=session, member=late).exists()


def test_holding_confirms_the_attendance(page_client, published, secretary, time_machine):
    session, (alice, bruno, chloe) = published
    Convocation.objects.filter(session=session, member=alice).update(attendance="present")
    time_machine.move_to(SESSION_AT, tick=False)
    client = page_client(secretary)
    form = client.get(f"/conseil/{session.pk}/").content.decode()
    assert f'id="attendance-{alice.pk}"' in form
    response = client.post(
        f"/conseil/{session.pk}/tenir/",
        {
            f"attendance-{alice.pk}": "present",
            f"attendance-{bruno.pk}": "remote",
            f"attendance-{chloe.pk}": "absent",
            f"proxy-{chloe.pk}": str(bruno.pk),
        },
    )
    assert response.status_code == 303
    session.refresh_from_db()
    assert session.state == "held"
    actual = {c.member_id: (c.actual, c.actual_proxy_id) for c in session.convocations.all()}
    assert actual == {
        alice.pk: ("present", None),
        bruno.pk: ("remote", None),
        chloe.pk: ("absent", bruno.pk),
    }
    page = client.get(f"/conseil/{session.pk}/").content.decode()
    assert f"/api/v1/board-sessions/{session.pk}/minutes/" in page


def test_the_attendance_page_refuses_a_proxy_to_an_absent_member(page_client, published):
    session, (alice, bruno, _chloe) = published
    client = page_client()
    Convocation.objects.filter(session=session, member=alice).update(attendance="absent")
    convocation = Convocation.objects.get(session=session, member=bruno)
    response = client.post(path_of(convocation), {"attendance": "absent", "proxy": alice.pk})
    assert response.status_code == 400
    assert "Alice Martin sera absent" in response.content.decode()
    assert BoardSession.objects.get(pk=session.pk).convocations.get(member=bruno).attendance == (
        "pending"
    )


def test_the_attendance_page_says_how_many_proxies_one_may_hold(page_client, published, settings):
    settings.BOARD_PROXIES_PER_MEMBER = 2
    session, (alice, *_others) = published
    convocation = Convocation.objects.get(session=session, member=alice)
    page = page_client().get(path_of(convocation)).content.decode()
    assert "Un administrateur peut détenir 2 pouvoirs au plus." in re.sub(r"\s+", " ", page)


def test_a_bad_attendance_link_is_refused(page_client):
    assert page_client().get("/attendance/nothing-here/").status_code == 404


@pytest.fixture
def fresh_counters():
    cache.clear()  # the bad-link counters live in the cache
    yield
    cache.clear()


def test_bad_links_to_the_page_the_board_file_and_the_minutes_are_counted_together(
    page_client, published, settings, fresh_counters
):
    settings.BAD_LINK_LIMIT = 3
    session, (alice, *_others) = published
    good = path_of(Convocation.objects.get(session=session, member=alice))
    client = page_client()
    for path in ("/attendance/devine/", "/attendance/devine/dossier/"):
        refused = client.get(path)
        assert refused.status_code == 404
        assert "Lien invalide" in refused.content.decode()
    assert client.get("/attendance/devine/proces-verbal/").status_code == 404
    for path in (good, good + "dossier/", good + "proces-verbal/"):
        assert client.get(path).status_code == 429  # this address is held off, even with
    assert client.post(good, {"attendance": "present"}).status_code == 429  # a good link
