"""The daily digest's beat task (every business day at 08:30; see notifications.delivery.digest)."""

from celery import shared_task

from notifications.delivery.digest import plan_digests as plan


@shared_task(name="notifications.plan_digests", ignore_result=True)
def plan_digests() -> dict:
    return {"planned": plan()}
