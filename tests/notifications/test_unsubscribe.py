"""One-click unsubscribe (RFC 8058): the link in the e-mail's List-Unsubscribe header."""

import html

import pytest
from django.conf import settings as django_settings
from django.test import Client

from backend.actions.transitions import invite_role
from notifications.delivery.digest import plan_digests
from notifications.delivery.sweep import sweep
from notifications.delivery.unsubscribe import OPTIONAL_KINDS
from notifications.delivery.unsubscribe import token_for as unsubscribe_token
from notifications.models import MANDATORY_KINDS, Kind, Notification, Preference, Status
from notifications.planning.preferences import STAFF_ONLY_KINDS, set_preference
from tests import factories
from tests.notifications import (
    answer,
    at,
    headline_of,
)

pytestmark = pytest.mark.django_db
ONE_CLICK = "List-Unsubscribe=One-Click"


def one_click(url: str):
    """What a mail client sends: a POST with that body, no cookie, no CSRF token."""
    path = url.strip().removeprefix("<").removesuffix(">").removeprefix(django_settings.SITE_URL)
    client = Client(enforce_csrf_checks=True)
    return client.post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded")


def preferences(**owner):
    return dict(Preference.objects.filter(**owner).values_list("kind", "delivery"))


def test_one_click_stops_that_kind_and_the_sweep_then_skips_it(
    submitted, pilot, organisation, manager, social_worker, smtp
):
    second = factories.RoleFactory(action=submitted, organisation=organisation, kind="funder")
    invite_role(second, actor=social_worker)
    answer(pilot, "accept")
    sweep()
    [notice] = [m for m in smtp.to(manager.email) if "accepte son rôle" in headline_of(m)]

    response = one_click(notice["List-Unsubscribe"])
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "Désabonnement enregistré" in content and "Réponse d'un partenaire" in content
    assert preferences(user=manager) == {Kind.ANSWER_RECEIVED: "none"}

    answer(second, "decline", "Non")
    sweep()
    later = Notification.objects.filter(kind=Kind.ANSWER_RECEIVED, subject_id=second.pk)
    assert later.get(user=manager).status == Status.SKIPPED
    assert later.get(user=social_worker).status == Status.SENT  # only the manager unsubscribed
    assert not [m for m in smtp.to(manager.email) if "refuse" in headline_of(m)]


def test_get_asks_for_confirmation_and_changes_nothing(submitted, pilot, manager, smtp):
    answer(pilot, "request_changes", "?")
    sweep()
    [notice] = [m for m in smtp.to(manager.email)]
    path = notice["List-Unsubscribe"].strip()[1:-1].removeprefix(django_settings.SITE_URL)
    page = Client().get(path)
    assert page.status_code == 200
    content = page.content.decode()
    assert '<html lang="fr">' in content
    assert '<form method="post"' in content and "Confirmer le désabonnement" in content
    assert "no-store" in page["Cache-Control"] and page["X-Robots-Tag"] == "noindex, nofollow"
    assert preferences(user=manager) == {}
    # The confirm button posts the same form a mail client does.
    assert Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert preferences(user=manager) == {Kind.ANSWER_RECEIVED: "none"}


def test_a_deadline_message_cannot_be_turned_off_and_a_partner_is_offered_nothing_of_the_staffs(
    submitted, pilot, smtp
):
    sweep()
    [invitation] = smtp.messages
    contact = pilot.contact

    page = Client().get(
        invitation["List-Unsubscribe"].strip()[1:-1].removeprefix(django_settings.SITE_URL)
    )
    content = html.unescape(page.content.decode())
    assert "ne peuvent pas être désactivés" in content
    # A partner never receives the staff's messages (a partner's answer, the end of a
    # consultation): the page does not offer to turn them off, nor shows a pointless button.
    for kind in STAFF_ONLY_KINDS:
        assert str(Kind(kind).label).capitalize() not in content
    assert "<button" not in content

    response = one_click(invitation["List-Unsubscribe"])  # RFC 8058: the POST still answers
    assert response.status_code == 200
    assert "continueront de vous être envoyés" in response.content.decode()
    assert not set(preferences(contact=contact)) & (MANDATORY_KINDS | STAFF_ONLY_KINDS)

    sweep(now=at(11))  # the reminder still goes out
    assert [headline_of(m)[:14] for m in smtp.messages] == ["Votre rôle sur", "Plus que 5 jou"]


