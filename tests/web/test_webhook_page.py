"""A webhook's page: administrators (with or without access to the Django admin) see where it
sends, why it was switched off and its attempts, and switch it on again; other staff get 403,
anyone signed out the sign-in page."""

import datetime

import pytest
from django.utils import timezone

from webhooks.endpoints import register_endpoint
from webhooks.models import Attempt, Delivery, Endpoint
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db
URL = "https://portail.example.org/hooks/caf"


@pytest.fixture
def switched_off(admin_user, action, social_worker):
    endpoint = register_endpoint(url=URL, events=["*"], owner=admin_user)
    log = TransitionLog.objects.create(
        subject=action, action=action, transition="submit", source="draft", target="consultation"
    )
    now = timezone.now()
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        log=log,
        event_type="action.transition",
        attempts=1,
        next_attempt_at=now,
        last_error="Connection refused",
        created_at=now,
    )
    Attempt.objects.create(
        delivery=delivery, endpoint=endpoint, number=1, at=now, error="Connection refused"
    )
    Endpoint.objects.filter(pk=endpoint.pk).update(
        active=False,
        failing_since=now - datetime.timedelta(days=5),
        disabled_at=now,
        disabled_reason="Aucune livraison réussie depuis 5 jours : désactivé automatiquement.",
    )
    return endpoint


def page(endpoint) -> str:
    return f"/webhooks/{endpoint.pk}/"


def test_an_administrator_without_the_django_admin_reads_the_webhook(
    page_client, admin_user, switched_off
):
    assert not admin_user.is_staff  # the Django admin would refuse them
    response = page_client(admin_user).get(page(switched_off))
    assert response.status_code == 200
    html = response.content.decode()
    assert URL in html
    assert "Aucune livraison réussie depuis 5 jours" in html
    assert "Connection refused" in html  # the attempt
    assert "Réactiver le webhook" in html


def test_an_administrator_switches_it_on_again(page_client, admin_user, switched_off):
    client = page_client(admin_user)
    response = client.post(page(switched_off) + "reactiver/")
    assert response.status_code == 303 and response["Location"] == page(switched_off)
    switched_off.refresh_from_db()
    assert switched_off.active and switched_off.failing_since is None
    assert not switched_off.disabled_reason
    html = client.get(page(switched_off)).content.decode()
    assert "Webhook réactivé" in html and "Réactiver le webhook" not in html


def test_only_administrators_open_it(page_client, switched_off, manager, director):
    for person in (manager, director):
        assert page_client(person).get(page(switched_off)).status_code == 403
        assert page_client(person).post(page(switched_off) + "reactiver/").status_code == 403
    switched_off.refresh_from_db()
    assert not switched_off.active
    signed_out = page_client().get(page(switched_off))
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith("/connexion/")
