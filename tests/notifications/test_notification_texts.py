"""The notifications in the pages and the API say who did what, on what: the partner's answer
by its organisation and role, the board's decision by its outcome and deliberation."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from backend.actions.links import token_for
from backend.board.decisions import DecisionInput, record_decisions
from backend.board.models import Outcome
from notifications.delivery.sweep import sweep

pytestmark = pytest.mark.django_db


def test_the_centre_and_the_api_say_which_partner_accepted_which_role(
    api, submitted, pilot, social_worker
):
    pilot.organisation.name = "Ville de Saint-Chamond"
    pilot.organisation.save()
    pilot.refresh_from_db()
    response = Client().post(
        f"/api/v1/respond/{token_for(pilot)}/",
        {"decision": "accept"},
        content_type="application/json",
    )
    assert response.status_code == 200
    sweep()
    said = f"Ville de Saint-Chamond a accepté son rôle de pilote sur « {submitted.title} »"

    client = Client()
    client.force_login(social_worker)
    page = html.unescape(client.get(reverse("web:notification_centre")).content.decode())
    assert said in page
    assert f"Tous les partenaires ont accepté leur rôle sur « {submitted.title} »" in page

    listed = api.as_user(social_worker).get("/api/v1/notifications/").data["results"]
    assert said in [n["text"] for n in listed]


def test_the_api_says_what_the_board_decided(api, held, secretary, social_worker):
    session, action = held
    record_decisions(
        session,
        [DecisionInput(Outcome.REJECTED, "2027-021", action=action, conditions="Hors budget.")],
        user=secretary,
    )
    sweep()
    listed = api.as_user(social_worker).get("/api/v1/notifications/").data["results"]
    assert f"Le conseil d'administration a rejeté « {action.title} » (délibération 2027-021)" in [
        n["text"] for n in listed
    ]
