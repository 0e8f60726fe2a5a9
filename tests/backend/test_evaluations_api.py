"""Evaluation: planned at approval, falls due by itself, reported, validated, action closed."""

import datetime

import pytest
from django.utils import timezone

from backend.actions.models import Action
from backend.actions.transitions import approve_action, start_action
from backend.evaluations.models import Evaluation
from backend.evaluations.plans import default_due_date
from backend.evaluations.transitions import mark_due
from tests import factories
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(action, pilot, secretary, social_worker):
    Action.objects.filter(pk=action.pk).update(
        state="scheduled", planned_end=datetime.date(2027, 6, 30), social_worker=social_worker
    )
    pilot.invite()
    pilot.accept()
    pilot.save()
    action.refresh_from_db()
    return approve_action(action, actor=secretary)


def plan(api, user, evaluation, **body):
    return api.as_user(user).patch(f"/api/v1/evaluations/{evaluation.pk}/", body, format="json")


INDICATORS = [
    {"label": "Familles parties en vacances", "baseline": "0", "target": "12", "unit": "familles"},
    {"label": "Rencontres du groupe de parents", "target": "8", "unit": "séances"},
]


def test_approval_plans_the_evaluation(approved, pilot, social_worker):
    evaluation = Evaluation.objects.get(action=approved)
    assert evaluation.state == "planned"
    assert evaluation.due_date == datetime.date(2027, 7, 30)  # planned end + one month
    assert evaluation.reporting_role == pilot and evaluation.reporting_staff == social_worker


def test_default_due_date_rolls_over_the_year_and_short_months():
    assert default_due_date(Action(planned_end=datetime.date(2027, 12, 31))) == datetime.date(
        2028, 1, 31
    )
    assert default_due_date(Action(planned_end=datetime.date(2028, 1, 31))) == datetime.date(
        2028, 2, 29
    )


def test_the_plan_gets_its_indicators(api, approved, social_worker, secretary):
    evaluation = approved.evaluation
    response = plan(api, social_worker, evaluation, indicators=INDICATORS, due_date="2027-09-15")
    assert response.status_code == 200, response.data
    assert [i["label"] for i in response.data["indicators"]] == [i["label"] for i in INDICATORS]
    assert response.data["due_date"] == "2027-09-15"
    assert plan(api, secretary, evaluation, indicators=[]).status_code == 403
    bad = plan(api, social_worker, evaluation, indicators=[{"label": "x", "target": "beaucoup"}])
    assert bad.status_code == 400


def test_whole_evaluation_life(api, approved, social_worker, manager, time_machine):
    evaluation = approved.evaluation
    plan(api, social_worker, evaluation, indicators=INDICATORS)
    start_action(approved, actor=social_worker)
    assert mark_due(today=evaluation.due_date - datetime.timedelta(days=1)) == 0
    time_machine.move_to(
        datetime.datetime(2027, 7, 30, 9, 0, tzinfo=timezone.get_current_timezone())
    )
    assert mark_due() == 1
    assert mark_due() == 0  # once only
    evaluation.refresh_from_db()
    approved.refresh_from_db()
    assert (evaluation.state, approved.state) == ("due", "evaluation")
    assert TransitionLog.objects.get(action=approved, transition="evaluate").automatic

    ids = [i.pk for i in evaluation.indicators.all()]
    client = api.as_user(social_worker)
    missing = client.post(
        f"/api/v1/evaluations/{evaluation.pk}/report/",
        {"results": [{"indicator": ids[0], "result": "10"}]},
        format="json",
    )
    assert missing.status_code == 400 and "Rencontres" in str(missing.data["results"])
    wrong_type = client.post(
        f"/api/v1/evaluations/{evaluation.pk}/report/",
        {"results": [{"indicator": ids[0], "result": "dix"}, {"indicator": ids[1], "result": 6}]},
        format="json",
    )
    assert wrong_type.status_code == 400
    evaluation.refresh_from_db()
    assert evaluation.state == "due" and not evaluation.indicators.filter(result__isnull=False)

    report = client.post(
        f"/api/v1/evaluations/{evaluation.pk}/report/",
        {
            "results": [{"indicator": ids[0], "result": "10"}, {"indicator": ids[1], "result": 6}],
            "participants": 34,
            "residents_involved": "Deux mères ont co-animé le groupe.",
            "what_worked": "Le départ groupé",
            "what_to_change": "Commencer plus tôt",
        },
        format="json",
    )
    assert report.status_code == 200, report.data
    assert report.data["state"] == "submitted"
    assert [i["result"] for i in report.data["indicators"]] == ["10.00", "6.00"]
    again = client.post(
        f"/api/v1/evaluations/{evaluation.pk}/report/",
        {"results": [{"indicator": ids[0], "result": "1"}, {"indicator": ids[1], "result": 1}]},
        format="json",
    )
    assert again.status_code == 409

    assert client.post(f"/api/v1/actions/{approved.pk}/transitions/close/").status_code == 403
    refused = api.as_user(manager).post(f"/api/v1/actions/{approved.pk}/transitions/close/")
    assert refused.status_code == 409  # not validated yet
    validated = api.as_user(manager).post(
        f"/api/v1/evaluations/{evaluation.pk}/transitions/validate/"
    )
    assert validated.status_code == 200 and validated.data["state"] == "validated"
    closed = api.as_user(manager).post(f"/api/v1/actions/{approved.pk}/transitions/close/")
    assert closed.status_code == 200 and closed.data["state"] == "closed"


def test_evaluations_are_listed_by_action_and_territory(api, approved, director, other_territory):
    client = api.as_user(director)
    assert client.get(f"/api/v1/evaluations/?action={approved.pk}").data["count"] == 1
    outsider = factories.StaffFactory(role="territory_manager", territories=[other_territory])
    assert api.as_user(outsider).get("/api/v1/evaluations/").data["count"] == 0
