"""Thin tasks: they take ids, reload, and do nothing if the world moved on."""

from celery import shared_task

from webhooks.delivery import deliver_now, sweep
from webhooks.outbox import DELIVER


@shared_task(name="webhooks.sweep_due", ignore_result=True)
def sweep_due() -> dict:
    report = sweep()
    return {"delivered": report.delivered, "retried": report.retried, "failed": report.failed}


@shared_task(name=DELIVER, ignore_result=True)
def deliver(delivery_ids: list[int]) -> None:
    """The push after a transition's commit (``webhooks.outbox.push``): sends those of these
    deliveries still pending and due (else nothing)."""
    deliver_now(delivery_ids)
