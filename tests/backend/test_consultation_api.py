"""Partner consultation through the API: personal links, answers, the automatic move."""

import datetime
import json

import pytest
import time_machine
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from backend.actions.links import token_for
from backend.actions.models import Action, RoleAssignment
from backend.actions.transitions import revise_action, submit_action
from backend.core.business_days import add_business_days
from tests import factories
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def consultation(action, pilot, organisation, territory, social_worker):
    """An action in consultation with two invited roles: the pilot and a funder."""
    funder_org = factories.OrganisationFactory(
        territories=[territory], name="Ville de Saint-Chamond"
    )
    factories.RoleFactory(
        action=action, organisation=funder_org, kind="funder", description="5 000 €"
    )
    submit_action(action, actor=social_worker)
    return action


def roles(action):
    return list(RoleAssignment.objects.filter(action=action).order_by("kind"))


def answer(api, role, decision, comment=""):
    return api.post(
        f"/api/v1/respond/{token_for(role)}/", {"decision": decision, "comment": comment}
    )


def test_a_partner_accepts_from_its_link(api, consultation):
    _funder, pilot = roles(consultation)
    response = answer(api, pilot, "accept", "Avec plaisir")
    assert response.status_code == 200, response.data
    pilot.refresh_from_db()
    assert pilot.state == "accepted"
    assert pilot.response_comment == "Avec plaisir"
    assert pilot.responded_at is not None
    log = TransitionLog.objects.get(transition="accept")
    assert log.action_id == consultation.pk
    assert pilot.contact.last_name in log.actor_label
    assert pilot.organisation.name in log.actor_label
    consultation.refresh_from_db()
    assert consultation.state == "consultation"  # the funder has not answered


def test_the_last_acceptance_moves_the_action_by_itself(api, consultation):
    funder, pilot = roles(consultation)
    answer(api, pilot, "accept")
    answer(api, funder, "accept")
    consultation.refresh_from_db()
    assert consultation.state == "ready_for_board"
    move = TransitionLog.objects.get(transition="complete_consultation")
    assert move.automatic and move.actor is None


def test_decline_and_change_requests_need_a_comment(api, consultation):
    funder, _ = roles(consultation)
    missing = answer(api, funder, "decline")
    assert missing.status_code == 400 and "comment" in missing.data
    funder.refresh_from_db()
    assert funder.state == "invited"
    changes = answer(api, funder, "request_changes", "Le montant doit être revu")
    assert changes.status_code == 200
    consultation.refresh_from_db()
    assert consultation.state == "consultation"
    summary = factories_client_summary(api, consultation)
    assert summary["changes_requested"] == 1 and summary["pending"] == 1


def factories_client_summary(api, action):
    viewer = factories.StaffFactory(role="director")
    return api.as_user(viewer).get(f"/api/v1/actions/{action.pk}/").data["consultation"]


def test_a_second_answer_on_the_same_link_is_refused(api, consultation):
    _, pilot = roles(consultation)
    token = token_for(pilot)
    first = api.post(f"/api/v1/respond/{token}/", {"decision": "accept"})
    second = api.post(f"/api/v1/respond/{token}/", {"decision": "decline", "comment": "Non"})
    assert first.status_code == 200
    assert second.status_code == 409
    pilot.refresh_from_db()
    assert pilot.state == "accepted"


def test_tampered_and_foreign_tokens_are_refused(api, consultation):
    funder, pilot = roles(consultation)
    token = token_for(pilot)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert api.post(f"/api/v1/respond/{tampered}/", {"decision": "accept"}).status_code == 404
    # the funder's id with the pilot's nonce and signature: the signature no longer matches
    payload = signing.b64_encode(json.dumps([funder.pk, pilot.link_nonce]).encode()).decode()
    forged = ":".join([payload, *token.split(":")[1:]])
    assert forged != token
    assert api.post(f"/api/v1/respond/{forged}/", {"decision": "accept"}).status_code == 404
    assert api.post("/api/v1/respond/n'importe-quoi/", {"decision": "accept"}).status_code == 404
    assert {r.state for r in roles(consultation)} == {"invited"}


def test_revoked_link_stops_working_and_a_new_one_replaces_it(api, consultation, social_worker):
    _, pilot = roles(consultation)
    # The action's social worker holds its partners' links (as does the territory manager).
    Action.objects.filter(pk=consultation.pk).update(social_worker=social_worker)
    old = token_for(pilot)
    client = api.as_user(social_worker)
    assert client.post(f"/api/v1/roles/{pilot.pk}/revoke-link/").status_code == 200
    new_url = client.get(f"/api/v1/roles/{pilot.pk}/link/").data["url"]
    client.credentials()
    assert api.post(f"/api/v1/respond/{old}/", {"decision": "accept"}).status_code == 404
    new = new_url.rstrip("/").rsplit("/", 1)[-1]
    assert new != old
    assert api.post(f"/api/v1/respond/{new}/", {"decision": "accept"}).status_code == 200


