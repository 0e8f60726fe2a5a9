"""Organisations and contacts shared by several territories are changed only by staff of all
of them (backend.partners.policy); a contact's new address is logged on its open actions."""

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from backend.accounts.models import StaffRole
from backend.actions.links import LinkError, role_for_token, token_for
from backend.actions.models import RoleAssignment
from backend.actions.services import withdraw_role
from backend.actions.transitions import submit_action
from backend.partners.services import save_organisation
from notifications.models import Kind, Notification, Status
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def loire(territory, other_territory):
    """The four territories of the Loire: Gier-Ondaine-Pilat (``territory``) first."""
    return [
        territory,
        other_territory,
        factories.TerritoryFactory(slug="saint-etienne", name="Saint-Étienne"),
        factories.TerritoryFactory(slug="forez", name="Forez"),
    ]


@pytest.fixture
def department(loire):
    """The Département: an organisation of the four territories, and its contact."""
    organisation = factories.OrganisationFactory(name="Département de la Loire", territories=loire)
    contact = factories.ContactFactory(
        organisation=organisation, first_name="Claire", email="c.martin@loire.fr"
    )
    return organisation, contact


@pytest.fixture
def roannais_invitation(other_territory, department, make_staff):
    """A Roannais action in consultation: the Département's contact is invited."""
    organisation, contact = department
    action = factories.ActionFactory(project=factories.ProjectFactory(territory=other_territory))
    role = factories.RoleFactory(action=action, organisation=organisation, contact=contact)
    submit_action(action, actor=make_staff(territories=[other_territory]))
    role.refresh_from_db()
    return role


def test_a_social_worker_cannot_take_a_shared_organisation_away(api, social_worker, department):
    organisation, _contact = department
    response = api.as_user(social_worker).patch(
        f"/api/v1/organisations/{organisation.pk}/",
        {"name": "Département (GOP)", "territories": ["gier-ondaine-pilat"]},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 403, response.data
    assert "autres territoires" in response.data["detail"]
    assert "Roannais" in response.data["detail"]
    organisation.refresh_from_db()
    assert organisation.name == "Département de la Loire"
    assert organisation.territories.count() == 4


def test_staff_still_change_what_serves_only_their_territories(api, manager, territory):
    organisation = factories.OrganisationFactory(territories=[territory])
    contact = factories.ContactFactory(organisation=organisation)
    client = api.as_user(manager)
    renamed = client.patch(f"/api/v1/organisations/{organisation.pk}/", {"name": "Nouveau nom"})
    assert renamed.status_code == 200, renamed.data
    moved = client.patch(f"/api/v1/contacts/{contact.pk}/", {"email": "nouveau@example.org"})
    assert moved.status_code == 200, moved.data
    # A new contact may join a shared organisation: nobody receives anything there yet.
    shared = factories.OrganisationFactory(
        territories=[territory, factories.TerritoryFactory(slug="forez", name="Forez")]
    )
    created = client.post(
        "/api/v1/contacts/",
        {
            "organisation": shared.pk,
            "first_name": "Nadia",
            "last_name": "Benali",
            "email": "n.benali@example.org",
            "category": "technician",
        },
    )
    assert created.status_code == 201, created.data
    # ...but does not change it once it is there.
    refused = client.patch(f"/api/v1/contacts/{created.data['id']}/", {"phone": "0477000000"})
    assert refused.status_code == 403, refused.data


def test_a_social_worker_cannot_readdress_a_shared_contact(
    api, social_worker, department, roannais_invitation
):
    _organisation, contact = department
    link = token_for(roannais_invitation)
    response = api.as_user(social_worker).patch(
        f"/api/v1/contacts/{contact.pk}/", {"email": "intrus@example.net"}
    )
    assert response.status_code == 403, response.data
    assert "autres territoires" in response.data["detail"]
    contact.refresh_from_db()
    assert contact.email == "c.martin@loire.fr"
    assert role_for_token(link) == roannais_invitation  # the real partner's link still works
    planned = Notification.objects.filter(contact=contact, status=Status.PLANNED)
    assert planned.exists()
    assert set(planned.values_list("email", flat=True)) == {"c.martin@loire.fr"}


def test_an_organisation_is_attached_only_to_the_territories_of_its_editor(
    social_worker, territory, other_territory
):
    organisation = factories.OrganisationFactory(territories=[territory])
    with pytest.raises(PermissionDenied, match="Roannais"):
        save_organisation(
            user=social_worker,
            data={"territories": [territory, other_territory]},
            instance=organisation,
        )
    with pytest.raises(PermissionDenied, match="Roannais"):
        save_organisation(
            user=social_worker,
            data={"name": "Ailleurs", "kind": "association", "territories": [other_territory]},
        )
    assert list(organisation.territories.all()) == [territory]


def test_a_director_readdresses_a_shared_contact_and_every_open_action_says_so(
    api, client, director, department, roannais_invitation, project, make_staff
):
    client.force_login(director)
    organisation, contact = department
    proposed = factories.RoleFactory(  # a draft action of Gier-Ondaine-Pilat
        action=factories.ActionFactory(project=project), organisation=organisation, contact=contact
    )
    withdrawn = factories.RoleFactory(organisation=organisation, contact=contact)
    withdraw_role(withdrawn, user=make_staff(StaffRole.DIRECTOR))
    old_link = token_for(roannais_invitation)

    response = api.as_user(director).patch(
        f"/api/v1/contacts/{contact.pk}/", {"email": "claire.martin@loire.fr"}
    )
    assert response.status_code == 200, response.data

    for role in (roannais_invitation, proposed):
        history = api.get(f"/api/v1/actions/{role.action_id}/history/").json()
        rows = [row for row in history if row["transition"] == "contact_email_changed"]
        assert len(rows) == 1, history
        (row,) = rows
        assert row["subject"] == f"role:{role.pk}"
        assert row["actor"] == director.get_full_name()
        assert row["source"] == row["target"] == role.state  # no state changed
        assert not row["automatic"]
        assert "Adresse e-mail de l'interlocuteur modifiée" in row["comment"]
        assert "c.martin" not in row["comment"]  # no address in the log kept for ever
    page = client.get(reverse("web:action_detail", args=[roannais_invitation.action_id]))
    assert "adresse e-mail de l&#x27;interlocuteur modifiée" in page.content.decode()
    history = api.get(f"/api/v1/actions/{withdrawn.action_id}/history/").json()
    assert [row["transition"] for row in history] == ["withdraw"]

    with pytest.raises(LinkError):  # the link sent to the old address no longer works
        role_for_token(old_link)
    renewed = RoleAssignment.objects.get(pk=roannais_invitation.pk)
    assert renewed.state == "invited" and role_for_token(token_for(renewed)) == renewed
    reminders = Notification.objects.filter(
        contact=contact, kind=Kind.REMINDER, status=Status.PLANNED
    )
    assert reminders.exists()
    assert set(reminders.values_list("email", flat=True)) == {"claire.martin@loire.fr"}
