"""Sweep benchmark: claim and mark sent 10,000 due rows, among 1,000,000 pending rows and
among 10,000, with the real ``notifications.delivery.sweep.sweep()`` and with the same work in raw
SQL on a plain psycopg connection (the floor), in the same run.

What is measured is the database work of the sweep: claim in its batches (FOR UPDATE
SKIP LOCKED, commit, flushed to disk), then mark the rows sent in groups of 20 (one UPDATE
a group, as the sweep writes them after the e-mails left), committed without waiting for
the flush (``synchronous_commit`` off: see ``notifications.delivery.sweep._marks_not_flushed``). The
e-mail itself is stubbed out (the delivery benchmark measures it), but what building it
needs is read, as the sweep does once a batch. The floor is the best raw SQL for the same
work: one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n) RETURNING …``
a batch, one SELECT each for the batch's recipients, actions (with project and territory)
and roles, then the same grouped UPDATE, with the same commit settings and psycopg's
defaults (server-side binding, statements prepared after 5 runs).

``sweep()`` runs twice: with the project's connection settings (on PostgreSQL, server-side
binding and statements prepared after 5 runs, as the floor) and with Django's defaults
(client-side binding, no prepared statements), to show what the setting is worth.
"""

import contextlib
import datetime
import time

from bench import median, progress, say


def _table() -> str:
    from notifications.models import Notification

    return Notification._meta.db_table


def subject_role():
    """One action, one role, one contact: the subject and recipient of every row."""
    from backend.actions.models import RoleAssignment
    from tests import factories

    existing = RoleAssignment.objects.filter(contact__isnull=False).select_related("action")
    return existing.first() or factories.RoleFactory()


def seed(pending: int, due: int) -> dict:
    """``due`` rows due now and ``pending - due`` rows due later, all planned (SQL)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    role = subject_role()
    now = timezone.now()
    params = {
        "ct": ContentType.objects.get_for_model(role).pk,
        "subject": role.pk,
        "action": role.action_id,
        "contact": role.contact_id,
        "key": f"contact:{role.contact_id}",
        "now": now,
    }
    insert = f"""
        INSERT INTO {_table()} (kind, round, answer, days_before, decision_number,
            subject_type_id, subject_id, action_id, contact_id, recipient_key, email, due_at,
            status, attempts, last_error, message_id, created_at)
        SELECT 'invitation', %(prefix)s::text || i, '', 0, 0, %(ct)s, %(subject)s, %(action)s,
            %(contact)s, %(key)s, %(prefix)s::text || i || '@example.org', {{due_at}},
            'planned', 0, '', '', %(now)s
        FROM generate_series(%(lo)s::int, %(hi)s::int) AS i
    """
    later = insert.format(due_at="%(now)s + make_interval(mins => 60 + i %% 43200)")
    overdue = insert.format(due_at="%(now)s - make_interval(secs => i %% 3600)")
    chunk = 100_000
    with connection.cursor() as cursor:
        cursor.execute(overdue, {**params, "prefix": "due-", "lo": 1, "hi": due})
        cursor.execute(f"SELECT id FROM {_table()} WHERE round LIKE 'due-%'")
        due_ids = [row[0] for row in cursor.fetchall()]
        done = due
        progress("rows inserted", done, pending)
        while done < pending:
            high = min(pending, done + chunk)
            cursor.execute(
                later, {**params, "prefix": "late-", "lo": done - due + 1, "hi": high - due}
            )
            done = high
            progress("rows inserted", done, pending)
    _vacuum()
    return {"due_ids": due_ids, "now": now}


def drop_later_rows() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()} WHERE round LIKE 'late-%'")
    _vacuum()


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {_table()}")


def _count(sql: str, params=()) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def reset(state: dict) -> None:
    """The due rows planned again, as before the first run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET status = 'planned', claimed_at = NULL, sent_at = NULL, "
            "attempts = 0, message_id = '' WHERE id = ANY(%s)",
            [state["due_ids"]],
        )
    _vacuum()
    with contextlib.suppress(Exception), connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")  # each run starts from the same quiet disk


class _StubMessage:
    """What the sweep needs of a message, without building or sending an e-mail."""

    def __init__(self, row, connection=None, lookups=None):
        self.extra_headers = {"Message-ID": f"<bench-{row.pk}@localhost>"}

    def send(self):
        return 1


@contextlib.contextmanager
def _no_email():
    from django.test.utils import override_settings

    from notifications.delivery import sweep as module

    original = module.build_message
    module.build_message = _StubMessage
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            yield
    finally:
        module.build_message = original


def run_sweep(state: dict, due: int) -> float:
    from notifications.delivery.sweep import sweep

    with _no_email():
        started = time.perf_counter()
        report = sweep(now=state["now"], limit=due)
        elapsed = time.perf_counter() - started
    assert report.sent == due, report
    return elapsed


@contextlib.contextmanager
def _django_defaults():
    """The connection as Django opens it by default: client-side binding, no prepared
    statements (the project turns both on for PostgreSQL)."""
    from django.db import connection

    options = connection.settings_dict.setdefault("OPTIONS", {})
    saved = dict(options)
    connection.close()
    options.update(server_side_binding=False, prepare_threshold=None)
    try:
        yield
    finally:
        connection.close()
        options.clear()
        options.update(saved)


def run_sweep_django_defaults(state: dict, due: int) -> float:
    with _django_defaults():
        return run_sweep(state, due)


