"""Writing and cancelling notification rows, inside the caller's transaction.

Inside a transition (``workflows.services.scope``) the rows planned by every effect are
collected and written at its end in one ``INSERT … ON CONFLICT`` statement; outside one, each
``plan`` writes at once. Either way the unique key (subject, kind, recipient, stage) keeps a
second copy out: an existing row stays as it is, except a cancelled one, which is planned
again. ``cancel`` first writes what is collected, so that the order of the effects holds.

Rows due now are also pushed to a worker once the transaction commits
(``transaction.on_commit``), in one task per batch of the sweep's size. The push is only for
speed: the broker is tried once, without retries (the settings'
``CELERY_BROKER_TRANSPORT_OPTIONS``), and if it is down the push is logged and dropped; the
rows wait in the database for the next sweep.
"""

import contextlib
import contextvars
import functools
import logging
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from backend.core.rows import insert_rows
from notifications.models import Notification, Status
from workflows.services import scope

log = logging.getLogger(__name__)

PUSH_MOST = 100  # rows per task at most (the sweep's batch): a burst is shared by the workers

# The rows collected by the current transition (None: write each row at once).
_collected: contextvars.ContextVar[list | None] = contextvars.ContextVar("planned", default=None)

COLUMNS = (
    "subject_type",
    "subject_id",
    "kind",
    "recipient_key",
    "stage",
    "action",
    "user",
    "contact",
    "email",
    "due_at",
    "status",
    "attempts",
    "last_error",
    "message_id",
    "created_at",
)
KEY = ("subject_type", "subject_id", "kind", "recipient_key", "stage")
REPLANNED = ("status", "due_at", "email")  # what planning a cancelled row again changes


def recipient_key(recipient) -> str:
    prefix = "user" if hasattr(recipient, "is_staff_member") else "contact"
    return f"{prefix}:{recipient.pk}"


def notice(kind, *, subject, recipient, due_at=None, stage="", action=None):
    """One notification row to write, its values by column (None for a recipient without an
    address). A plain namespace, not a model instance: a transition plans dozens."""
    email = getattr(recipient, "email", "")
    if not email:
        return None
    is_user = hasattr(recipient, "is_staff_member")
    return SimpleNamespace(
        pk=None,
        subject_type_id=ContentType.objects.get_for_model(subject).pk,
        subject_id=subject.pk,
        kind=kind,
        recipient_key=recipient_key(recipient),
        stage=stage,
        action_id=action.pk if action is not None else None,
        user_id=recipient.pk if is_user else None,
        contact_id=None if is_user else recipient.pk,
        email=email,
        due_at=due_at or timezone.now(),
        status=Status.PLANNED,
        attempts=0,
        last_error="",
        message_id="",
        created_at=None,  # the time of the write
    )


def plan(kind, *, subject, recipient, due_at=None, stage="", action=None) -> None:
    """Plan one notification: collected during a transition, else written at once."""
    row = notice(
        kind, subject=subject, recipient=recipient, due_at=due_at, stage=stage, action=action
    )
    if row is None:
        return
    collected = _collected.get()
    if collected is None:
        write([row])
    else:
        collected.append(row)


def write(rows: list[SimpleNamespace]) -> list[int]:
    """Insert the rows in one statement; returns the ids of those now planned that were not
    before (new, or cancelled and planned again). Those due now are pushed after commit."""
    unique = {}
    for row in rows:  # a key twice in one statement is an error: the first one wins
        unique.setdefault(_key(row), row)
    if not unique:
        return []
    now = timezone.now()
    for row in unique.values():
        row.created_at = now
    returned = insert_rows(
        Notification,
        list(unique.values()),
        list(COLUMNS),
        then=_on_conflict(),
        then_params=[Status.CANCELLED],
    )
    ids, due_now = [], []
    for pk, *key in returned:
        row = unique[tuple(key)]
        row.pk = pk
        ids.append(pk)
        if row.due_at <= now:
            due_now.append(pk)
    push_on_commit(due_now)
    return ids


def _key(row: SimpleNamespace) -> tuple:
    return tuple(getattr(row, Notification._meta.get_field(name).attname) for name in KEY)


def _on_conflict() -> str:
    """A row already there stays as it is, unless cancelled: then it is planned again. The
    rows written come back with their key (PostgreSQL and SQLite alike)."""
    quote = connection.ops.quote_name
    table = quote(Notification._meta.db_table)
    column = {name: quote(Notification._meta.get_field(name).column) for name in COLUMNS}
    key = ", ".join(column[name] for name in KEY)
    replanned = ", ".join(f"{column[name]} = EXCLUDED.{column[name]}" for name in REPLANNED)
    return (
        f"ON CONFLICT ({key}) DO UPDATE SET {replanned} "
        f"WHERE {table}.{column['status']} = %s "
        f"RETURNING {quote(Notification._meta.pk.column)}, {key}"
    )


@scope
@contextlib.contextmanager
def collected_during_transition():
    """Collect the rows planned during a transition; write them before its commit."""
    rows: list[SimpleNamespace] = []
    token = _collected.set(rows)
    try:
        yield
        _collected.set(None)
        write(rows)
    finally:
        _collected.reset(token)


def flush() -> None:
    """Write what the current transition collected so far."""
    rows = _collected.get()
    if rows:
        write(list(rows))
        rows.clear()


def cancel(queryset) -> int:
    """Cancel what has not left yet."""
    flush()
    return queryset.filter(status=Status.PLANNED).update(status=Status.CANCELLED)


def planned_for(subject, *kinds):
    rows = Notification.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    )
    return rows.filter(kind__in=kinds) if kinds else rows


def push_on_commit(notification_ids: list[int]) -> None:
    """After commit, tasks send these rows now (if still planned and due)."""
    if notification_ids:
        transaction.on_commit(functools.partial(push, notification_ids))


def push(notification_ids: list[int]) -> None:
    """Publish the tasks that send these rows; if the broker is down, the sweep sends them."""
    from notifications.tasks import deliver_many  # the tasks module imports this one

    for start in range(0, len(notification_ids), PUSH_MOST):
        batch = notification_ids[start : start + PUSH_MOST]
        try:
            deliver_many.apply_async((batch,), retry=False)
        except Exception as error:  # the broker is down: the sweep will send them all
            log.warning(
                "notifications %s not pushed (%s); the sweep will send them",
                notification_ids[start:],
                error,
            )
            return
