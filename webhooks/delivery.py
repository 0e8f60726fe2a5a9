"""Sending the webhook outbox: claim due deliveries (FOR UPDATE SKIP LOCKED), commit the
claim, POST each one, write the attempt and what comes next.

A plain function: Celery beat runs ``sweep`` every minute (``webhooks.tasks.sweep_due``) and
the push after a transition's commit runs ``deliver_now`` on the new rows. Two workers never
claim the same row. A non-2xx answer (or no answer) is retried with backoff under the same
``webhook-id`` (the first retry 30 seconds later, then 2 and 10 minutes, … up to a day apart;
given up after MAX_ATTEMPTS, about six days). A delivery claimed by a worker that died before
it wrote the outcome is sent again after CLAIM_TIMEOUT with the same ``webhook-id``: Standard
Webhooks receivers drop a message id they already have, so at least once, never lost.
"""

import datetime
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from webhooks.health import record_failure, record_success
from webhooks.models import Attempt, Delivery, DeliveryStatus
from webhooks.payload import body, headers

log = logging.getLogger(__name__)

BATCH_SIZE = 50
CLAIM_TIMEOUT = datetime.timedelta(minutes=5)
RETRY_DELAYS = tuple(
    datetime.timedelta(seconds=seconds)
    for seconds in (30, 120, 600, 1800, 3600, 7200, 14400, 28800, 43200, *[86400] * 6)
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
INTERRUPTED = (
    "Envoi interrompu avant sa réponse (processus arrêté ?) : renvoyé avec le même webhook-id."
)


@dataclass
class SweepReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0

    def add(self, other: "SweepReport") -> None:
        for name in ("delivered", "retried", "failed", "released"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long after its ``attempts``-th failed attempt a delivery is tried again."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def claim(now: datetime.datetime, limit: int, only: list[int] | None = None) -> list[Delivery]:
    """Claim up to ``limit`` due deliveries of active endpoints (``only`` these ids, if given)
    and commit the claim before anything is sent. Rows another worker holds are skipped."""
    with transaction.atomic():
        due = Delivery.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__active=True
        )
        if only is not None:
            due = due.filter(pk__in=only)
        ids = list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.SENDING, claimed_at=timezone.now()
        )
    rows = Delivery.objects.filter(pk__in=ids).select_related(
        "endpoint", "log__action__project__territory"
    )
    return sorted(rows, key=lambda row: (row.next_attempt_at, row.pk))


def release_stale(now: datetime.datetime) -> int:
    """Claims older than CLAIM_TIMEOUT (the worker died mid-send): an attempt of unknown
    outcome is logged and the delivery is due again, with the same webhook-id."""
    with transaction.atomic():
        stale = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
            .values_list("pk", "endpoint_id", "attempts")
        )
        if not stale:
            return 0
        Attempt.objects.bulk_create(
            Attempt(
                delivery_id=pk, endpoint_id=endpoint, number=attempts + 1, at=now, error=INTERRUPTED
            )
            for pk, endpoint, attempts in stale
        )
        Delivery.objects.filter(pk__in=[pk for pk, _, _ in stale]).update(
            status=DeliveryStatus.PENDING,
            attempts=F("attempts") + 1,
            claimed_at=None,
            next_attempt_at=now,
            last_error=INTERRUPTED,
        )
    return len(stale)


def sweep(now: datetime.datetime | None = None, limit: int = 1000) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport(released=release_stale(now))
    remaining = limit
    unreachable: dict[int, datetime.datetime] = {}  # for the whole sweep: tried once each
    while remaining > 0:
        wanted = min(BATCH_SIZE, remaining)
        rows = claim(now, wanted)
        if rows:
            report.add(deliver(rows, now, unreachable))
        if len(rows) < wanted:
            break
        remaining -= len(rows)
    return report


