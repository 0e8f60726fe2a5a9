"""A webhook must not point inside the CAF's network (SSRF): an address that is, or resolves
to, a private, loopback or link-local one is refused at registration and when an endpoint's
address changes, through the API (400 on ``url``) and in the Django admin; the setting
WEBHOOK_ALLOW_PRIVATE_ADDRESSES lifts the rule (development, tests with a local receiver)."""

import pytest

from webhooks.endpoints import register_endpoint
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db

INSIDE = [
    "http://127.0.0.1:8080/hooks",
    "http://localhost/hooks",  # resolves to the loopback
    "http://10.0.0.5/hooks",
    "http://172.16.3.4/hooks",
    "http://192.168.1.10/hooks",
    "http://169.254.169.254/latest/meta-data/",  # a cloud's instance metadata
    "http://100.64.0.1/hooks",  # shared address space (carrier-grade NAT)
    "http://0.0.0.0/hooks",
    "http://[::1]/hooks",
    "http://[::ffff:127.0.0.1]/hooks",
    "http://[fe80::1]/hooks",
    "http://[fd00::1]/hooks",
]
EVENTS = ["action.transition"]


def test_the_tests_run_with_the_production_rule():
    from django.conf import settings

    assert settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES is False


@pytest.mark.parametrize("url", INSIDE)
def test_an_address_inside_is_refused_at_registration(api, admin_user, url):
    response = api.as_user(admin_user).post("/api/v1/webhooks/", {"url": url, "events": EVENTS})
    assert response.status_code == 400, response.json()
    [reason] = response.json()["url"]
    assert "réseau interne" in reason
    assert not Endpoint.objects.exists()


def test_a_public_address_or_a_name_that_does_not_resolve_is_registered(api, admin_user):
    client = api.as_user(admin_user)
    for url in ("https://93.184.215.14/hooks", "https://entrepot.caf42.example/hooks"):
        response = client.post("/api/v1/webhooks/", {"url": url, "events": EVENTS})
        assert response.status_code == 201, response.json()


def test_an_endpoint_cannot_be_moved_inside(api, admin_user):
    endpoint = register_endpoint(url="https://entrepot.caf42.example/hooks", events=EVENTS)
    client = api.as_user(admin_user)
    moved = client.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"url": "http://10.1.2.3/"})
    assert moved.status_code == 400 and "réseau interne" in moved.json()["url"][0]
    endpoint.refresh_from_db()
    assert endpoint.url == "https://entrepot.caf42.example/hooks"
    kept = client.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"active": False})
    assert kept.status_code == 200  # changing something else still works


def test_the_django_admin_refuses_it_too(client, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    response = client.post(
        "/admin/webhooks/endpoint/add/",
        {"url": "http://192.168.0.1/hooks", "event_types": ["*"], "active": "on"},
    )
    assert response.status_code == 200  # the form again, with the reason by the field
    assert "réseau interne (192.168.0.1)" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_the_setting_allows_a_local_receiver(api, admin_user, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    body = {"url": "http://127.0.0.1:8080/hooks", "events": EVENTS}
    assert api.as_user(admin_user).post("/api/v1/webhooks/", body).status_code == 201
