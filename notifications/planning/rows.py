"""Writing and cancelling notification rows, inside the caller's transaction.

A service collects the rows its transition plans (``notice``) and writes them at once
(``write``: a few statements however many rows). The unique key (subject, kind, recipient and
occasion: ``models.KEY``) keeps a second copy out: an existing row stays as it is, except a
cancelled one, which is planned again. ``plan`` writes one row at once.

Rows due now are also pushed to a worker once the transaction commits
(``transaction.on_commit``), in one task per batch of the sweep's size. The push is only for
speed: the broker is tried once, without retries (the settings'
``CELERY_BROKER_TRANSPORT_OPTIONS``), and if it is down the push is logged and dropped; the
rows wait in the database for the next sweep.
"""

import functools
import logging

from celery import current_app
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import KEY, Notification, Status

log = logging.getLogger(__name__)

DELIVER_MANY = "notifications.deliver_many"  # the task that sends rows due now
PUSH_MOST = 100  # rows per task at most (the sweep's batch): a burst is shared by the workers

KEY_COLUMNS = tuple(Notification._meta.get_field(name).attname for name in KEY)
REPLANNED = ("status", "due_at", "email")  # what planning a cancelled row again changes


def recipient_key(recipient) -> str:
    prefix = "user" if hasattr(recipient, "is_staff_member") else "contact"
    return f"{prefix}:{recipient.pk}"


def notice(kind, *, subject, recipient, due_at=None, action=None, **occasion):
    """One notification row to write (not saved), or None for a recipient without an
    address. ``occasion``: the key fields the kind sets (``round``, ``answer``,
    ``days_before``, ``decision_number``, ``date``; see ``models.KEY``)."""
    email = getattr(recipient, "email", "")
    if not email:
        return None
    is_user = hasattr(recipient, "is_staff_member")
    return Notification(
        subject_type_id=ContentType.objects.get_for_model(subject).pk,
        subject_id=subject.pk,
        kind=kind,
        recipient_key=recipient_key(recipient),
        action_id=action.pk if action is not None else None,
        user_id=recipient.pk if is_user else None,
        contact_id=None if is_user else recipient.pk,
        email=email,
        due_at=due_at or timezone.now(),
        status=Status.PLANNED,
        **occasion,
    )


def plan(kind, *, subject, recipient, due_at=None, action=None, **occasion) -> None:
    """Plan one notification now (a service planning several collects ``notice`` rows and
    calls ``write`` once)."""
    row = notice(
        kind, subject=subject, recipient=recipient, due_at=due_at, action=action, **occasion
    )
    if row is not None:
        write([row])


def write(rows: list) -> list[int]:
    """Write the rows (None entries are skipped); returns the ids of those now planned that
    were not before (new, or cancelled and planned again). Those due now are pushed after
    commit."""
    unique = {}
    for row in rows:  # a key twice: the first one wins
        if row is not None:
            unique.setdefault(_key(row), row)
    if not unique:
        return []
    stored = _same_keys(unique).only("pk", "status", *KEY)
    existing = {_key(row): row for row in stored if _key(row) in unique}
    fresh = {key: row for key, row in unique.items() if key not in existing}
    Notification.objects.bulk_create(fresh.values(), ignore_conflicts=True)
    written = [row for row in _same_keys(fresh).only("pk", *KEY) if _key(row) in fresh]
    for row in written:
        unique[_key(row)].pk = row.pk
    replanned = []
    for key, old in existing.items():
        if old.status == Status.CANCELLED:
            row = unique[key]
            row.pk = old.pk
            replanned.append(row)
    # still cancelled when written: a row planned again meanwhile is left as it is
    Notification.objects.filter(status=Status.CANCELLED).bulk_update(replanned, REPLANNED)
    now = timezone.now()
    planned = [*written, *replanned]
    push_on_commit([unique[_key(row)].pk for row in planned if unique[_key(row)].due_at <= now])
    return [row.pk for row in planned]


def _key(row) -> tuple:
    return tuple(getattr(row, column) for column in KEY_COLUMNS)


def _same_keys(rows):
    """The stored rows that may share a key with these (the exact key is compared after)."""
    if not rows:
        return Notification.objects.none()
    rows = list(rows.values()) if isinstance(rows, dict) else rows
    subjects: dict[int, set] = {}
    for row in rows:
        subjects.setdefault(row.subject_type_id, set()).add(row.subject_id)
    match = Q()
    for subject_type_id, ids in subjects.items():
        match |= Q(subject_type_id=subject_type_id, subject_id__in=ids)
    return Notification.objects.filter(match, kind__in={row.kind for row in rows}).order_by()


def cancel(queryset) -> int:
    """Cancel what has not left yet."""
    return queryset.filter(status=Status.PLANNED).update(status=Status.CANCELLED)


def send_again(queryset, *, email: str = "") -> list[int]:
    """The failed rows of ``queryset`` planned again, due now (to ``email`` if given, e.g. a
    corrected address), pushed after commit like any row due now; the sweep is the safety
    net. Returns their ids."""
    ids = list(queryset.filter(status=Status.FAILED).values_list("pk", flat=True))
    again = {"status": Status.PLANNED, "due_at": timezone.now(), "claimed_at": None, "attempts": 0}
    if email:
        again["email"] = email
    Notification.objects.filter(pk__in=ids, status=Status.FAILED).update(**again)
    push_on_commit(ids)
    return ids


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
    """Publish the tasks that send these rows; if the broker is down, the sweep sends them.
    The task is named, not imported: planning stays below delivery (``notifications.tasks``
    declares it under this name)."""
    for start in range(0, len(notification_ids), PUSH_MOST):
        batch = notification_ids[start : start + PUSH_MOST]
        try:
            current_app.send_task(DELIVER_MANY, args=(batch,), retry=False)
        except Exception as error:  # the broker is down: the sweep will send them all
            log.warning(
                "notifications %s not pushed (%s); the sweep will send them",
                notification_ids[start:],
                error,
            )
            return
