"""Failed deliveries are seen and mended: an address refused for good by a real SMTP server
leaves its role waiting in silence unless staff see it. The action page and the dashboard say
who, which address, what the server said and when; a form on the action page corrects the
contact's address (under the rule for shared contacts, the old links dying, a history row) and
the failed messages go again through the outbox."""

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from backend.accounts.models import StaffRole
from backend.actions.links import token_for
from backend.actions.services import withdraw_role
from backend.actions.transitions import submit_action
from backend.partners.services import EMAIL_CHANGED
from notifications.delivery.sweep import sweep
from notifications.models import Kind, Notification, Status
from tests import factories
from tests.notifications import DEADLINE, Inbox, serving_smtp, text_of
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db
WRONG = "h.reynaud@saint-chamond.fr"  # a typo: the real one is below
RIGHT = "h.reynaud@ville-saint-chamond.fr"
REPLY = "5.1.1 <h.reynaud@saint-chamond.fr>: Recipient address rejected: User unknown"


class RefusingInbox(Inbox):
    """Accepts every address but one, refused for good (550) at RCPT, as a real server does."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == WRONG:
            return f"550 {REPLY}"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    with serving_smtp(settings, RefusingInbox()) as inbox:
        yield inbox


@pytest.fixture
def refused(smtp, action, pilot, social_worker, manager):
    """The consultation opens; the pilot's invitation is refused for good."""
    pilot.contact.email = WRONG
    pilot.contact.save()
    action.social_worker = social_worker
    action.consultation_deadline = DEADLINE
    action.save()
    submit_action(action, actor=social_worker)
    sweep()
    pilot.refresh_from_db()
    return action


def page_text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def correct(client, action, contact, email):
    url = reverse("web:correct_and_resend", args=[action.pk, contact.pk])
    return client.post(url, {"email": email})


def test_the_action_page_and_the_dashboard_show_who_which_address_what_the_server_said(
    refused, pilot, manager, page_client
):
    failed = Notification.objects.get(kind=Kind.INVITATION, contact=pilot.contact)
    assert failed.status == Status.FAILED
    client = page_client(manager)
    page = page_text(client.get(reverse("web:action_detail", args=[refused.pk])))
    assert "Envois en échec" in page
    assert f"{pilot.contact.full_name} ({pilot.organisation.name})" in page
    assert WRONG in page
    assert f"Le serveur a répondu : 550 {REPLY}" in page
    assert "Corriger l'adresse et renvoyer" in page
    dashboard = page_text(client.get(reverse("web:dashboard")))
    assert "Envois en échec 1" in dashboard
    assert refused.title in dashboard and WRONG in dashboard and f"550 {REPLY}" in dashboard


def test_correcting_the_address_resends_the_failed_invitation_with_a_working_link(
    refused, pilot, manager, smtp, page_client
):
    old_link = token_for(pilot)
    client = page_client(manager)
    response = correct(client, refused, pilot.contact, RIGHT)
    assert response.status_code == 303
    assert response["Location"].endswith(f"/actions/{refused.pk}/#envois-en-echec")
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert RIGHT in message and "1 message renvoyé" in message

    pilot.contact.refresh_from_db()
    assert pilot.contact.email == RIGHT
    assert TransitionLog.objects.filter(transition=EMAIL_CHANGED, subject_id=pilot.pk).exists()
    anonymous = Client()
    assert anonymous.get(f"/respond/{old_link}/").status_code == 410  # the old link is gone
    row = Notification.objects.get(kind=Kind.INVITATION, contact=pilot.contact)
    assert (row.status, row.email) == (Status.PLANNED, RIGHT)  # the outbox, not the view
    assert smtp.to(RIGHT) == []

    sweep()
    [invitation] = smtp.to(RIGHT)
    link = re.search(r"http://\S+/respond/\S+/", text_of(invitation)).group(0)
    assert anonymous.get(urlsplit(link).path).status_code == 200  # the new link works
    page = page_text(client.get(reverse("web:action_detail", args=[refused.pk])))
    assert "Envois en échec" not in page


def test_a_shared_contact_is_corrected_only_by_someone_who_serves_all_its_territories(
    refused, pilot, make_staff, other_territory, page_client
):
    pilot.organisation.territories.add(other_territory)  # it works with the Roannais too
    worker = make_staff(StaffRole.SOCIAL_WORKER)
    client = page_client(worker)
    page = page_text(client.get(reverse("web:action_detail", args=[refused.pk])))
    assert WRONG in page and "Corriger l'adresse et renvoyer" not in page
    assert "seules la direction et l'administration corrigent son adresse" in page
    response = correct(client, refused, pilot.contact, RIGHT)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "seules la direction et l'administration" in message
    pilot.contact.refresh_from_db()
    assert pilot.contact.email == WRONG
    assert Notification.objects.get(kind=Kind.INVITATION, contact=pilot.contact).status == (
        Status.FAILED
    )
    director = make_staff(StaffRole.DIRECTOR, territories=[])
    assert correct(page_client(director), refused, pilot.contact, RIGHT).status_code == 303
    pilot.contact.refresh_from_db()
    assert pilot.contact.email == RIGHT


def test_only_a_contact_whose_messages_failed_on_this_action_and_a_real_address(
    refused, pilot, manager, page_client
):
    client = page_client(manager)
    other = factories.ContactFactory(organisation=pilot.organisation)
    assert correct(client, refused, other, RIGHT).status_code == 404
    response = correct(client, refused, pilot.contact, "pas une adresse")
    assert response.status_code == 303
    pilot.contact.refresh_from_db()
    assert pilot.contact.email == WRONG
    assert (
        page_client(None)
        .post(
            reverse("web:correct_and_resend", args=[refused.pk, pilot.contact.pk]), {"email": RIGHT}
        )
        .status_code
        == 302
    )  # to the sign-in page


def test_an_invitation_to_a_role_withdrawn_since_is_not_sent_again(
    refused, pilot, manager, social_worker, smtp, page_client
):
    withdraw_role(pilot, user=social_worker, comment="Rôle confié à un autre partenaire")
    invite = Notification.objects.get(kind=Kind.INVITATION, subject_id=pilot.pk)
    assert invite.status == Status.FAILED  # it never left: still shown until mended
    response = correct(page_client(manager), refused, pilot.contact, RIGHT)
    assert response.status_code == 303
    invite.refresh_from_db()
    assert invite.status == Status.CANCELLED  # moot: not sent to the new address
    sweep()
    # What reaches the new address is the notice that the role was withdrawn, not the
    # invitation to a role that no longer exists.
    [notice] = smtp.to(RIGHT)
    assert Notification.objects.get(kind=Kind.ROLE_WITHDRAWN, subject_id=pilot.pk).status == (
        Status.SENT
    )
    assert "Rôle confié à un autre partenaire" in notice.get_body(("plain",)).get_content()