def test_links_die_when_the_action_goes_back_to_draft(api, consultation, social_worker):
    _, pilot = roles(consultation)
    token = token_for(pilot)
    revise_action(consultation, actor=social_worker)
    assert api.post(f"/api/v1/respond/{token}/", {"decision": "accept"}).status_code == 404
    pilot.refresh_from_db()
    assert pilot.state == "proposed"


def test_links_expire_thirty_days_after_the_deadline(api, consultation):
    _, pilot = roles(consultation)
    token = token_for(pilot)
    late = consultation.consultation_deadline + datetime.timedelta(days=31)
    with time_machine.travel(datetime.datetime.combine(late, datetime.time(10)), tick=False):
        response = api.post(f"/api/v1/respond/{token}/", {"decision": "accept"})
    assert response.status_code == 409
    assert "terminée" in response.data["detail"]


def test_repeated_bad_links_from_one_address_are_slowed_down(api, consultation, settings):
    settings.BAD_LINK_LIMIT = 5
    _, pilot = roles(consultation)
    for _ in range(5):
        assert api.post("/api/v1/respond/bad/", {"decision": "accept"}).status_code == 404
    assert api.post("/api/v1/respond/bad/", {"decision": "accept"}).status_code == 429
    # even a good link waits: the address is blocked for a while
    assert answer(api, pilot, "accept").status_code == 429


def test_amending_a_role_re_invites_the_partner(api, consultation, social_worker):
    funder, _ = roles(consultation)
    old = token_for(funder)
    answer(api, funder, "request_changes", "Plutôt 3 000 €")
    response = api.as_user(social_worker).patch(
        f"/api/v1/roles/{funder.pk}/", {"description": "3 000 €", "financial_commitment": "3000"}
    )
    assert response.status_code == 200
    assert response.data["state"] == "invited"
    funder.refresh_from_db()
    api.credentials()
    assert api.post(f"/api/v1/respond/{old}/", {"decision": "accept"}).status_code == 404
    assert answer(api, funder, "accept").status_code == 200


def test_a_partner_with_an_account_answers_its_own_roles_only(api, consultation):
    funder, pilot = roles(consultation)
    partner = factories.StaffFactory(role="", contact=pilot.contact)
    client = api.as_user(partner)
    assert (
        client.post(f"/api/v1/roles/{funder.pk}/respond/", {"decision": "accept"}).status_code
        == 404
    )
    response = client.post(f"/api/v1/roles/{pilot.pk}/respond/", {"decision": "accept"})
    assert response.status_code == 200, response.data
    assert response.data["state"] == "accepted"
    assert client.get("/api/v1/actions/").status_code == 403  # partners are not staff


def test_staff_cannot_answer_for_a_partner(api, consultation, social_worker):
    _, pilot = roles(consultation)
    response = api.as_user(social_worker).post(
        f"/api/v1/roles/{pilot.pk}/respond/", {"decision": "accept"}
    )
    assert response.status_code == 403


def test_consultation_summary_and_overdue_filter(api, consultation, director):
    _, pilot = roles(consultation)
    answer(api, pilot, "accept")
    client = api.as_user(director)
    summary = client.get(f"/api/v1/actions/{consultation.pk}/").data["consultation"]
    assert summary["total"] == 2 and summary["accepted"] == 1 and summary["pending"] == 1
    assert summary["days_left"] > 0 and summary["overdue"] is False
    Action.objects.filter(pk=consultation.pk).update(
        consultation_deadline=timezone.localdate() - datetime.timedelta(days=2)
    )
    summary = client.get(f"/api/v1/actions/{consultation.pk}/").data["consultation"]
    assert summary["overdue"] is True and summary["days_left"] == -2
    overdue = client.get("/api/v1/actions/?overdue=true").data["results"]
    assert [a["id"] for a in overdue] == [consultation.pk]


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        ("2026-11-06", 3, "2026-11-12"),  # Friday; Armistice day (Wed 11) skipped
        ("2026-12-22", 3, "2026-12-28"),  # Christmas and the weekend skipped
        ("2026-12-18", 10, "2027-01-05"),  # Christmas and New Year's day
        ("2027-01-05", -10, "2026-12-18"),
    ],
)
def test_business_days_skip_weekends_and_french_holidays(start, count, expected):
    start = datetime.date.fromisoformat(start)
    assert add_business_days(start, count) == datetime.date.fromisoformat(expected)


def test_default_deadline_across_christmas(api, action, pilot, social_worker):
    Action.objects.filter(pk=action.pk).update(consultation_deadline=None)
    with time_machine.travel(datetime.datetime(2026, 12, 18, 9, 0), tick=False):
        response = api.as_user(social_worker).post(
            f"/api/v1/actions/{action.pk}/transitions/submit/", {}
        )
    assert response.status_code == 200, response.data
    assert response.data["consultation_deadline"] == "2027-01-05"


def test_submit_needs_a_contact_on_every_role(api, action, pilot, social_worker, territory):
    org = factories.OrganisationFactory(territories=[territory])
    factories.RoleFactory(action=action, organisation=org, contact=None, kind="host")
    response = api.as_user(social_worker).post(f"/api/v1/actions/{action.pk}/transitions/submit/")
    assert response.status_code == 409
    assert "interlocuteur" in response.data["detail"]
