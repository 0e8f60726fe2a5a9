"""Personal links under attack, what the other link tests leave out: tokens signed with another
key or for another purpose, links of roles withdrawn in every way, and a guesser hiding behind
a made-up X-Forwarded-For. (Tampering, revocation, expiry and the 429 itself are in
test_consultation_api.py, test_response_page.py and test_evaluation_report_link.py.)"""

import pytest
from django.core import signing
from django.core.cache import cache

from backend.actions import links as role_links
from backend.actions.models import RoleAssignment
from backend.actions.transitions import submit_action
from backend.evaluations import links as report_links
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the bad-link counters
    yield
    cache.clear()


@pytest.fixture
def invited(action, pilot, social_worker):
    """The pilot role, invited: its link works. ``social_worker`` is the action's (who may
    replace its partners' links)."""
    action.social_worker = social_worker
    action.save()
    submit_action(action, actor=social_worker)
    pilot.refresh_from_db()
    assert pilot.state == "invited"
    return pilot


def signed(role, *, salt=role_links.SALT, key=None) -> str:
    return signing.dumps([role.pk, role.link_nonce], salt=salt, key=key, compress=False)


def respond(api, token, **headers):
    return api.post(f"/api/v1/respond/{token}/", {"decision": "accept"}, **headers)


FORGED_TOKENS = {
    "signed with another secret key": lambda role: signed(role, key="une-autre-cle-secrete"),
    "signed for an evaluation report link": lambda role: signed(role, salt=report_links.SALT),
    "the payload without its signature": lambda role: signed(role).split(":")[0],
}


@pytest.mark.parametrize("forge", FORGED_TOKENS.values(), ids=FORGED_TOKENS.keys())
def test_a_forged_token_answers_nothing(api, invited, forge):
    factories.RoleFactory(action=invited.action, kind="funder")  # a neighbour to aim at
    assert respond(api, forge(invited)).status_code == 404
    assert set(RoleAssignment.objects.values_list("state", flat=True)) <= {"invited", "proposed"}


def test_a_consultation_token_is_no_evaluation_report_token(api, invited):
    token = role_links.token_for(invited)
    response = api.post(f"/api/v1/evaluations/report/{token}/", {"results": []}, format="json")
    assert response.status_code == 404


def _withdraw_by_post(api, role, staff):
    api.as_user(staff).post(f"/api/v1/roles/{role.pk}/withdraw/", {"comment": "Plus concerné"})


def _withdraw_by_delete(api, role, staff):
    api.as_user(staff).delete(f"/api/v1/roles/{role.pk}/")


def _revoke(api, role, staff):
    api.as_user(staff).post(f"/api/v1/roles/{role.pk}/revoke-link/")


def _withdraw_the_action(api, role, staff):
    response = api.as_user(staff).post(
        f"/api/v1/actions/{role.action_id}/transitions/withdraw/", {"comment": "Abandonnée"}
    )
    assert response.status_code == 200, response.data


@pytest.mark.parametrize(
    ("end_the_role", "status", "says"),
    [
        (_withdraw_by_post, 404, "révoqué"),
        (_withdraw_by_delete, 404, "révoqué"),
        (_revoke, 404, "révoqué"),
        (_withdraw_the_action, 409, "terminée"),
    ],
    ids=["role withdrawn", "role deleted", "link revoked", "action withdrawn"],
)
def test_a_link_dies_with_its_role(api, invited, social_worker, end_the_role, status, says):
    token = role_links.token_for(invited)
    end_the_role(api, invited, social_worker)
    api.credentials()  # the partner has no account
    response = respond(api, token, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == status
    assert says in response.json()["detail"]
    invited.refresh_from_db()
    assert invited.state != "accepted"


def test_a_made_up_forwarded_address_does_not_reset_the_bad_link_count(api, invited, settings):
    settings.BAD_LINK_LIMIT = 3
    for number in range(3):
        assert respond(api, "devine", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}").status_code == 404
    good = role_links.token_for(invited)
    assert respond(api, good, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429
