"""Moving and cancelling a board session through the API: dates only in the future, no move
once held, ``cancel`` with its reason sending the actions back to ready_for_board, logged."""

import datetime

import pytest
from django.utils import timezone

from backend.actions.models import Action
from backend.board.models import BoardSession
from notifications.delivery.sweep import sweep
from notifications.models import Kind, Notification
from tests import factories

pytestmark = pytest.mark.django_db
PARIS = timezone.get_fixed_timezone(60)
SESSION_DAY = datetime.datetime(2027, 1, 14, 14, 0, tzinfo=PARIS)
NOW = SESSION_DAY - datetime.timedelta(days=20)


@pytest.fixture(autouse=True)
def _before_the_session(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def session(db):
    return factories.BoardSessionFactory(date=SESSION_DAY, title="Conseil de janvier")


def url(session, tail=""):
    return f"/api/v1/board-sessions/{session.pk}/{tail}"


@pytest.fixture
def scheduled(api, session, project, manager):
    actions = []
    for title in ("Saint-Julien", "Mulsant"):
        action = factories.ActionFactory(project=project, title=title)
        Action.objects.filter(pk=action.pk).update(state="ready_for_board")
        response = api.as_user(manager).post(url(session, "agenda/"), {"action": action.pk})
        assert response.status_code == 200, response.data
        actions.append(action)
    return actions


# --- dates ------------------------------------------------------------------------------------


def test_no_session_is_planned_in_the_past(api, secretary):
    client = api.as_user(secretary)
    yesterday = NOW - datetime.timedelta(days=1)
    response = client.post(
        "/api/v1/board-sessions/", {"date": yesterday.isoformat(), "title": "Trop tard"}
    )
    assert response.status_code == 400
    assert response.data["date"] == ["La date de la séance doit être dans le futur."]
    english = client.post(
        "/api/v1/board-sessions/",
        {"date": yesterday.isoformat(), "title": "Too late"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.status_code == 400
    assert english.data["date"] == ["The session's date must be in the future."]
    assert not BoardSession.objects.exists()
    later_today = NOW + datetime.timedelta(hours=3)
    ok = client.post(
        "/api/v1/board-sessions/", {"date": later_today.isoformat(), "title": "Ce soir"}
    )
    assert ok.status_code == 201, ok.data


def test_no_session_is_moved_into_the_past(api, secretary, session):
    client = api.as_user(secretary)
    response = client.patch(
        url(session), {"date": (NOW - datetime.timedelta(hours=1)).isoformat()}, format="json"
    )
    assert response.status_code == 400 and "date" in response.data
    session.refresh_from_db()
    assert session.date == SESSION_DAY and not session.changes.exists()
    # the title of a session whose date has passed may still be corrected
    BoardSession.objects.filter(pk=session.pk).update(date=NOW - datetime.timedelta(days=2))
    assert client.patch(url(session), {"title": "Conseil"}, format="json").status_code == 200


def test_a_held_session_no_longer_moves(api, secretary, session, scheduled, time_machine):
    client = api.as_user(secretary)
    assert client.post(url(session, "transitions/publish_agenda/")).status_code == 200
    time_machine.move_to(SESSION_DAY - datetime.timedelta(hours=1), tick=False)
    assert client.post(url(session, "transitions/hold/")).status_code == 200
    moved = client.patch(url(session), {"location": "Roanne"}, format="json")
    assert moved.status_code == 409
    assert "ne changent plus" in moved.data["detail"]


def test_a_move_before_publication_sends_nothing(api, secretary, session, scheduled):
    response = api.as_user(secretary).patch(url(session), {"location": "Roanne"}, format="json")
    assert response.status_code == 200
    assert session.changes.count() == 1  # recorded (the calendar's SEQUENCE counts it)
    assert not Notification.objects.filter(kind=Kind.SESSION_MOVED).exists()


# --- cancel -----------------------------------------------------------------------------------


def test_cancel_needs_a_reason(api, secretary, session, scheduled):
    response = api.as_user(secretary).post(url(session, "transitions/cancel/"), {})
    assert response.status_code == 400
    assert "comment" in response.data
    session.refresh_from_db()
    assert session.state == "planned"


@pytest.mark.parametrize("published", [False, True])
def test_cancel_sends_the_actions_back_with_their_history(
    api, secretary, manager, session, scheduled, published
):
    client = api.as_user(secretary)
    if published:
        assert client.post(url(session, "transitions/publish_agenda/")).status_code == 200
        assert sweep().sent  # the agenda left: its recipients will hear of the cancellation
    response = client.post(
        url(session, "transitions/cancel/"), {"comment": "Salle indisponible"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["state"] == "cancelled"
    assert len(response.data["agenda"]) == 2  # the record of what it was to examine
    for action in scheduled:
        action.refresh_from_db()
        assert (action.state, action.board_session_id) == ("ready_for_board", None)
        history = api.as_user(manager).get(f"/api/v1/actions/{action.pk}/history/").data
        last = history[-1]
        assert (last["transition"], last["source"], last["target"]) == (
            "unschedule",
            "scheduled",
            "ready_for_board",
        )
        assert last["comment"] == "Salle indisponible"
    # the actions can go on another session
    other = factories.BoardSessionFactory(date=SESSION_DAY + datetime.timedelta(days=7))
    again = api.as_user(manager).post(
        f"/api/v1/board-sessions/{other.pk}/agenda/", {"action": scheduled[0].pk}
    )
    assert again.status_code == 200
    cancelled = Notification.objects.filter(kind=Kind.SESSION_CANCELLED)
    agenda = Notification.objects.filter(kind=Kind.AGENDA_PUBLISHED)
    assert {r.recipient_key for r in cancelled} == {r.recipient_key for r in agenda}
    assert cancelled.exists() == published  # before publication, nobody was convened


def test_an_agenda_not_sent_yet_is_not_sent_once_cancelled(api, secretary, session, scheduled):
    client = api.as_user(secretary)
    client.post(url(session, "transitions/publish_agenda/"))
    client.post(url(session, "transitions/cancel/"), {"comment": "Erreur"}, format="json")
    assert sweep().sent == 0
    assert set(Notification.objects.values_list("status", flat=True)) == {"cancelled"}


def test_cancel_is_the_secretary_s_and_only_before_the_session(
    api, secretary, social_worker, session, scheduled, time_machine
):
    forbidden = api.as_user(social_worker).post(
        url(session, "transitions/cancel/"), {"comment": "Non"}, format="json"
    )
    assert forbidden.status_code == 403
    client = api.as_user(secretary)
    client.post(url(session, "transitions/publish_agenda/"))
    time_machine.move_to(SESSION_DAY, tick=False)
    client.post(url(session, "transitions/hold/"))
    late = client.post(url(session, "transitions/cancel/"), {"comment": "Trop tard"}, format="json")
    assert late.status_code == 409


def test_a_move_reaches_those_who_received_the_agenda_only(api, secretary, session, scheduled):
    client = api.as_user(secretary)
    client.post(url(session, "transitions/publish_agenda/"))
    client.patch(url(session), {"location": "Roanne"}, format="json")
    # the agenda has not left yet: it will carry the new place, nothing else to send
    assert not Notification.objects.filter(kind=Kind.SESSION_MOVED).exists()
    assert sweep().sent
    client.patch(url(session), {"location": "Montbrison"}, format="json")
    moved = Notification.objects.filter(kind=Kind.SESSION_MOVED)
    agenda = Notification.objects.filter(kind=Kind.AGENDA_PUBLISHED)
    assert {r.recipient_key for r in moved} == {r.recipient_key for r in agenda}
