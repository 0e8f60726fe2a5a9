"""Who may read or replace a partner's personal link (whoever holds it can answer as the
partner): the action's social worker, the territory manager, the director and administrators.
The board secretary and the territory's other social workers may not. Every read, and every
replacement, is written in the action's history without changing the role."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from backend.accounts.models import StaffRole, User
from backend.accounts.tokens import issue_token
from backend.actions.links import token_for
from backend.actions.models import RoleAssignment
from backend.actions.transitions import submit_action
from tests import factories

pytestmark = pytest.mark.django_db

WHO = (
    "the action's social worker",
    "another social worker of the territory",
    "the territory manager",
    "the board secretary",
    "the director",
    "an administrator",
    "a social worker of another territory",
    "the partner's own account",
    "nobody",
)
# GET roles/{id}/link/ and POST roles/{id}/revoke-link/: the same status for both.
EXPECTED = dict(
    zip(WHO, (200, 403, 200, 403, 200, 200, 404, 403, 401), strict=True),
)
MAY_HOLD = {who for who, status in EXPECTED.items() if status == 200}


@pytest.fixture
def people(make_staff, social_worker, manager, secretary, director, admin_user, other_territory):
    return {
        "the action's social worker": social_worker,
        "another social worker of the territory": make_staff(StaffRole.SOCIAL_WORKER),
        "the territory manager": manager,
        "the board secretary": secretary,
        "the director": director,
        "an administrator": admin_user,
        "a social worker of another territory": make_staff(
            StaffRole.SOCIAL_WORKER, territories=[other_territory]
        ),
        "nobody": None,
    }


@pytest.fixture
def invited(action, pilot, social_worker, people):
    """The pilot role, invited, on an action whose social worker is ``social_worker``."""
    action.social_worker = social_worker
    action.save()
    submit_action(action, actor=social_worker)
    pilot.refresh_from_db()
    assert pilot.state == "invited"
    partner = User.objects.create_user("partenaire", password="x-Partenaire-42")
    partner.contact = pilot.contact
    partner.save()
    people["the partner's own account"] = partner
    return pilot


def client_for(api, user):
    if user is None:
        api.credentials()
        return api
    return api.as_user(user)


@pytest.fixture
def history(director):
    """``history(role)``: the entries of the role's action's history, as the director (who
    sees every action) reads them from the API."""

    def read(role) -> list[dict]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(director).key}")
        entries = client.get(f"/api/v1/actions/{role.action_id}/history/").json()
        return [entry for entry in entries if entry["subject"] == f"role:{role.pk}"]

    return read


def transitions(entries, name) -> list[dict]:
    return [entry for entry in entries if entry["transition"] == name]


def test_only_the_link_holders_read_a_partners_link(api, invited, people, history):
    got = {}
    for who in WHO:
        response = client_for(api, people[who]).get(f"/api/v1/roles/{invited.pk}/link/")
        got[who] = response.status_code
        if response.status_code == 200:
            assert response.json()["url"].endswith(f"/respond/{token_for(invited)}/")
    assert got == EXPECTED
    readers = [entry["actor"] for entry in transitions(history(invited), "read_link")]
    assert readers == [str(people[who]) for who in WHO if who in MAY_HOLD]


def test_only_the_link_holders_replace_a_partners_link(api, invited, people, history):
    got = {}
    for who in WHO:
        before = RoleAssignment.objects.get(pk=invited.pk).link_nonce
        response = client_for(api, people[who]).post(f"/api/v1/roles/{invited.pk}/revoke-link/")
        got[who] = response.status_code
        after = RoleAssignment.objects.get(pk=invited.pk).link_nonce
        assert (after != before) is (who in MAY_HOLD), who
    assert got == EXPECTED
    replacers = [entry["actor"] for entry in transitions(history(invited), "revoke_link")]
    assert replacers == [str(people[who]) for who in WHO if who in MAY_HOLD]


def test_each_read_is_in_the_actions_history_and_changes_nothing(api, invited, manager, history):
    client = api.as_user(manager)
    client.get(f"/api/v1/roles/{invited.pk}/link/")
    client.get(f"/api/v1/roles/{invited.pk}/link/")
    reads = transitions(history(invited), "read_link")
    assert len(reads) == 2
    organisation = invited.organisation.name
    for entry in reads:
        assert entry["actor"] == str(manager)
        assert (entry["source"], entry["target"]) == ("invited", "invited")
        assert organisation in entry["comment"]
        assert entry["at"]
    invited.refresh_from_db()
    assert invited.state == "invited"
    # The link read is still the partner's working link.
    answer = api.post(f"/api/v1/respond/{token_for(invited)}/", {"decision": "accept"})
    assert answer.status_code == 200
    # The action page tells it too, by whom and for which partner.
    browser = Client()
    browser.force_login(manager)
    page = browser.get(reverse("web:action_detail", args=[invited.action_id])).content.decode()
    assert f"{organisation} : lien personnel consulté" in page
    assert page.count("lien personnel consulté") == 2


def test_the_action_page_offers_a_new_link_only_to_the_link_holders(invited, people):
    url = reverse("web:action_detail", args=[invited.action_id])
    revoke = reverse("web:role_revoke_link", args=[invited.action_id, invited.pk])
    for who in WHO[:6]:
        browser = Client()
        browser.force_login(people[who])
        page = browser.get(url).content.decode()
        assert (revoke in page) is (who in MAY_HOLD), who
        before = RoleAssignment.objects.get(pk=invited.pk).link_nonce
        browser.post(revoke)  # forged when the button is not shown
        after = RoleAssignment.objects.get(pk=invited.pk).link_nonce
        assert (after != before) is (who in MAY_HOLD), who


def test_without_a_social_worker_on_the_action_the_manager_holds_the_links(
    api, action, pilot, manager, history
):
    submit_action(action, actor=manager)
    social_worker = factories.StaffFactory(
        role=StaffRole.SOCIAL_WORKER, territories=[action.project.territory]
    )
    assert api.as_user(social_worker).get(f"/api/v1/roles/{pilot.pk}/link/").status_code == 403
    assert api.as_user(manager).get(f"/api/v1/roles/{pilot.pk}/link/").status_code == 200
    assert [e["actor"] for e in transitions(history(pilot), "read_link")] == [str(manager)]