def test_a_staff_member_unsubscribing_from_a_deadline_message_turns_off_the_optional_ones(
    submitted, manager
):
    token = unsubscribe_token(f"user:{manager.pk}", Kind.ESCALATION)
    page = html.unescape(Client().get(f"/unsubscribe/{token}/").content.decode())
    assert str(Kind.ANSWER_RECEIVED.label).capitalize() in page
    Client().post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert preferences(user=manager) == {kind: "none" for kind in OPTIONAL_KINDS}


def test_unsubscribing_from_the_digest_turns_off_what_was_in_it(submitted, pilot, manager):
    set_preference(user=manager, kind=Kind.ANSWER_RECEIVED, delivery="digest")
    set_preference(user=manager, kind=Kind.AGENDA_PUBLISHED, delivery="immediate")
    answer(pilot, "decline", "Non")
    sweep()
    parked = Notification.objects.get(user=manager, kind=Kind.ANSWER_RECEIVED)
    assert parked.status == Status.IN_DIGEST
    assert plan_digests(at(1, minute=30)) == 1
    token = unsubscribe_token(f"user:{manager.pk}", Kind.DIGEST)
    response = one_click(f"/unsubscribe/{token}/")
    assert response.status_code == 200
    assert preferences(user=manager) == {
        Kind.ANSWER_RECEIVED: "none",
        Kind.AGENDA_PUBLISHED: "immediate",
    }
    parked.refresh_from_db()
    assert parked.status == Status.SKIPPED  # not sent in the digest after all...
    digest = Notification.objects.get(kind=Kind.DIGEST)
    assert digest.status == Status.CANCELLED  # ...which has nothing left to say


@pytest.mark.parametrize(
    "token",
    [
        "nothing",
        unsubscribe_token("user:1", "answer_received") + "x",  # tampered with
        "WyJ1c2VyOjEiLCJhbnN3ZXJfcmVjZWl2ZWQiXQ:forged",
    ],
    ids=["nothing", "tampered", "forged"],  # the same in every pytest-xdist worker
)
def test_a_bad_link_gets_a_clear_404(token):
    for response in (Client().get(f"/unsubscribe/{token}/"), one_click(f"/unsubscribe/{token}/")):
        assert response.status_code == 404
        assert "Lien invalide" in response.content.decode()


def test_a_signed_token_for_nobody_or_no_kind_is_a_404(manager):
    for key, kind in [("user:999999", "answer_received"), (f"user:{manager.pk}", "newsletter")]:
        assert one_click(f"/unsubscribe/{unsubscribe_token(key, kind)}/").status_code == 404
        assert Client().get(f"/unsubscribe/{unsubscribe_token(key, kind)}/").status_code == 404
    assert preferences(user=manager) == {}


def test_other_methods_are_refused(manager):
    token = unsubscribe_token(f"user:{manager.pk}", Kind.ANSWER_RECEIVED)
    assert Client().put(f"/unsubscribe/{token}/").status_code == 405
    assert Client().delete(f"/unsubscribe/{token}/").status_code == 405


def test_the_page_speaks_the_contacts_language(submitted, pilot):
    pilot.contact.preferred_language = "en"
    pilot.contact.save()
    token = unsubscribe_token(f"contact:{pilot.contact.pk}", Kind.INVITATION)
    page = Client().get(f"/unsubscribe/{token}/")
    assert page["Content-Language"] == "en" and '<html lang="en">' in page.content.decode()
    assert "<h1>Unsubscribe</h1>" in page.content.decode()
