"""Registering, changing and rotating the secret of an endpoint (the API and the admin)."""

import base64
import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from webhooks.addresses import check_public
from webhooks.models import Endpoint


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def register_endpoint(*, url: str, events, owner=None, description: str = "", active=True):
    """A new endpoint with its own secret (returned here, never shown again); an address
    that leads inside is refused (``webhooks.addresses``)."""
    check_public(url)
    return Endpoint.objects.create(
        url=url,
        events=Endpoint.join_events(events),
        description=description,
        active=active,
        owner=owner,
        secret=new_secret(),
    )


def update_endpoint(endpoint: Endpoint, **changes) -> Endpoint:
    """Change an endpoint; switching it on again clears its failures (what it had pending
    then leaves). A new address must be public, as at registration."""
    if "url" in changes and changes["url"] != endpoint.url:
        check_public(changes["url"])
    if "events" in changes:
        changes["events"] = Endpoint.join_events(changes["events"])
    if changes.get("active") and not endpoint.active:
        changes.update(failing_since=None, disabled_at=None, disabled_reason="")
    for name, value in changes.items():
        setattr(endpoint, name, value)
    endpoint.save()
    return endpoint


def rotate_secret(endpoint: Endpoint, overlap_hours: int | None = None) -> Endpoint:
    """A new secret; the old one still signs (a second signature) for ``overlap_hours``
    (default ``WEBHOOK_SECRET_OVERLAP_HOURS``; 0: dropped at once, e.g. if it leaked)."""
    hours = settings.WEBHOOK_SECRET_OVERLAP_HOURS if overlap_hours is None else overlap_hours
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.previous_secret = endpoint.secret if hours > 0 else ""
        endpoint.previous_secret_expires_at = (
            timezone.now() + datetime.timedelta(hours=hours) if hours > 0 else None
        )
        endpoint.secret = new_secret()
        endpoint.save()
    return endpoint
