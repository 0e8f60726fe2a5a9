"""Thin tasks: they take ids, reload, and do nothing if the world moved on."""

from celery import shared_task

from notifications.digest_tasks import plan_digests  # noqa: F401  (registers the task)
from notifications.sweep import deliver_now, sweep


@shared_task(name="notifications.sweep_due", ignore_result=True)
def sweep_due() -> dict:
    report = sweep()
    return {"sent": report.sent, "retried": report.retried, "failed": report.failed}


@shared_task(name="notifications.deliver", ignore_result=True)
def deliver(notification_id: int) -> None:
    """The immediate push: sends the row if it is still planned and due (else nothing)."""
    deliver_now([notification_id])


@shared_task(name="notifications.deliver_many", ignore_result=True)
def deliver_many(notification_ids: list[int]) -> None:
    """The immediate push of one transaction's rows: sends those still planned and due."""
    deliver_now(notification_ids)
