"""Board sessions through the API: agenda, publication, holding, decisions, closing."""

import datetime

import pytest
from django.utils import timezone

from backend.actions.models import Action
from backend.board.models import BoardDecision
from tests import factories
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db
SESSION_DAY = datetime.datetime(2027, 1, 14, 14, 0, tzinfo=timezone.get_fixed_timezone(60))


@pytest.fixture(autouse=True)
def _before_the_session(time_machine):
    time_machine.move_to(SESSION_DAY - datetime.timedelta(days=20), tick=False)


def ready(project, title):
    action = factories.ActionFactory(project=project, title=title)
    Action.objects.filter(pk=action.pk).update(state="ready_for_board")
    action.refresh_from_db()
    return action


@pytest.fixture
def session(api, secretary):
    response = api.as_user(secretary).post(
        "/api/v1/board-sessions/",
        {
            "date": SESSION_DAY.isoformat(),
            "title": "Conseil de janvier",
            "location": "Saint-Étienne",
        },
    )
    assert response.status_code == 201, response.data
    return response.data


@pytest.fixture
def agenda(api, session, project, manager):
    actions = [ready(project, t) for t in ("Saint-Julien", "Mulsant", "Vacances")]
    client = api.as_user(manager)
    for action in actions:
        response = client.post(
            f"/api/v1/board-sessions/{session['id']}/agenda/", {"action": action.pk}
        )
        assert response.status_code == 200, response.data
    return actions


def url(session, tail=""):
    return f"/api/v1/board-sessions/{session['id']}/{tail}"


def hold(api, secretary, session, time_machine):
    client = api.as_user(secretary)
    assert client.post(url(session, "transitions/publish_agenda/")).status_code == 200
    time_machine.move_to(SESSION_DAY, tick=False)
    assert client.post(url(session, "transitions/hold/")).status_code == 200
    return client


def test_scheduling_builds_the_agenda(api, session, agenda, secretary):
    data = api.as_user(secretary).get(url(session)).data
    assert [(i["position"], i["title"]) for i in data["agenda"]] == [
        (1, "Saint-Julien"),
        (2, "Mulsant"),
        (3, "Vacances"),
    ]
    assert {a.state for a in Action.objects.filter(pk__in=[a.pk for a in agenda])} == {"scheduled"}


def test_reorder_and_remove(api, session, agenda, secretary):
    client = api.as_user(secretary)
    items = [i["id"] for i in client.get(url(session)).data["agenda"]]
    reordered = client.put(url(session, "agenda/"), {"order": items[::-1]})
    assert [i["title"] for i in reordered.data["agenda"]] == ["Vacances", "Mulsant", "Saint-Julien"]
    assert client.put(url(session, "agenda/"), {"order": items[:2]}).status_code == 400
    removed = client.delete(url(session, f"agenda/{items[1]}/"))
    assert removed.status_code == 200
    assert [(i["position"], i["title"]) for i in removed.data["agenda"]] == [
        (1, "Vacances"),
        (2, "Saint-Julien"),
    ]
    agenda[1].refresh_from_db()
    assert agenda[1].state == "ready_for_board" and agenda[1].board_session is None


def test_an_empty_agenda_cannot_be_published(api, session, secretary):
    response = api.as_user(secretary).post(url(session, "transitions/publish_agenda/"))
    assert response.status_code == 409
    assert "vide" in response.data["detail"]


def test_a_session_is_held_on_its_day_not_before(api, session, agenda, secretary, time_machine):
    client = api.as_user(secretary)
    client.post(url(session, "transitions/publish_agenda/"))
    early = client.post(url(session, "transitions/hold/"))
    assert early.status_code == 409
    time_machine.move_to(SESSION_DAY, tick=False)
    assert client.post(url(session, "transitions/hold/")).data["state"] == "held"


def test_the_agenda_is_frozen_once_published(api, session, agenda, secretary, project):
    client = api.as_user(secretary)
    client.post(url(session, "transitions/publish_agenda/"))
    late = ready(project, "Trop tard")
    response = client.post(url(session, "agenda/"), {"action": late.pk})
    assert response.status_code == 409  # the session no longer takes actions


