"""Roles are added, edited, withdrawn or deleted only while the action is a draft or in
consultation. Later (ready for the board, on its agenda, approved, in progress…) every way to
change them, on the API and on the pages, is refused with a 409 that says to revise the action,
and the roles stay as the board saw them, the pilot who will report included."""

from html import unescape

import pytest
from django.urls import reverse

from backend.actions.models import Action, RoleAssignment
from tests import factories

pytestmark = pytest.mark.django_db

LATER_STATES = ["ready_for_board", "scheduled", "approved", "in_progress", "evaluation"]
REVISE = "il faut réviser l'action"


@pytest.fixture
def agreed(action, pilot):
    """The action's pilot has accepted its role."""
    RoleAssignment.objects.filter(pk=pilot.pk).update(state="accepted")
    return pilot


def in_state(action, state):
    Action.objects.filter(pk=action.pk).update(state=state)


def _create(api, action, pilot, organisation):
    body = {
        "action": action.pk,
        "organisation": factories.OrganisationFactory(territories=[action.project.territory]).pk,
        "kind": "funder",
        "description": "Finance l'animation.",
    }
    return api.post("/api/v1/roles/", body, format="json")


def _edit(api, action, pilot, organisation):
    return api.patch(f"/api/v1/roles/{pilot.pk}/", {"description": "Autre chose."}, format="json")


def _withdraw(api, action, pilot, organisation):
    return api.post(f"/api/v1/roles/{pilot.pk}/withdraw/", {"comment": "Plus là."}, format="json")


def _delete(api, action, pilot, organisation):
    return api.delete(f"/api/v1/roles/{pilot.pk}/")


@pytest.mark.parametrize("state", LATER_STATES)
@pytest.mark.parametrize("change", [_create, _edit, _withdraw, _delete])
def test_the_api_refuses_to_change_roles_after_the_consultation(
    api, social_worker, action, agreed, organisation, state, change
):
    in_state(action, state)

    response = change(api.as_user(social_worker), action, agreed, organisation)

    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "conflict"
    assert REVISE in body["detail"] and "brouillon ou pendant la consultation" in body["detail"]
    agreed.refresh_from_db()
    assert agreed.state == "accepted" and agreed.description != "Autre chose."
    assert RoleAssignment.objects.filter(action=action).count() == 1


@pytest.mark.parametrize("state", ["draft", "consultation"])
def test_roles_still_change_in_draft_and_consultation(api, social_worker, action, pilot, state):
    in_state(action, state)
    client = api.as_user(social_worker)

    assert client.patch(f"/api/v1/roles/{pilot.pk}/", {"venue": "Salle"}).status_code == 200
    assert client.post(f"/api/v1/roles/{pilot.pk}/withdraw/", {}).status_code == 200
    pilot.refresh_from_db()
    assert pilot.state == "withdrawn"


@pytest.mark.parametrize("state", ["ready_for_board", "in_progress"])
def test_the_pages_refuse_to_change_roles_after_the_consultation(
    client, social_worker, action, agreed, state
):
    in_state(action, state)
    client.force_login(social_worker)
    detail = reverse("web:action_detail", args=[action.pk])

    page = client.get(detail).content.decode()
    assert reverse("web:role_withdraw", args=[action.pk, agreed.pk]) not in page

    withdrawn = client.post(
        reverse("web:role_withdraw", args=[action.pk, agreed.pk]), {"comment": "Non."}, follow=True
    )
    assert REVISE in unescape(withdrawn.content.decode())
    for url in (
        reverse("web:role_create", args=[action.pk]),
        reverse("web:role_edit", args=[action.pk, agreed.pk]),
    ):
        refused = client.get(url, follow=True)
        assert refused.redirect_chain[-1][0].startswith(detail), url
        assert REVISE in unescape(refused.content.decode()), url
    agreed.refresh_from_db()
    assert agreed.state == "accepted"