def run_raw(state: dict, due: int, dsn: str) -> float:
    import psycopg

    from notifications.delivery.sweep import BATCH_SIZE, MARK_GROUP

    table = _table()
    claim = f"""
        UPDATE {table} SET status = 'claimed', claimed_at = now()
        WHERE id IN (
            SELECT id FROM {table} WHERE status = 'planned' AND due_at <= %s
            ORDER BY due_at, id LIMIT %s FOR UPDATE SKIP LOCKED
        )
        RETURNING id, kind, email, attempts, user_id, contact_id, action_id, subject_id
    """
    # What the e-mails need, read once a batch as the sweep does: the recipients, the actions
    # with their project and territory, the roles the rows are about (with organisation,
    # contact and the action's social worker).
    reads = {
        "contacts": "SELECT * FROM partners_contact WHERE id = ANY(%s)",
        "users": "SELECT * FROM accounts_user WHERE id = ANY(%s)",
        "actions": (
            "SELECT * FROM actions_action a "
            "JOIN territories_territoryproject p ON p.id = a.project_id "
            "JOIN territories_territory t ON t.id = p.territory_id WHERE a.id = ANY(%s)"
        ),
        "roles": (
            "SELECT * FROM actions_roleassignment r "
            "JOIN partners_organisation o ON o.id = r.organisation_id "
            "LEFT JOIN partners_contact c ON c.id = r.contact_id "
            "JOIN actions_action a ON a.id = r.action_id "
            "LEFT JOIN accounts_user u ON u.id = a.social_worker_id WHERE r.id = ANY(%s)"
        ),
    }
    columns = {"users": 4, "contacts": 5, "actions": 6, "roles": 7}
    mark = (  # a group of rows, as the sweep marks them
        f"UPDATE {table} AS n SET status = 'sent', sent_at = v.sent_at, "
        "attempts = n.attempts + 1, message_id = v.message_id, last_error = '' "
        "FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[]) AS v (id, message_id, sent_at) "
        "WHERE n.id = v.id AND n.status = 'claimed'"
    )
    with psycopg.connect(dsn, autocommit=True) as conn:
        # As the sweep: the marks commit without waiting for the disk flush, the claims do.
        conn.execute("SET synchronous_commit TO off")
        started = time.perf_counter()
        sent = 0
        while sent < due:
            with conn.transaction():
                conn.execute("SET LOCAL synchronous_commit TO on")
                rows = conn.execute(claim, (state["now"], min(BATCH_SIZE, due - sent))).fetchall()
            if not rows:
                break
            for name, sql in reads.items():
                ids = sorted({row[columns[name]] for row in rows} - {None})
                if ids:
                    conn.execute(sql, (ids,)).fetchall()
            for start in range(0, len(rows), MARK_GROUP):
                group = rows[start : start + MARK_GROUP]
                ids = [row[0] for row in group]
                message_ids = [f"<bench-{pk}@localhost>" for pk in ids]
                at = datetime.datetime.now(datetime.UTC)
                conn.execute(mark, (ids, message_ids, [at] * len(ids)))
            sent += len(rows)
        elapsed = time.perf_counter() - started
    assert sent == due, sent
    return elapsed


def _check_all_sent(state: dict, due: int) -> None:
    sent = _count(
        f"SELECT count(*) FROM {_table()} WHERE id = ANY(%s) AND status = 'sent'",
        [state["due_ids"]],
    )
    assert sent == due, f"{sent} of {due} rows marked sent"


def claim_plan(state: dict) -> str:
    from django.db import connection

    from notifications.delivery.sweep import BATCH_SIZE

    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN SELECT id FROM {_table()} WHERE status = 'planned' AND due_at <= %s "
            "ORDER BY due_at, id LIMIT %s FOR UPDATE SKIP LOCKED",
            [state["now"], BATCH_SIZE],
        )
        return "\n".join(row[0] for row in cursor.fetchall())


VARIANTS = ("raw", "sweep", "sweep_django_defaults")


def measure(label: str, state: dict, due: int, dsn: str, repeat: int) -> dict:
    """``repeat`` runs of each variant, in a rotating order; medians."""
    runners = {
        "raw": lambda: run_raw(state, due, dsn),
        "sweep": lambda: run_sweep(state, due),
        "sweep_django_defaults": lambda: run_sweep_django_defaults(state, due),
    }
    times = {name: [] for name in VARIANTS}
    for index in range(repeat):
        order = VARIANTS[index % 3 :] + VARIANTS[: index % 3]
        for name in order:
            reset(state)
            pending = _count(f"SELECT count(*) FROM {_table()} WHERE status = 'planned'")
            say(f"  {label}: run {index + 1}/{repeat}, {name} ({pending:,} pending)")
            elapsed = runners[name]()
            _check_all_sent(state, due)
            times[name].append(elapsed)
            say(f"    {elapsed:.2f} s ({due / elapsed:,.0f} rows/s)")
    medians = {name: median(values) for name, values in times.items()}
    return {
        "label": label,
        "pending": pending,
        "due": due,
        **medians,
        "ratio": medians["sweep"] / medians["raw"],
        "ratio_django_defaults": medians["sweep_django_defaults"] / medians["raw"],
        "runs": times,
    }


def run(*, dsn: str, pending: int = 1_000_000, due: int = 10_000, repeat: int = 3) -> dict:
    from django.db import connection

    from notifications.delivery.sweep import BATCH_SIZE, MARK_GROUP

    say(f"sweep benchmark: seeding {pending:,} planned rows, {due:,} of them due")
    state = seed(pending, due)
    plan = claim_plan(state)
    big = measure(f"{due:,} due among {pending:,} pending", state, due, dsn, repeat)
    say(f"sweep benchmark: keeping only the {due:,} due rows")
    drop_later_rows()
    small = measure(f"{due:,} due among {due:,} pending", state, due, dsn, repeat)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {_table()}")
    return {
        "results": [big, small],
        "plan": plan,
        "scale": big["sweep"] / small["sweep"],
        "repeat": repeat,
        "batch": BATCH_SIZE,
        "group": MARK_GROUP,
    }
