"""Thin tasks: they take ids, reload, and do nothing if the world moved on."""

from celery import shared_task

from notifications.delivery.sweep import deliver_now, sweep
from notifications.digest_tasks import plan_digests  # noqa: F401  (registers the task)
from notifications.planning.rows import DELIVER_MANY


@shared_task(name="notifications.sweep_due", ignore_result=True)
def sweep_due() -> dict:
    report = sweep()
    return {"sent": report.sent, "retried": report.retried, "failed": report.failed}


@shared_task(name=DELIVER_MANY, ignore_result=True)
def deliver_many(notification_ids: list[int]) -> None:
    """The immediate push after a transaction's commit (``notifications.planning.rows.push``):
    sends those of these rows still planned and due (else nothing)."""
    deliver_now(notification_ids)
