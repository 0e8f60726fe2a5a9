"""Every action transition through the API: allowed and refused, with the reason."""

import datetime

import pytest
from django.utils import timezone

from backend.accounts.models import StaffRole
from backend.actions.models import Action
from backend.evaluations.models import Evaluation
from tests import factories
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db


def fire(api, user, action, name, **body):
    return api.as_user(user).post(f"/api/v1/actions/{action.pk}/transitions/{name}/", body)


def move(action, state):
    """Put an action in a state for a test (bypassing the workflow on purpose)."""
    Action.objects.filter(pk=action.pk).update(state=state)
    action.refresh_from_db()
    return action


def test_submit_opens_the_consultation_and_invites_roles(api, social_worker, action, pilot):
    response = fire(api, social_worker, action, "submit", comment="C'est parti")
    assert response.status_code == 200, response.data
    assert response.data["state"] == "consultation"
    assert [r["state"] for r in response.data["roles"]] == ["invited"]
    assert response.data["roles"][0]["invited_at"] is not None
    log = TransitionLog.objects.get(action=action, transition="submit")
    assert (log.source, log.target, log.actor, log.comment) == (
        "draft",
        "consultation",
        social_worker,
        "C'est parti",
    )


def test_submit_without_a_pilot_is_refused_with_the_reason(api, social_worker, action):
    response = fire(api, social_worker, action, "submit")
    assert response.status_code == 409
    assert "pilote" in response.data["detail"]
    assert not TransitionLog.objects.filter(action=action).exists()


def test_submit_sets_a_default_deadline_of_ten_business_days(api, social_worker, action, pilot):
    Action.objects.filter(pk=action.pk).update(consultation_deadline=None)
    response = fire(api, social_worker, action, "submit")
    assert response.status_code == 200
    deadline = datetime.date.fromisoformat(response.data["consultation_deadline"])
    assert deadline - timezone.localdate() >= datetime.timedelta(days=14)


