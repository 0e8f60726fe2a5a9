"""The webhook outbox: the deliveries of a transition, written in its transaction.

``workflows.services.perform_locked_transitions`` calls ``record_transitions`` right after it
writes the transition log rows: one ``INSERT … SELECT`` writes a delivery for every log row and
every active endpoint subscribed to the event (none registered: the statement inserts nothing),
so a transition costs one statement more, however many endpoints and rows. No HTTP in the
transaction: the new rows are pushed to a worker after the commit (``push_on_commit``), and
the sweep (``webhooks.delivery.sweep``, every minute) sends what the push did not (the broker
was down, the worker died).

This module and ``webhooks.models`` know no app (the engine imports them): the model of the
logged rows names its event (``webhook_event``, e.g. ``"action.transition"``).
"""

import functools
import logging

from celery import current_app
from django.db import connection, transaction
from django.utils import timezone

from webhooks.models import ALL_EVENTS, SEPARATOR, Delivery, DeliveryStatus, Endpoint

log = logging.getLogger(__name__)

DELIVER = "webhooks.deliver"  # the task that sends deliveries now (webhooks.tasks)
PUSH_MOST = 100  # deliveries per task at most


def _insert_sql(count: int) -> str:
    delivery, endpoint = Delivery._meta, Endpoint._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(delivery.get_field(name).column)
        for name in (
            "endpoint",
            "log",
            "event_type",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "created_at",
        )
    )
    values = ", ".join(["(CAST(%s AS BIGINT))"] * count)
    return (
        f"INSERT INTO {quote(delivery.db_table)} ({columns}) "
        f"SELECT e.id, v.column1, %s, '{DeliveryStatus.PENDING}', 0, '', %s, %s "
        f"FROM {quote(endpoint.db_table)} AS e CROSS JOIN (VALUES {values}) AS v "
        f"WHERE e.active AND (e.events = '{ALL_EVENTS}' "
        f"OR ('{SEPARATOR}' || e.events || '{SEPARATOR}') LIKE %s ESCAPE '!') "
        "RETURNING id"
    )


def _like(event_type: str) -> str:
    escaped = event_type.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{SEPARATOR}{escaped}{SEPARATOR}%"


def record_transitions(logs: list, event_type: str) -> list[int]:
    """Write the deliveries of these transition log rows (saved, in the caller's transaction)
    for the endpoints subscribed to ``event_type`` (empty: the model has no webhooks);
    returns their ids. They leave after the commit."""
    if not event_type or not logs:
        return []
    now = timezone.now()
    params = [event_type, now, now, *(row.pk for row in logs), _like(event_type)]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(len(logs)), params)
        ids = [row[0] for row in cursor.fetchall()]
    push_on_commit(ids)
    return ids


def push_on_commit(delivery_ids: list[int]) -> None:
    if delivery_ids:
        transaction.on_commit(functools.partial(push, delivery_ids))


def push(delivery_ids: list[int]) -> None:
    """Publish the tasks that send these deliveries; the broker tried once: if it is down,
    the sweep sends them. The task is named, not imported (this module stays below it)."""
    for start in range(0, len(delivery_ids), PUSH_MOST):
        batch = delivery_ids[start : start + PUSH_MOST]
        try:
            current_app.send_task(DELIVER, args=(batch,), retry=False)
        except Exception as error:  # the broker is down: the sweep will send them
            log.warning(
                "webhook deliveries %s not pushed (%s); the sweep will send them",
                delivery_ids[start:],
                error,
            )
            return
