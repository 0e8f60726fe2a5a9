from django.utils import timezone

from notifications.models import Notification


def mark_read(notification: Notification) -> Notification:
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    notification.refresh_from_db(fields=["read_at"])
    return notification
