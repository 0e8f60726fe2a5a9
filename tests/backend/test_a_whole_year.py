"""A whole year of a territory project, through the API, with time travel: actions scheduled,
the agenda published (its iCalendar invitation parsed back), decisions of every outcome, an
evaluation falling due by itself, reported, validated, and the action closed."""

import datetime

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from backend.actions.models import Action
from backend.evaluations.transitions import mark_due
from notifications.delivery.sweep import sweep
from tests import factories

pytestmark = pytest.mark.django_db
PARIS = timezone.get_fixed_timezone(60)


def at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_a_whole_year(api, time_machine, project, secretary, manager, social_worker, territory):
    time_machine.move_to(at(2027, 1, 4), tick=False)
    member = factories.ContactFactory(email="presidente@example.org")
    titles = ["Saint-Julien", "Mulsant", "Vacances", "Montreynaud"]
    actions = []
    for title in titles:
        action = factories.ActionFactory(
            project=project,
            title=title,
            planned_end=datetime.date(2027, 6, 30),
            social_worker=social_worker,
        )
        factories.RoleFactory(
            action=action, organisation=factories.OrganisationFactory(territories=[territory])
        )
        Action.objects.filter(pk=action.pk).update(state="ready_for_board")
        actions.append(action)

    def board():
        return api.as_user(secretary)  # one client: switch its credentials before each call

    session = (
        board()
        .post(
            "/api/v1/board-sessions/",
            {
                "date": at(2027, 2, 11, 14).isoformat(),
                "title": "Conseil de février",
                "location": "Saint-Étienne",
                "members": [member.pk],
            },
            format="json",
        )
        .data
    )
    url = f"/api/v1/board-sessions/{session['id']}/"
    for action in actions:
        scheduled = api.as_user(manager).post(url + "agenda/", {"action": action.pk})
        assert scheduled.status_code == 200, scheduled.data

    assert board().post(url + "transitions/publish_agenda/").status_code == 200
    sweep()
    [invitation] = [m for m in mail.outbox if member.email in m.to]
    [(_name, content, _mimetype)] = invitation.attachments
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == at(2027, 2, 11, 14)
    assert all(title in str(event["DESCRIPTION"]) for title in titles)
    ics = board().get(url + "ics/")
    assert ics.status_code == 200 and b"BEGIN:VEVENT" in ics.content

    time_machine.move_to(at(2027, 2, 11, 15), tick=False)
    assert board().post(url + "transitions/hold/").status_code == 200
    decided = board().post(
        url + "decisions/",
        [
            {"action": actions[0].pk, "outcome": "approved", "reference": "2027-101"},
            {
                "action": actions[1].pk,
                "outcome": "approved_with_conditions",
                "reference": "2027-102",
                "conditions": "Associer le conseil citoyen",
            },
            {
                "action": actions[2].pk,
                "outcome": "rejected",
                "reference": "2027-103",
                "conditions": "Hors du champ du projet",
            },
            {"action": actions[3].pk, "outcome": "deferred", "reference": "2027-104"},
        ],
        format="json",
    )
    assert decided.status_code == 201, decided.data
    states = [Action.objects.get(pk=a.pk).state for a in actions]
    assert states == ["approved", "approved", "rejected", "ready_for_board"]
    assert board().post(url + "transitions/close/").data["state"] == "closed"

    # The approved action is carried out, then its evaluation falls due by itself.
    approved = actions[0]

    def worker():
        return api.as_user(social_worker)

    worker().post(f"/api/v1/actions/{approved.pk}/transitions/start/")
    evaluation = worker().get(f"/api/v1/evaluations/?action={approved.pk}").data["results"][0]
    assert evaluation["due_date"] == "2027-07-30"
    worker().patch(
        f"/api/v1/evaluations/{evaluation['id']}/",
        {"indicators": [{"label": "Habitants aux ateliers", "target": "40", "unit": "habitants"}]},
        format="json",
    )
    time_machine.move_to(at(2027, 7, 30, 9), tick=False)
    assert mark_due() >= 1
    assert Action.objects.get(pk=approved.pk).state == "evaluation"

    indicator = worker().get(f"/api/v1/evaluations/{evaluation['id']}/").data["indicators"][0]
    reported = worker().post(
        f"/api/v1/evaluations/{evaluation['id']}/report/",
        {"results": [{"indicator": indicator["id"], "result": "46"}], "participants": 46},
        format="json",
    )
    assert reported.status_code == 200, reported.data

    def manager_client():
        return api.as_user(manager)

    validate = manager_client().post(
        f"/api/v1/evaluations/{evaluation['id']}/transitions/validate/"
    )
    assert validate.data["state"] == "validated"
    closed = manager_client().post(f"/api/v1/actions/{approved.pk}/transitions/close/")
    assert closed.data["state"] == "closed"
    history = worker().get(f"/api/v1/actions/{approved.pk}/history/").data
    assert [h["transition"] for h in history if h["subject"] == "action"] == [
        "schedule",
        "approve",
        "start",
        "evaluate",
        "close",
    ]
    evaluation_steps = [h["transition"] for h in history if h["subject"].startswith("evaluation")]
    assert evaluation_steps == ["fall_due", "submit_report", "validate"]
