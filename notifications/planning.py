"""Writing and cancelling notification rows, inside the caller's transaction.

Immediate notices are also pushed to a worker once the transaction commits; if the broker is
down the push is skipped (and logged): the row waits in the database for the next sweep.
A failed push costs seconds (kombu and redis-py retry the connection), so after one failure
the process stops pushing for PUSH_PAUSE: a request never waits on a broker known to be down.
"""

import logging
import time

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification, Status

log = logging.getLogger(__name__)


def recipient_key(recipient) -> str:
    prefix = "user" if hasattr(recipient, "is_staff_member") else "contact"
    return f"{prefix}:{recipient.pk}"


def plan(kind, *, subject, recipient, due_at=None, stage="", action=None) -> Notification | None:
    """Plan one notification. The same (subject, kind, recipient, stage) is never planned twice:
    an existing row is kept as it is, except a cancelled one, which is planned again."""
    email = getattr(recipient, "email", "")
    if not email:
        return None
    due_at = due_at or timezone.now()
    key = {
        "subject_type": ContentType.objects.get_for_model(subject),
        "subject_id": subject.pk,
        "kind": kind,
        "recipient_key": recipient_key(recipient),
        "stage": stage,
    }
    is_user = hasattr(recipient, "is_staff_member")
    row, created = Notification.objects.get_or_create(
        **key,
        defaults={
            "action": action,
            "user": recipient if is_user else None,
            "contact": None if is_user else recipient,
            "email": email,
            "due_at": due_at,
        },
    )
    if not created and row.status == Status.CANCELLED:
        row.status, row.due_at, row.email = Status.PLANNED, due_at, email
        row.save(update_fields=["status", "due_at", "email"])
    if row.status == Status.PLANNED and row.due_at <= timezone.now():
        push_on_commit(row.pk)
    return row


def cancel(queryset) -> int:
    """Cancel what has not left yet."""
    return queryset.filter(status=Status.PLANNED).update(status=Status.CANCELLED)


def planned_for(subject, *kinds):
    rows = Notification.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    )
    return rows.filter(kind__in=kinds) if kinds else rows


PUSH_PAUSE = 60.0  # seconds without pushing after a failed push (the sweep's period)
_push_paused_until = 0.0


def reset_push_pause() -> None:
    global _push_paused_until
    _push_paused_until = 0.0


def push_on_commit(notification_id: int) -> None:
    def push():
        global _push_paused_until
        from notifications.tasks import deliver

        if time.monotonic() < _push_paused_until:
            log.info(
                "notification %s not pushed (broker down); the sweep will send it", notification_id
            )
            return
        try:
            deliver.apply_async((notification_id,), retry=False)
        except Exception as error:  # broker down: the sweep will send it
            _push_paused_until = time.monotonic() + PUSH_PAUSE
            log.warning(
                "notification %s not pushed (%s); the sweep will send it, no push for %d s",
                notification_id,
                error,
                PUSH_PAUSE,
            )

    transaction.on_commit(push, robust=True)
