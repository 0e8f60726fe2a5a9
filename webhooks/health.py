"""An endpoint's health: since when it fails, and switching it off after
``WEBHOOK_DISABLE_AFTER_DAYS`` days of nothing but failures, its administrator told by e-mail
(a row of the notification outbox, written in the same transaction)."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import StaffRole, User
from notifications.models import Kind
from notifications.planning.rows import notice, write
from webhooks.models import Endpoint


def record_success(endpoint: Endpoint) -> None:
    if endpoint.failing_since is not None:
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        endpoint.failing_since = None


def record_failure(endpoint: Endpoint, now: datetime.datetime) -> bool:
    """Note the failure; switch the endpoint off if it has failed for too long (True then)."""
    if endpoint.failing_since is None:
        Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
            failing_since=now
        )
        endpoint.failing_since = now
    days = settings.WEBHOOK_DISABLE_AFTER_DAYS
    switched = Endpoint.objects.filter(
        pk=endpoint.pk, active=True, failing_since__lte=now - datetime.timedelta(days=days)
    ).update(
        active=False,
        disabled_at=now,
        disabled_reason=_(
            "Aucune livraison réussie depuis %(days)d jours : désactivé automatiquement."
        )
        % {"days": days},
    )
    if switched:
        endpoint.active = False
        tell_administrators(endpoint, now)
    return bool(switched)


def administrators_of(endpoint: Endpoint) -> list:
    """Who hears of it: the endpoint's administrator, or every administrator if it has none
    (or none reachable)."""
    owner = endpoint.owner
    if owner is not None and owner.is_active and owner.email:
        return [owner]
    return list(
        User.objects.filter(is_active=True, role=StaffRole.ADMIN).exclude(email="").order_by("pk")
    )


def tell_administrators(endpoint: Endpoint, now: datetime.datetime) -> None:
    day = timezone.localdate(now)
    write(
        [
            notice(Kind.WEBHOOK_DISABLED, subject=endpoint, recipient=admin, date=day)
            for admin in administrators_of(endpoint)
        ]
    )
