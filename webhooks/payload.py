"""What a delivery sends: the Standard Webhooks body of one transition, and its signatures.

The body is built when it is sent, from the transition log row (append-only: it says what was
true then), so the transaction of the transition writes nothing but the outbox row.
"""

import datetime
import json

from django.utils import timezone
from standardwebhooks import Webhook

from webhooks.models import Delivery, Endpoint


def body(delivery: Delivery) -> str:
    """``{"type", "timestamp", "data": {"id", "transition", "source", "target", "actor",
    "comment", "action", "territory"}}``: ``id`` is the subject's (the action, role, session or
    evaluation), ``action`` the action it belongs to (None for a board session), ``territory``
    that action's territory (slug). ``delivery.log`` comes with its action, project and
    territory (``webhooks.delivery.claim``)."""
    log = delivery.log
    action = log.action
    territory = action.project.territory.slug if action is not None else None
    return json.dumps(
        {
            "type": delivery.event_type,
            "timestamp": timezone.localtime(log.at).isoformat(),
            "data": {
                "id": log.subject_id,
                "transition": log.transition,
                "source": log.source,
                "target": log.target,
                "actor": log.actor_label,
                "comment": log.comment,
                "action": log.action_id,
                "territory": territory,
            },
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def secrets_in_use(endpoint: Endpoint, now: datetime.datetime) -> list[str]:
    """The current secret, and the previous one while a rotation lets it overlap."""
    secrets = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        secrets.append(endpoint.previous_secret)
    return secrets


def headers(delivery: Delivery, data: str) -> dict[str, str]:
    """The Standard Webhooks headers: the id (the same on every retry), the time of this
    attempt (the wall clock's: receivers refuse a timestamp more than 5 minutes off), and one
    ``v1`` signature per secret in use (space-separated)."""
    now = timezone.now()
    at = now.astimezone(datetime.UTC).replace(microsecond=0)
    message_id = delivery.webhook_id
    signature = " ".join(
        Webhook(secret).sign(message_id, at, data)
        for secret in secrets_in_use(delivery.endpoint, now)
    )
    return {
        "Content-Type": "application/json",
        "User-Agent": "caf42-territoires-webhooks/1.0",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