def test_submit_with_a_past_deadline_is_refused(api, social_worker, action, pilot):
    Action.objects.filter(pk=action.pk).update(
        consultation_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    response = fire(api, social_worker, action, "submit")
    assert response.status_code == 409
    assert "date limite" in response.data["detail"]


def test_board_secretary_may_not_submit(api, secretary, action, pilot):
    response = fire(api, secretary, action, "submit")
    assert response.status_code == 403
    assert "rôle" in response.data["detail"]


def test_staff_of_another_territory_do_not_see_the_action(api, make_staff, other_territory, action):
    stranger = make_staff(StaffRole.TERRITORY_MANAGER, territories=[other_territory])
    assert fire(api, stranger, action, "submit").status_code == 404
    assert api.get(f"/api/v1/actions/{action.pk}/").status_code == 404


def test_director_acts_in_every_territory(api, director, action, pilot):
    assert fire(api, director, action, "submit").status_code == 200


def test_revise_goes_back_to_draft(api, manager, action, pilot):
    fire(api, manager, action, "submit")
    response = fire(api, manager, action, "revise", comment="À retravailler")
    assert response.status_code == 200
    assert response.data["state"] == "draft"


def test_complete_consultation_needs_every_role_accepted(api, social_worker, action, pilot):
    fire(api, social_worker, action, "submit")
    refused = fire(api, social_worker, action, "complete_consultation")
    assert refused.status_code == 409
    assert "accepté" in refused.data["detail"]
    pilot.refresh_from_db()
    pilot.accept()
    pilot.save()
    response = fire(api, social_worker, action, "complete_consultation")
    assert response.status_code == 200
    assert response.data["state"] == "ready_for_board"


def test_schedule_needs_a_planned_future_session(api, manager, action):
    move(action, "ready_for_board")
    no_session = fire(api, manager, action, "schedule")
    assert no_session.status_code == 409
    assert "séance" in no_session.data["detail"]

    past = factories.BoardSessionFactory(date=timezone.now() - datetime.timedelta(days=1))
    future = factories.BoardSessionFactory()
    missing = fire(api, manager, action, "schedule")
    assert missing.status_code == 400
    assert "board_session" in missing.data
    too_late = fire(api, manager, action, "schedule", board_session=past.pk)
    assert too_late.status_code == 400
    unknown = fire(api, manager, action, "schedule", board_session=999999)
    assert unknown.status_code == 400

    response = fire(api, manager, action, "schedule", board_session=future.pk)
    assert response.status_code == 200
    assert response.data["state"] == "scheduled"
    assert response.data["board_session"] == future.pk


def test_board_outcomes_are_not_fired_through_transitions(api, secretary, action):
    move(action, "scheduled")
    for name in ("approve", "reject", "defer"):
        response = fire(api, secretary, action, name)
        assert response.status_code == 409
        assert "décision" in response.data["detail"]
    action.refresh_from_db()
    assert action.state == "scheduled"


def test_start_and_evaluate(api, social_worker, action):
    move(action, "approved")
    assert fire(api, social_worker, action, "start").data["state"] == "in_progress"
    assert fire(api, social_worker, action, "evaluate").data["state"] == "evaluation"


def test_close_needs_a_validated_evaluation_report(api, manager, social_worker, action):
    move(action, "evaluation")
    refused = fire(api, manager, action, "close")
    assert refused.status_code == 409
    assert "évaluation" in refused.data["detail"]
    Evaluation.objects.create(action=action, due_date=timezone.localdate(), state="submitted")
    assert fire(api, manager, action, "close").status_code == 409  # submitted, not validated
    Evaluation.objects.filter(action=action).update(state="validated")
    assert fire(api, social_worker, action, "close").status_code == 403  # manager only
    assert fire(api, manager, action, "close").data["state"] == "closed"


def test_withdraw_needs_a_comment(api, social_worker, action):
    missing = fire(api, social_worker, action, "withdraw")
    assert missing.status_code == 400
    assert "comment" in missing.data
    response = fire(api, social_worker, action, "withdraw", comment="Le partenaire s'est retiré")
    assert response.status_code == 200
    assert response.data["state"] == "withdrawn"


def test_withdraw_is_not_possible_once_closed(api, manager, action):
    move(action, "closed")
    response = fire(api, manager, action, "withdraw", comment="trop tard")
    assert response.status_code == 409
    assert "clôturée" in response.data["detail"]


def test_unknown_transition_is_404(api, social_worker, action):
    assert fire(api, social_worker, action, "explode").status_code == 404


def test_transitions_list_says_what_is_allowed_and_why_not(api, social_worker, action, pilot):
    response = api.as_user(social_worker).get(f"/api/v1/actions/{action.pk}/transitions/")
    assert response.status_code == 200
    by_name = {row["name"]: row for row in response.data}
    assert set(by_name) == {
        "submit",
        "revise",
        "complete_consultation",
        "schedule",
        "start",
        "evaluate",
        "close",
        "withdraw",
    }
    assert by_name["submit"] == {
        "name": "submit",
        "target": "consultation",
        "allowed": True,
        "reason": "",
    }
    assert by_name["start"]["allowed"] is False
    assert "brouillon" in by_name["start"]["reason"]


def test_transitions_list_explains_a_role_refusal(api, secretary, action, pilot):
    response = api.as_user(secretary).get(f"/api/v1/actions/{action.pk}/transitions/")
    submit = next(row for row in response.data if row["name"] == "submit")
    assert submit["allowed"] is False
    assert "rôle" in submit["reason"]


def test_history_lists_every_change_oldest_first(api, social_worker, action, pilot):
    fire(api, social_worker, action, "submit", comment="ouverture")
    fire(api, social_worker, action, "revise", comment="à revoir")
    response = api.as_user(social_worker).get(f"/api/v1/actions/{action.pk}/history/")
    assert response.status_code == 200
    rows = [(r["transition"], r["source"], r["target"], r["subject"]) for r in response.data]
    assert rows == [
        ("submit", "draft", "consultation", "action"),
        ("invite", "proposed", "invited", f"role:{pilot.pk}"),
        ("revise", "consultation", "draft", "action"),
        ("withdraw_invitation", "invited", "proposed", f"role:{pilot.pk}"),
    ]
    assert response.data[0]["actor"] == social_worker.get_full_name()
    assert response.data[0]["comment"] == "ouverture"


def test_refusals_are_in_english_on_request(api, secretary, action, pilot):
    response = api.as_user(secretary).post(
        f"/api/v1/actions/{action.pk}/transitions/submit/", {}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert "role" in response.data["detail"]
    assert "rôle" not in response.data["detail"]
