"""Faults around the e-mails, with real processes: a Redis broker, a Celery worker, an SMTP
server (aiosmtpd). What is checked each time: every e-mail arrives once (counted by
Message-ID and by To + Subject on the SMTP side), and every row ends sent, or surfaced as
unconfirmed when nobody can know whether it left; none is silently lost.
"""

import datetime
import io
import time
import uuid
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from backend.actions.transitions import submit_action
from notifications.delivery.sweep import CLAIM_TIMEOUT, MARK_GROUP, sweep
from notifications.models import Kind, Notification, Status
from tests.reliability.processes import wait_until
from tests.reliability.worker_runs import (
    finished_tasks,
    pilots,
    run_on_worker,
    start_sweepers,
    submit_over_api,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def make_due_rows(count: int, role, prefix: str) -> list[Notification]:
    """``count`` invitations due now, one address each (so each e-mail can be counted)."""
    subject_type = ContentType.objects.get_for_model(role)
    now = timezone.now()
    rows = [
        Notification(
            kind=Kind.INVITATION,
            round=f"{prefix}-{index}",
            subject_type=subject_type,
            subject_id=role.pk,
            action=role.action,
            contact=role.contact,
            recipient_key=f"contact:{role.contact_id}",
            email=f"{prefix}-{index:04d}@example.org",
            due_at=now,
        )
        for index in range(count)
    ]
    return Notification.objects.bulk_create(rows, batch_size=1000)


def statuses(**filters) -> Counter:
    rows = Notification.objects.filter(**filters).values_list("status", flat=True)
    return Counter(rows)


def assert_no_duplicates(recorder) -> None:
    duplicates = recorder.duplicates()
    assert duplicates == {"message_id": {}, "to_subject": {}}, duplicates
    twice = {to: n for to, n in recorder.by_recipient().items() if n > 1}
    assert not twice, twice


def run_sweep_on_worker(app, worker, timeout: float = 60) -> None:
    run_on_worker(app, worker, "notifications.sweep_due", timeout)


def submitted_roles(count: int, project, organisation, social_worker):
    roles = pilots(count, project, organisation)
    for role in roles:
        submit_action(role.action, actor=social_worker)
    return roles


def test_smtp_down_for_a_while_every_email_arrives_once_it_is_back(
    smtp_server, smtp_settings, private_broker, worker, project, organisation, social_worker
):
    recorder = smtp_server.recorder
    smtp_server.stop()

    # 20 consultations opened while the relay is down: the immediate pushes reach the worker,
    # which cannot connect; each invitation waits, planned again with a backoff.
    roles = submitted_roles(20, project, organisation, social_worker)
    invitations = Notification.objects.filter(kind=Kind.INVITATION)
    wait_until(
        lambda: invitations.filter(attempts__gte=1).count() == 20,
        30,
        message=f"pushes not tried by the worker:\n{worker.log()[-3000:]}",
    )
    assert statuses(kind=Kind.INVITATION) == {Status.PLANNED: 20}
    first_retry = min(invitations.values_list("due_at", flat=True))
    assert first_retry > timezone.now()  # backoff: not retried in a loop

    # Sweeps while it is still down (the backoff elapsed): retried again, nothing lost.
    for minutes in (2, 6):
        report = sweep(now=timezone.now() + datetime.timedelta(minutes=minutes))
        assert report.retried == 20 and report.sent == 0
    assert statuses(kind=Kind.INVITATION) == {Status.PLANNED: 20}
    assert set(invitations.values_list("attempts", flat=True)) == {3}
    assert all(
        "111" in error or "refused" in error.lower()
        for error in invitations.values_list("last_error", flat=True)
    )
    assert recorder.count() == 0

    # The relay comes back: the next sweep after the backoff sends every one of them.
    smtp_server.start()
    report = sweep(now=timezone.now() + datetime.timedelta(hours=1))
    assert report.sent == 20, list(invitations.values_list("last_error", flat=True))[:3]
    # Later sweeps (here and on the worker) find nothing more to send.
    sweep(now=timezone.now() + datetime.timedelta(hours=2))
    run_sweep_on_worker(private_broker, worker)

    assert recorder.count() == 20
    assert_no_duplicates(recorder)
    assert set(recorder.by_recipient()) == {role.contact.email for role in roles}
    assert statuses(kind=Kind.INVITATION) == {Status.SENT: 20}
    assert set(invitations.values_list("attempts", flat=True)) == {4}


def test_smtp_refusing_for_a_while_mid_batch_is_retried_not_doubled(
    smtp_server, smtp_settings, private_broker, worker, pilot
):
    recorder = smtp_server.recorder
    make_due_rows(60, pilot, "refused")
    recorder.fail_next(15)  # the relay answers 451 (try again later) to 15 messages

    run_sweep_on_worker(private_broker, worker)
    assert recorder.refused == 15
    assert recorder.count() == 45
    assert statuses() == {Status.SENT: 45, Status.PLANNED: 15}

    report = sweep(now=timezone.now() + datetime.timedelta(minutes=2))
    assert report.sent == 15
    assert recorder.count() == 60
    assert_no_duplicates(recorder)
    assert statuses() == {Status.SENT: 60}


def test_worker_killed_mid_run_no_email_twice_and_none_lost(
    smtp_server, smtp_settings, private_broker, worker, pilot
):
    recorder = smtp_server.recorder
    recorder.delay = 0.003  # a relay at a few ms a message: 1,000 take a few seconds
    rows = make_due_rows(1000, pilot, "kill")
    addresses = {row.email for row in rows}

    # Two beat ticks at once: both pool processes sweep in parallel.
    private_broker.send_task("notifications.sweep_due")
    private_broker.send_task("notifications.sweep_due")
    recorder.wait_for(300, timeout=60)
    worker.kill()  # SIGKILL, main process and pool children
    at_kill = statuses()
    assert at_kill[Status.SENT] < 1000 and at_kill[Status.PLANNED] > 0, at_kill  # mid-run
    claimed_at_kill = set(
        Notification.objects.filter(status=Status.CLAIMED).values_list("email", flat=True)
    )

    # Restarted: the next tick sends what was never claimed; the claims of the dead worker
    # are not sent again blindly.
    worker.start()
    run_sweep_on_worker(private_broker, worker)
    assert statuses()[Status.PLANNED] == 0
    assert (
        set(Notification.objects.filter(status=Status.CLAIMED).values_list("email", flat=True))
        == claimed_at_kill
    )

    # CLAIM_TIMEOUT later, the next sweep surfaces them to staff as unconfirmed.
    later = timezone.now() + CLAIM_TIMEOUT + datetime.timedelta(minutes=1)
    output = io.StringIO()
    call_command("dispatch_due", now=later.isoformat(), stdout=output)
    assert f"non confirmées : {len(claimed_at_kill)}" in output.getvalue()

    final = statuses()
    assert set(final) <= {Status.SENT, Status.UNCONFIRMED}, final
    assert final[Status.SENT] + final[Status.UNCONFIRMED] == 1000
    unconfirmed = set(
        Notification.objects.filter(status=Status.UNCONFIRMED).values_list("email", flat=True)
    )
    assert unconfirmed == claimed_at_kill
    assert all(
        "jamais confirmé" in error
        for error in Notification.objects.filter(status=Status.UNCONFIRMED).values_list(
            "last_error", flat=True
        )
    )

    received = recorder.by_recipient()
    assert_no_duplicates(recorder)
    assert set(received) <= addresses
    sent = set(Notification.objects.filter(status=Status.SENT).values_list("email", flat=True))
    assert sent <= set(received)  # every row marked sent did arrive
    assert set(received) - sent <= unconfirmed  # what arrived unmarked is surfaced
    # ...and that is only what each pool process had sent since it last wrote its marks.
    assert len(set(received) - sent) <= 2 * MARK_GROUP


def test_redis_down_transitions_succeed_and_emails_follow_within_two_sweeps(
    redis_server, private_broker, worker, smtp_server, project, organisation, social_worker, api
):
    recorder = smtp_server.recorder
    client = api.as_user(social_worker)
    roles = pilots(105, project, organisation)

    def submit(role):
        return submit_over_api(client, role.action_id)

    # Redis up: the push after commit delivers at once, no sweep needed.
    for role in roles[:5]:
        assert submit(role).status_code == 200
    recorder.wait_for(5, timeout=30)

    redis_server.stop()
    codes, durations = Counter(), []
    for role in roles[5:]:
        started = time.monotonic()
        codes[submit(role).status_code] += 1
        durations.append(time.monotonic() - started)
    assert codes == {200: 100}
    # The push after commit tries the broker once, without retries: no request waits for it.
    slow = [round(duration, 1) for duration in durations if duration > 1]
    assert not slow, slow
    actions = [role.action for role in roles[5:]]
    for action in actions:
        action.refresh_from_db()
    assert {action.state for action in actions} == {"consultation"}
    waiting = Notification.objects.filter(kind=Kind.INVITATION, status=Status.PLANNED)
    assert waiting.count() == 100
    assert recorder.count() == 5

    redis_server.start()
    # When Redis goes while a task is not yet acknowledged, kombu may fail to put it back and
    # the worker exits ("Unrecoverable error", a known kombu fault); in production the
    # restart policy starts it again, as here. Nothing is lost: the rows wait in the database.
    worker.start_again_if_exited()
    # Beat ticks after Redis returns: the worker reconnects and sweeps.
    sweeps = 0
    while sweeps < 2 and recorder.count() < 105:
        run_sweep_on_worker(private_broker, worker, timeout=60)
        sweeps += 1
    assert recorder.count() == 105, (sweeps, recorder.count())
    assert_no_duplicates(recorder)
    assert set(recorder.by_recipient()) == {role.contact.email for role in roles}
    assert statuses(kind=Kind.INVITATION) == {Status.SENT: 105}


def test_two_beats_and_tasks_delivered_twice_send_each_email_once(
    smtp_server, smtp_settings, private_broker, worker, pilot
):
    recorder = smtp_server.recorder
    recorder.delay = 0.001
    rows = make_due_rows(300, pilot, "twice")
    app = private_broker

    # A third and fourth sweeper in this process (a manual dispatch_due, a stray beat)...
    sweepers = start_sweepers(sweep)
    # ...two beats each sending their tick, twice...
    for _ in range(4):
        app.send_task("notifications.sweep_due")
    # ...and every immediate push delivered twice (same task id: a redelivery), in the
    # batches the push after commit sends.
    batches = [[row.pk for row in rows[start : start + 10]] for start in range(0, len(rows), 10)]
    for batch in batches:
        task_id = str(uuid.uuid4())
        for _ in range(2):
            app.send_task("notifications.deliver_many", args=(batch,), task_id=task_id)
    for thread in sweepers:
        thread.join(timeout=60)

    wait_until(lambda: statuses() == {Status.SENT: 300}, 60, message=str(statuses()))
    total_tasks = 4 + 2 * len(batches)
    wait_until(
        lambda: (
            finished_tasks(worker, "notifications.deliver_many")
            + finished_tasks(worker, "notifications.sweep_due")
            >= total_tasks
        ),
        60,
        interval=0.1,
        message="the worker did not run every task",
    )

    assert recorder.count() == 300
    assert_no_duplicates(recorder)
    assert set(recorder.by_recipient()) == {row.email for row in rows}
