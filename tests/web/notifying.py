"""Notification rows as the sweep leaves them, for the notification centre's tests."""

import itertools

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from notifications.models import Kind, Notification, Status

_rounds = itertools.count()  # one row each


def notify(user, *, kind=Kind.ANSWER_RECEIVED, action=None, subject=None, read=False, **fields):
    """One notification received by ``user`` (sent; unread unless ``read``)."""
    subject = subject or action or user
    now = timezone.now()
    return Notification.objects.create(
        kind=kind,
        round=f"test-{next(_rounds)}",
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        action=action,
        user=user,
        recipient_key=f"user:{user.pk}",
        email=user.email or "personne@caf42.example",
        due_at=fields.pop("due_at", now),
        status=fields.pop("status", Status.SENT),
        sent_at=fields.pop("sent_at", now),
        read_at=now if read else None,
        **fields,
    )
