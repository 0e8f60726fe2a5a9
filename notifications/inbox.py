from django.utils import timezone

from notifications.models import Notification, Status


def mark_read(notification: Notification) -> Notification:
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    notification.refresh_from_db(fields=["read_at"])
    return notification


def received(user):
    """The notifications this person has received (sent, or gathered in a digest), newest first."""
    return Notification.objects.filter(
        user=user, status__in=[Status.SENT, Status.IN_DIGEST, Status.DIGESTED]
    ).order_by("-due_at", "-id")


def unread_count(user) -> int:
    return received(user).filter(read_at__isnull=True).count()


def mark_all_read(user) -> int:
    """Mark every notification this person has received read; returns how many were unread."""
    return received(user).filter(read_at__isnull=True).update(read_at=timezone.now())
