"""The sweep: claim due rows (FOR UPDATE SKIP LOCKED), commit the claim, send, mark sent.

A plain function: Celery beat runs it every minute (notifications.tasks.sweep_due), and
``manage.py dispatch_due [--now]`` runs it with no broker. Several sweeps at once (two beats
by mistake, a task delivered twice) never claim the same row. A row claimed but never
confirmed (the worker died mid-send) is not sent again blindly: after CLAIM_TIMEOUT it is
marked unconfirmed and shown to staff.

What a batch's e-mails need from the database beyond their rows (roles, subjects,
preferences) is read once for the batch (``notifications.delivery.lookups``), and the marks commit
without waiting for the disk (``_marks_not_flushed``): the two costs that used to be paid
once per e-mail.
"""

import contextlib
import datetime
import json
import logging
import smtplib
from dataclasses import dataclass, field

from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.actions.models import Action
from backend.partners.models import Contact
from notifications.delivery.digest import mark_digested
from notifications.delivery.emails import build_message
from notifications.delivery.lookups import Lookups
from notifications.delivery.reminder_counts import (
    REMINDED_ROLE_TYPE_SQL,
    REMINDED_ROLES,
    count_sent,
)
from notifications.models import Delivery, Kind, Notification, Status
from notifications.planning.preferences import deliveries_for

log = logging.getLogger(__name__)

# The statuses are written in the statements, not bound: the plan of a prepared statement
# then knows them (a bound status would make PostgreSQL plan each execution afresh).
MARK_SENT_SQL = (
    f"UPDATE {Notification._meta.db_table} SET status = '{Status.SENT}', sent_at = %s, "
    "attempts = attempts + 1, message_id = %s, last_error = '' "
    f"WHERE id = %s AND status = '{Status.CLAIMED}'"
)
# PostgreSQL: a group of e-mails marked in one statement, which adds the reminders among them
# to their roles' counts (``reminder_counts``: those that left before the role's answer, or
# while it has none; the condition read on the role's latest version, should an answer
# commit meanwhile).
MARK_SENT_GROUP_SQL = (
    "WITH marked AS ("
    f"UPDATE {Notification._meta.db_table} AS n SET status = '{Status.SENT}', "
    "sent_at = v.sent_at, attempts = n.attempts + 1, message_id = v.message_id, "
    "last_error = '' FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[]) "
    f"AS v (id, message_id, sent_at) WHERE n.id = v.id AND n.status = '{Status.CLAIMED}' "
    "RETURNING n.subject_type_id, n.subject_id, n.sent_at, n.kind"
    f"), reminders AS (SELECT subject_id, sent_at FROM marked WHERE kind = '{Kind.REMINDER}' "
    f"AND subject_type_id = ({REMINDED_ROLE_TYPE_SQL})) "
    f"UPDATE {REMINDED_ROLES} AS r SET reminders_before_answer = r.reminders_before_answer + ("
    "SELECT COUNT(*) FROM reminders m WHERE m.subject_id = r.id "
    "AND (r.responded_at IS NULL OR m.sent_at <= r.responded_at)) "
    "WHERE r.id IN (SELECT subject_id FROM reminders)"
)
# What sending a row reads of it (the claim returns these; the others are left deferred).
CLAIMED_FIELDS = (
    "id",
    "kind",
    "answer",
    "decision_number",
    "date",
    "subject_type",
    "subject_id",
    "action",
    "user",
    "contact",
    "recipient_key",
    "email",
    "due_at",
    "status",
    "attempts",
    "details",
)
MARK_GROUP = 20  # e-mails sent before their marks are written (and at the end of a batch)
BATCH_SIZE = 100
CLAIM_TIMEOUT = datetime.timedelta(minutes=10)
RETRY_BASE = datetime.timedelta(minutes=1)
RETRY_CAP = datetime.timedelta(hours=1)
MAX_ATTEMPTS = 12


