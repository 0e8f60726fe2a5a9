"""The board pages when sessions pass, move or are cancelled: which sessions are past, the
cancel form of the session page."""

import datetime

import pytest
from django.utils import timezone

from backend.actions.models import Action
from backend.board.models import AgendaItem
from tests import factories
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db
PARIS = timezone.get_fixed_timezone(60)
NOW = datetime.datetime(2027, 1, 14, 10, 0, tzinfo=PARIS)  # a Thursday morning


@pytest.fixture(autouse=True)
def _thursday_morning(time_machine):
    time_machine.move_to(NOW, tick=False)


def titles(sessions) -> list[str]:
    return [s.title for s in sessions]


def test_past_sessions_are_held_closed_or_before_today(page_client, secretary):
    make = factories.BoardSessionFactory
    make(date=NOW + datetime.timedelta(hours=4), title="Ce soir")
    make(date=NOW - datetime.timedelta(hours=1), title="Ce matin, pas encore tenue")
    make(date=NOW - datetime.timedelta(hours=2), title="Ce matin, tenue", state="held")
    make(date=NOW - datetime.timedelta(days=1), title="Hier, jamais tenue")
    make(date=NOW - datetime.timedelta(days=30), title="Décembre", state="closed")
    make(date=NOW + datetime.timedelta(days=7), title="Annulée", state="cancelled")
    response = page_client(secretary).get("/conseil/")
    assert response.status_code == 200
    assert titles(response.context["upcoming"]) == [
        "Ce matin, pas encore tenue",
        "Ce soir",
        "Annulée",
    ]
    assert titles(response.context["past"]) == [
        "Ce matin, tenue",
        "Hier, jamais tenue",
        "Décembre",
    ]
    html = response.content.decode()
    assert html.index("Ce matin, pas encore tenue") < html.index("Séances passées")
    assert html.index("Séances passées") < html.index("Ce matin, tenue")


def test_the_secretary_cancels_from_the_session_page(page_client, secretary, project):
    session = factories.BoardSessionFactory(date=NOW + datetime.timedelta(days=7), title="Mars")
    action = factories.ActionFactory(project=project, title="Saint-Julien")
    Action.objects.filter(pk=action.pk).update(state="scheduled", board_session=session)
    AgendaItem.objects.create(session=session, action=action, position=1)
    client = page_client(secretary)
    page = client.get(f"/conseil/{session.pk}/").content.decode()
    assert f'action="/conseil/{session.pk}/annuler/"' in page
    assert "Motif de l'annulation" in page

    without_reason = client.post(f"/conseil/{session.pk}/annuler/", {"comment": ""})
    assert without_reason["X-Command-Status"] == "400"
    session.refresh_from_db()
    assert session.state == "planned"

    done = client.post(f"/conseil/{session.pk}/annuler/", {"comment": "Salle indisponible"})
    assert done.status_code == 303 and done["X-Command-Status"] == "200"
    session.refresh_from_db()
    action.refresh_from_db()
    assert session.state == "cancelled" and action.state == "ready_for_board"
    assert TransitionLog.objects.filter(action=action, transition="unschedule").exists()
    page = client.get(done.url).content.decode()
    assert "Motif : Salle indisponible" in page
    assert "annuler/" not in page  # no second cancellation


def test_other_staff_see_no_cancel_form(page_client, social_worker):
    session = factories.BoardSessionFactory(date=NOW + datetime.timedelta(days=7))
    page = page_client(social_worker).get(f"/conseil/{session.pk}/").content.decode()
    assert "annuler/" not in page
    refused = page_client(social_worker).post(f"/conseil/{session.pk}/annuler/", {"comment": "Non"})
    assert refused["X-Command-Status"] == "403"


def test_the_secretary_moves_a_session_from_its_page(page_client, secretary):
    session = factories.BoardSessionFactory(date=NOW + datetime.timedelta(days=7), title="Mars")
    client = page_client(secretary)
    page = client.get(f"/conseil/{session.pk}/").content.decode()
    assert f'action="/conseil/{session.pk}/modifier/"' in page
    form = {"edit-title": "Mars", "edit-location": "Roanne"}
    past = client.post(
        f"/conseil/{session.pk}/modifier/", {**form, "edit-date": "2027-01-13T14:00"}
    )
    assert past.status_code == 400
    assert "La date de la séance doit être dans le futur." in past.content.decode()
    moved = client.post(
        f"/conseil/{session.pk}/modifier/", {**form, "edit-date": "2027-01-22T09:30"}
    )
    assert moved.status_code == 303
    session.refresh_from_db()
    assert session.location == "Roanne"
    assert timezone.localtime(session.date).strftime("%d %H:%M") == "22 09:30"
    assert session.changes.count() == 1