def deliver_now(delivery_ids: list[int], now: datetime.datetime | None = None) -> SweepReport:
    """Send these deliveries if they are due and nobody else has them (the push)."""
    now = now or timezone.now()
    report = SweepReport()
    unreachable: dict[int, datetime.datetime] = {}
    for start in range(0, len(delivery_ids), BATCH_SIZE):
        rows = claim(now, BATCH_SIZE, only=delivery_ids[start : start + BATCH_SIZE])
        if rows:
            report.add(deliver(rows, now, unreachable))
    return report


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirection is an answer other than 2xx: not followed (Standard Webhooks)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(delivery: Delivery) -> tuple[int | None, str, int]:
    """POST one delivery: (HTTP status or None, error or "", duration in ms)."""
    data = body(delivery)
    request = urllib.request.Request(
        delivery.endpoint.url, data=data.encode(), headers=headers(delivery, data), method="POST"
    )
    started = time.monotonic()
    code, error = None, ""
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            code = response.status
            response.read(1024)
    except urllib.error.HTTPError as answer:
        code = answer.code
        error = f"HTTP {answer.code} {answer.reason}"
        answer.close()
    except Exception as failure:  # refused, timed out, bad address: no answer
        error = f"{failure.__class__.__name__}: {failure}"[:2000]
    if code is not None and not 200 <= code < 300 and not error:
        error = f"HTTP {code}"
    return code, error, int((time.monotonic() - started) * 1000)


def deliver(rows: list[Delivery], now: datetime.datetime, unreachable=None) -> SweepReport:
    """Send claimed rows, one HTTP request each. When an endpoint does not answer at all, its
    other rows of the sweep are not tried (they wait as long as the one that failed):
    ``unreachable``, {endpoint id: when it is tried again}, is shared by a sweep's batches."""
    report = SweepReport()
    unreachable = {} if unreachable is None else unreachable
    for row in rows:
        if row.endpoint_id in unreachable:
            _put_back(row, unreachable[row.endpoint_id])
            continue
        try:
            code, error, duration = post(row)
        except Exception as failure:  # building the body or the headers: a bug, not the network
            log.exception("webhook delivery %s could not be built", row.pk)
            code, error, duration = None, f"{failure.__class__.__name__}: {failure}", 0
        succeeded = code is not None and 200 <= code < 300
        outcome = _mark(row, now, code=code, error=error, duration=duration, succeeded=succeeded)
        if succeeded:
            report.delivered += 1
        elif outcome.status == DeliveryStatus.FAILED:
            report.failed += 1
        else:
            report.retried += 1
            if code is None:
                unreachable[row.endpoint_id] = outcome.next_attempt_at
    return report


def _put_back(row: Delivery, due: datetime.datetime) -> None:
    Delivery.objects.filter(pk=row.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.PENDING, claimed_at=None, next_attempt_at=due
    )


def _mark(row: Delivery, now, *, code, error, duration, succeeded) -> Delivery:
    """The attempt, and the delivery's next step: delivered, due again later, or given up."""
    attempts = row.attempts + 1
    row.attempts, row.last_status_code, row.last_error, row.claimed_at = attempts, code, error, None
    if succeeded:
        row.status, row.delivered_at = DeliveryStatus.DELIVERED, timezone.now()
    elif attempts >= MAX_ATTEMPTS:
        row.status = DeliveryStatus.FAILED
    else:
        row.status, row.next_attempt_at = DeliveryStatus.PENDING, now + retry_delay(attempts)
    fields = ["status", "attempts", "last_status_code", "last_error", "claimed_at"]
    fields += ["delivered_at"] if succeeded else ["next_attempt_at"]
    with transaction.atomic():
        Attempt.objects.create(
            delivery=row,
            endpoint_id=row.endpoint_id,
            number=attempts,
            at=timezone.now(),
            status_code=code,
            error=error,
            duration_ms=duration,
            succeeded=succeeded,
        )
        # still ours (a claim released as stale meanwhile is left to its new owner)
        Delivery.objects.filter(pk=row.pk, status=DeliveryStatus.SENDING).update(
            **{name: getattr(row, name) for name in fields}
        )
        if succeeded:
            record_success(row.endpoint)
        else:
            record_failure(row.endpoint, now)
    return row