@dataclass
class SweepReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    in_digest: int = 0
    unconfirmed: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: "SweepReport") -> None:
        for name in ("sent", "retried", "failed", "skipped", "in_digest", "unconfirmed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors


def claim(now: datetime.datetime, limit: int, only: list[int] | None = None) -> list[Notification]:
    """Claim up to ``limit`` due rows (``only`` these ids, if given) and commit the claim
    before anything is sent: one ``UPDATE … RETURNING`` of the rows locked with SKIP LOCKED.

    The rows come back in due order with their recipient and action (project, territory)
    attached, each read once for the batch: rows about the same action or person share it.
    """
    table = Notification._meta.db_table
    skip_locked = " FOR UPDATE SKIP LOCKED" if db_connection.features.has_select_for_update else ""
    among = ""
    params: list = [timezone.now(), now]
    if only is not None:
        among = f" AND id IN ({', '.join(['%s'] * len(only))})" if only else " AND false"
        params += only
    # The statuses are written in the statement, not bound (see MARK_SENT_SQL); 'planned' so,
    # the plan can use the partial index of the planned rows.
    # The wall-clock time of the claim, not the sweep's ``now``: a long sweep claims its last
    # batches long after it started, and a stale-looking claim would be surfaced as
    # unconfirmed by the next sweep while it is being sent.
    fields = [Notification._meta.get_field(name) for name in CLAIMED_FIELDS]
    sql = (
        f"UPDATE {table} SET status = '{Status.CLAIMED}', claimed_at = %s WHERE id IN ("
        f"SELECT id FROM {table} WHERE status = '{Status.PLANNED}' AND due_at <= %s{among} "
        f"ORDER BY due_at, id LIMIT %s{skip_locked}) "
        f"RETURNING {', '.join(db_connection.ops.quote_name(f.column) for f in fields)}"
    )
    with transaction.atomic():
        _flush_this_commit()
        rows = _returned_rows(sql, [*params, limit], fields)
    rows.sort(key=lambda row: (row.due_at, row.pk))
    _attach(rows, "user", User.objects)
    _attach(rows, "contact", Contact.objects)
    _attach(rows, "action", Action.objects.select_related("project__territory"))
    return rows


def _attach(rows: list[Notification], name: str, objects) -> None:
    """Set each row's ``name`` from one query for the batch (rows share what they point to)."""
    field = Notification._meta.get_field(name)
    wanted = {getattr(row, field.attname) for row in rows} - {None}
    found = objects.in_bulk(wanted) if wanted else {}
    for row in rows:
        field.set_cached_value(row, found.get(getattr(row, field.attname)))


def _returned_rows(sql: str, params: list, fields) -> list[Notification]:
    """The rows an ``UPDATE … RETURNING`` gave back, as model instances. psycopg already
    returns Python values; SQLite returns dates as text, which the ORM's converters read."""
    if db_connection.vendor != "postgresql":
        return list(Notification.objects.raw(sql, params))
    with db_connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    names = [f.attname for f in fields]
    rows = [Notification.from_db(db_connection.alias, names, values) for values in returned]
    for row in rows:  # Django has psycopg return JSON as text, for its field to decode
        if isinstance(row.__dict__.get("details"), str):
            row.details = json.loads(row.details)
    return rows


def _flush_this_commit() -> None:
    """The claim is what keeps a row from being sent twice: its commit waits for the disk
    whatever the connection was left with (see ``_marks_not_flushed``)."""
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO on")


@contextlib.contextmanager
def _marks_not_flushed():
    """While a sweep (or one batch) is sent, its marks commit without waiting for the disk
    flush (PostgreSQL's ``synchronous_commit`` off, on this connection, until it is done; the
    claims switch it back on for their own transaction).

    Why it is safe: the claim was committed, and flushed, before anything left. A mark lost in
    a database crash (at most the last fraction of a second of commits) leaves its row
    claimed: the state of a worker killed between send and mark, surfaced as unconfirmed after
    CLAIM_TIMEOUT, never resent. A worker killed changes nothing: a mark is committed and
    visible as soon as its UPDATE returns. What it saves: a disk flush per e-mail, about a
    millisecond, most of the cost of marking.
    """
    if db_connection.vendor != "postgresql" or getattr(db_connection, "_marks_not_flushed", 0):
        yield  # nothing to do, or already set by the sweep around this batch
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    db_connection._marks_not_flushed = 1
    try:
        yield
    finally:
        db_connection._marks_not_flushed = 0
        try:
            with db_connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except Exception:  # a broken connection: dropped, so the setting cannot outlive it
            log.warning("could not reset synchronous_commit: closing the connection")
            db_connection.close()


def surface_unconfirmed(now: datetime.datetime) -> int:
    """Claims older than CLAIM_TIMEOUT never confirmed: surfaced, not resent."""
    stale = Notification.objects.filter(status=Status.CLAIMED, claimed_at__lt=now - CLAIM_TIMEOUT)
    return stale.update(
        status=Status.UNCONFIRMED,
        last_error="Envoi commencé mais jamais confirmé (processus interrompu ?) : vérifiez "
        "avant de renvoyer.",
    )


def sweep(now: datetime.datetime | None = None, limit: int = 5000) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport(unconfirmed=surface_unconfirmed(now))
    remaining = limit
    with _marks_not_flushed():
        while remaining > 0:
            wanted = min(BATCH_SIZE, remaining)
            rows = claim(now, wanted)
            if rows:
                report.add(deliver(rows, now))
            if len(rows) < wanted:
                break  # nothing more is due (what falls due meanwhile waits for the next sweep)
            remaining -= len(rows)
    return report


def deliver_now(notification_ids: list[int], now: datetime.datetime | None = None) -> SweepReport:
    """Send these rows now if they are due and nobody else has them (the immediate push)."""
    now = now or timezone.now()
    report = SweepReport()
    for start in range(0, len(notification_ids), BATCH_SIZE):
        batch = notification_ids[start : start + BATCH_SIZE]
        rows = claim(now, len(batch), only=batch)
        if rows:
            report.add(deliver(rows, now))
    return report


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return isinstance(error, smtplib.SMTPSenderRefused | ValueError)


def _mark(row: Notification, now, **fields) -> None:
    """Update a claimed row (only if still ours: nobody else may have touched it)."""
    Notification.objects.filter(pk=row.pk, status=Status.CLAIMED).update(**fields)


class SentMarks:
    """The marks of the e-mails that left, written in groups of MARK_GROUP: one statement for
    twenty e-mails instead of one each.

    What a group costs if the worker dies before writing it: its rows stay claimed, which is
    the state of a worker killed between a send and its mark; after CLAIM_TIMEOUT they are
    surfaced as unconfirmed, never resent. A group is written when full, when the batch ends,
    and on the way out of any error (``deliver``'s ``finally``). The reminders marked are
    counted on their roles in the same transaction (``reminder_counts.count_sent``).
    """

    def __init__(self):
        self.pending: list[tuple[int, str, datetime.datetime]] = []
        self.rows: dict[int, Notification] = {}

    def add(self, row: Notification, message_id: str) -> None:
        self.pending.append((row.pk, message_id, timezone.now()))
        self.rows[row.pk] = row
        if len(self.pending) >= MARK_GROUP:
            self.write()

    def write(self) -> None:
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        rows, self.rows = self.rows, {}
        if db_connection.vendor == "postgresql":  # one statement: the marks and the counts
            ids, message_ids, times = (list(column) for column in zip(*pending, strict=True))
            with db_connection.cursor() as cursor:
                cursor.execute(MARK_SENT_GROUP_SQL, [ids, message_ids, times])
            return
        with transaction.atomic(), db_connection.cursor() as cursor:  # elsewhere: one by one
            marked = set()
            for pk, mid, at in pending:
                cursor.execute(MARK_SENT_SQL, (at, mid, pk))
                if cursor.rowcount:
                    marked.add(pk)
            count_sent([(rows[pk], at) for pk, _mid, at in pending if pk in marked])


def _retry_or_fail(row: Notification, now, error: Exception, report: SweepReport) -> None:
    attempts = row.attempts + 1
    reason = f"{error.__class__.__name__}: {error}"[:2000]
    if _is_permanent(error) or attempts >= MAX_ATTEMPTS:
        _mark(row, now, status=Status.FAILED, attempts=attempts, last_error=reason)
        report.failed += 1
        return
    delay = min(RETRY_CAP, RETRY_BASE * (2 ** (attempts - 1)))
    _mark(
        row,
        now,
        status=Status.PLANNED,
        attempts=attempts,
        last_error=reason,
        due_at=now + delay,
        claimed_at=None,
    )
    report.retried += 1


def deliver(rows: list[Notification], now: datetime.datetime) -> SweepReport:
    report = SweepReport()
    to_send = []
    deliveries = deliveries_for(rows)
    for row in rows:
        delivery = deliveries[row.pk]
        if delivery == Delivery.NONE:
            _mark(row, now, status=Status.SKIPPED)
            report.skipped += 1
        elif delivery == Delivery.DIGEST:
            _mark(row, now, status=Status.IN_DIGEST)
            report.in_digest += 1
        else:
            to_send.append(row)
    if not to_send:
        return report
    lookups = Lookups.for_rows(to_send)
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # the SMTP server is down: every row waits and is retried
        for row in to_send:
            _retry_or_fail(row, now, error, report)
        report.errors.append(str(error))
        return report
    marks = SentMarks()
    try:
        with _marks_not_flushed():
            for row in to_send:
                try:
                    message = build_message(row, connection=connection, lookups=lookups)
                    message.send()
                except Exception as error:
                    _retry_or_fail(row, now, error, report)
                    if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
                        _reopen(connection)
                    continue
                message_id = message.extra_headers["Message-ID"]
                lookups.sent(row, message_id)  # the batch's next e-mails follow it
                if row.kind == Kind.DIGEST:  # what it listed has left with it
                    mark_digested(lookups.digest_items(row), message_id)
                marks.add(row, message_id)
                report.sent += 1
            marks.write()
    finally:
        try:  # on the way out of an error: what left is marked (nothing to do otherwise)
            marks.write()
        except Exception:  # the database is gone: those rows stay claimed, then unconfirmed
            log.exception("could not mark %d e-mails sent", len(marks.pending))
        try:
            connection.close()
        except Exception:  # closing a broken connection
            log.debug("SMTP connection already closed")
    return report


def _reopen(connection) -> None:
    """After a dropped connection: try again (if still down, the next rows are retried too)."""
    with contextlib.suppress(Exception):
        connection.close()
    with contextlib.suppress(Exception):
        connection.open()
