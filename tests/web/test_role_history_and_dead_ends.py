"""A role's history says what was true then, and a role answered no leads somewhere.

Amending who holds a role (its kind, organisation, contact) writes a row in the log: the
action page's history shows each older row with the kind and organisation of its time, the
API's history gives the amendment (what it was before). A declined role, amended during the
consultation, is submitted to its partner again (a new invitation e-mail, a new link), and the
page says so before. When the last role still waiting is withdrawn and every other one is
accepted, the action moves on by itself, as when the last partner accepts."""

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from backend.actions.links import token_for
from backend.actions.models import Action, RoleAssignment
from backend.actions.services import update_role, withdraw_role
from backend.actions.transitions import submit_action
from notifications.delivery.sweep import sweep
from tests import factories
from tests.notifications import answer, text_of
from tests.web.test_stale_edits import hidden
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def submitted(action, pilot, social_worker):
    """The consultation is open: the pilot is invited."""
    submit_action(action, actor=social_worker)
    pilot.refresh_from_db()
    return action


def test_the_history_shows_the_kind_and_organisation_each_row_had_then(
    submitted, pilot, organisation, territory, social_worker, page_client, api
):
    answer(pilot, "decline", "Nous ne pouvons pas piloter seuls.")
    update_role(pilot, user=social_worker, data={"kind": "co_pilot"})  # invited again
    town = factories.OrganisationFactory(territories=[territory], name="Mairie de Rive-de-Gier")
    update_role(pilot, user=social_worker, data={"organisation": town, "contact": None})
    update_role(pilot, user=social_worker, data={"description": "Anime"})  # who holds it: same

    page = page_text(
        page_client(social_worker).get(reverse("web:action_detail", args=[pilot.action_id]))
    )

    old = organisation.name
    assert f"Rôle pilote de {old} : invité" in page
    assert f"Rôle pilote de {old} : a refusé" in page
    assert f"Rôle pilote de {old} : rôle modifié : rôle pilote → co-pilote" in page
    assert f"Rôle co-pilote de {old} : invité" in page
    assert (
        f"Rôle co-pilote de {old} : rôle modifié : organisation {old} → Mairie de Rive-de-Gier ; "
        f"interlocuteur {pilot.contact.full_name} → -"
    ) in page
    assert "Rôle co-pilote de Mairie de Rive-de-Gier" not in page  # nothing happened to it since

    rows = api.as_user(social_worker).get(f"/api/v1/actions/{pilot.action_id}/history/").json()
    amendments = [row for row in rows if row["transition"] == "role_amended"]
    assert [row["details"] for row in amendments] == [
        {"kind": ["pilot", "co_pilot"]},
        {"organisation": [organisation.pk, town.pk], "contact": [pilot.contact_id, None]},
    ]
    assert [(row["source"], row["target"]) for row in amendments] == [
        ("declined", "declined"),
        ("invited", "invited"),
    ]
    assert all(row["details"] is None for row in rows if row["transition"] != "role_amended")


def test_a_declined_role_amended_is_submitted_again_to_its_partner(
    smtp, submitted, pilot, social_worker, page_client
):
    sweep()  # the invitation
    old_link = token_for(pilot)
    answer(pilot, "decline", "Le mercredi ne nous convient pas.")
    client = page_client(social_worker)
    detail = reverse("web:action_detail", args=[pilot.action_id])
    assert "Modifier et inviter à nouveau le rôle de" in page_text(client.get(detail))

    url = reverse("web:role_edit", args=[pilot.action_id, pilot.pk])
    opened = client.get(url)
    form = opened.content.decode()
    assert "Enregistrer et inviter à nouveau" in page_text(opened)
    response = client.post(
        url,
        {
            "organisation": pilot.organisation_id,
            "contact": pilot.contact_id,
            "kind": pilot.kind,
            "description": "Anime les ateliers du samedi.",
            "version": hidden(form, "version"),
            "seen_values": hidden(form, "seen_values"),
        },
        follow=True,
    )

    assert "est modifié et soumis de nouveau au partenaire" in page_text(response)
    pilot.refresh_from_db()
    assert pilot.state == "invited" and pilot.responded_at is None
    sweep()
    _first, again = smtp.to(pilot.contact.email)
    text = text_of(again)
    assert "Votre rôle a été modifié depuis votre refus. Ce qui a changé :" in text
    assert "- Engagement : Pilote l'action. → Anime les ateliers du samedi." in text
    link = re.search(r"http://\S+/respond/\S+/", text).group(0)
    assert Client().get(urlsplit(link).path).status_code == 200  # the new link works
    assert Client().get(f"/respond/{old_link}/").status_code == 410
    answer(pilot, "accept")
    assert Action.objects.get(pk=pilot.action_id).state == "ready_for_board"


@pytest.fixture
def two_roles(action, pilot, territory, social_worker):
    """The consultation is open on the pilot and a funder."""
    funder = factories.RoleFactory(
        action=action,
        organisation=factories.OrganisationFactory(territories=[territory]),
        kind="funder",
    )
    submit_action(action, actor=social_worker)
    return pilot, RoleAssignment.objects.get(pk=funder.pk)


def test_withdrawing_the_last_role_waiting_moves_the_action_on(two_roles, social_worker):
    pilot, funder = two_roles
    answer(pilot, "accept")
    answer(funder, "decline", "Pas de budget cette année.")

    withdraw_role(funder, user=social_worker, comment="Financé autrement.")

    action = Action.objects.get(pk=pilot.action_id)
    assert action.state == "ready_for_board"
    move = TransitionLog.objects.get(transition="complete_consultation")
    assert move.automatic and move.actor is None
    assert move.comment == (
        "Dernier rôle en attente retiré : tous les autres partenaires ont accepté."
    )


def test_withdrawing_a_role_while_none_is_accepted_leaves_the_consultation_open(
    two_roles, social_worker
):
    pilot, funder = two_roles
    withdraw_role(funder, user=social_worker)
    assert Action.objects.get(pk=pilot.action_id).state == "consultation"
    withdraw_role(pilot, user=social_worker)  # no role is left
    assert Action.objects.get(pk=pilot.action_id).state == "consultation"
    assert not TransitionLog.objects.filter(transition="complete_consultation").exists()