def test_decisions_of_every_outcome_in_one_request(api, session, agenda, secretary, time_machine):
    client = hold(api, secretary, session, time_machine)
    response = client.post(
        url(session, "decisions/"),
        [
            {"action": agenda[0].pk, "outcome": "approved", "reference": "2027-001"},
            {
                "action": agenda[1].pk,
                "outcome": "approved_with_conditions",
                "reference": "2027-002",
                "conditions": "Associer le conseil citoyen",
            },
            {"action": agenda[2].pk, "outcome": "deferred", "reference": "2027-003"},
        ],
        format="json",
    )
    assert response.status_code == 201, response.data
    states = [Action.objects.get(pk=a.pk).state for a in agenda]
    assert states == ["approved", "approved", "ready_for_board"]
    kept = BoardDecision.objects.get(reference="2027-002")
    assert kept.conditions == "Associer le conseil citoyen" and kept.year == 2027
    log = TransitionLog.objects.get(action=agenda[1], transition="approve")
    assert "2027-002" in log.comment and log.actor == secretary
    closed = client.post(url(session, "transitions/close/"))
    assert closed.status_code == 200 and closed.data["state"] == "closed"


def test_a_batch_with_one_bad_decision_writes_nothing(
    api, session, agenda, secretary, time_machine
):
    client = hold(api, secretary, session, time_machine)
    response = client.post(
        url(session, "decisions/"),
        [
            {"action": agenda[0].pk, "outcome": "approved", "reference": "2027-010"},
            {"action": agenda[1].pk, "outcome": "rejected", "reference": "2027-011"},  # no reason
        ],
        format="json",
    )
    assert response.status_code == 400
    assert "decisions[1].conditions" in response.data
    assert not BoardDecision.objects.exists()
    assert Action.objects.get(pk=agenda[0].pk).state == "scheduled"


def test_decision_refusals(api, session, agenda, secretary, social_worker, project, time_machine):
    client = api.as_user(secretary)
    early = client.post(
        url(session, "decisions/"),
        {"action": agenda[0].pk, "outcome": "approved", "reference": "2027-020"},
    )
    assert early.status_code == 409  # not held yet
    hold(api, secretary, session, time_machine)
    elsewhere = ready(project, "Pas à l'ordre du jour")
    off_agenda = client.post(
        url(session, "decisions/"),
        {"action": elsewhere.pk, "outcome": "approved", "reference": "2027-021"},
    )
    assert off_agenda.status_code == 400 and "action" in off_agenda.data
    ok = client.post(
        url(session, "decisions/"),
        {
            "action": agenda[0].pk,
            "outcome": "rejected",
            "reference": "2027-022",
            "conditions": "Budget",
        },
    )
    assert ok.status_code == 201
    duplicate = client.post(
        url(session, "decisions/"),
        {"action": agenda[1].pk, "outcome": "approved", "reference": "2027-022"},
    )
    assert duplicate.status_code == 400 and "reference" in duplicate.data
    worker = api.as_user(social_worker).post(
        url(session, "decisions/"),
        {"action": agenda[1].pk, "outcome": "approved", "reference": "2027-023"},
    )
    assert worker.status_code == 403
    bad = client.post(url(session, "decisions/"), {"action": agenda[1].pk, "outcome": "maybe"})
    assert bad.status_code == 400 and {"outcome", "reference"} <= set(bad.data)


def test_a_session_cannot_close_with_undecided_actions(
    api, session, agenda, secretary, time_machine
):
    client = hold(api, secretary, session, time_machine)
    response = client.post(url(session, "transitions/close/"))
    assert response.status_code == 409
    assert "3 actions" in response.data["detail"]


def test_the_project_of_the_year_goes_to_the_board(api, session, project, secretary, time_machine):
    client = api.as_user(secretary)
    added = client.post(url(session, "agenda/"), {"project": project.pk})
    assert added.status_code == 200, added.data
    project.refresh_from_db()
    assert project.state == "submitted"
    hold(api, secretary, session, time_machine)
    decided = client.post(
        url(session, "decisions/"),
        {"project": project.pk, "outcome": "approved", "reference": "2027-030"},
    )
    assert decided.status_code == 201, decided.data
    project.refresh_from_db()
    assert project.state == "approved"


def test_only_the_board_secretary_creates_sessions(api, manager):
    response = api.as_user(manager).post(
        "/api/v1/board-sessions/", {"date": SESSION_DAY.isoformat(), "title": "x"}
    )
    assert response.status_code == 403


def test_territory_staff_see_only_their_points(api, session, agenda, make_staff, other_territory):
    outsider = make_staff("territory_manager", territories=[other_territory])
    data = api.as_user(outsider).get(url(session)).data
    assert data["agenda"] == []
