"""Faults around the webhooks, with real processes: a private Redis, a Celery worker, a real
HTTP receiver (``tests.webhooks.receiver``). What is checked each time: every event reaches
the receiver (counted by ``webhook-id``, each signature verified), none is lost, and none is
accepted twice, but for the at most one request per worker process in flight when it was
killed, sent again under the same ``webhook-id`` (Standard Webhooks receivers drop an id they
already have)."""

import datetime
import statistics
import time
import uuid
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from backend.actions.models import Action
from backend.actions.transitions import submit_action
from tests.reliability.processes import wait_until
from tests.reliability.worker_runs import (
    finished_tasks,
    pilots,
    run_on_worker,
    start_sweepers,
    submit_over_api,
)
from webhooks.delivery import CLAIM_TIMEOUT, INTERRUPTED, sweep
from webhooks.endpoints import register_endpoint
from webhooks.models import Attempt, Delivery, DeliveryStatus
from webhooks.outbox import DELIVER, record_transitions
from workflows.models import TransitionLog

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def statuses() -> Counter:
    return Counter(Delivery.objects.values_list("status", flat=True))


def sweep_on_worker(app, worker, timeout: float = 60) -> None:
    run_on_worker(app, worker, "webhooks.sweep_due", timeout)


def consultations(count, project, organisation):
    """Draft actions with a pilot (with a contact) each."""
    return [role.action for role in pilots(count, project, organisation)]


def logged_events(count: int, action) -> list[int]:
    """``count`` transitions' log rows and their deliveries, committed (the push follows)."""
    subject_type = ContentType.objects.get_for_model(Action)
    with transaction.atomic():
        logs = TransitionLog.objects.bulk_create(
            TransitionLog(
                subject_type=subject_type,
                subject_id=action.pk,
                action=action,
                transition="submit",
                source="draft",
                target="consultation",
                actor_label=f"Agent {index}",
            )
            for index in range(count)
        )
        return record_transitions(logs, "action.transition")


def assert_each_event_accepted_once(receiver, endpoint, expected: int, tolerated=()) -> None:
    ids = receiver.accepted_ids()
    assert set(ids) == {f"msg_{log}" for log in Delivery.objects.values_list("log", flat=True)}
    assert len(ids) == expected
    twice = {webhook_id for webhook_id, count in ids.items() if count > 1}
    assert twice <= set(tolerated), twice
    for request in receiver.accepted():
        receiver.verified(endpoint.secret, request)


def test_receiver_down_for_a_while_every_event_arrives_once_it_is_back(
    receiver, private_broker, worker, project, organisation, social_worker
):
    receiver.stop()
    endpoint = register_endpoint(url=receiver.url, events=["*"])
    for action in consultations(10, project, organisation):
        submit_action(action, actor=social_worker)  # the action's and its role's transition
    deliveries = Delivery.objects.all()
    assert deliveries.count() == 20

    # The pushes after commit reach the worker, which cannot connect: each delivery waits,
    # due again within a minute.
    wait_until(
        lambda: deliveries.filter(attempts__gte=1, status="pending").count() == 20,
        30,
        message=f"pushes not tried by the worker:\n{worker.log()[-3000:]}",
    )
    now = timezone.now()
    for row in deliveries:
        assert now < row.next_attempt_at <= now + datetime.timedelta(minutes=1)
        assert "refused" in row.last_error.lower() or "111" in row.last_error
    # still down a minute later: tried again (once: the other deliveries to an endpoint that
    # does not answer wait as long as it, untried), kept
    assert sweep(now=now + datetime.timedelta(minutes=1)).retried == 1
    assert statuses() == {DeliveryStatus.PENDING: 20}
    assert receiver.snapshot() == []

    receiver.start()
    report = sweep(now=now + datetime.timedelta(minutes=10))
    assert report.delivered == 20
    sweep_on_worker(private_broker, worker)  # finds nothing more to send
    assert statuses() == {DeliveryStatus.DELIVERED: 20}
    assert min(deliveries.values_list("attempts", flat=True)) == 2  # the push's, the last
    assert_each_event_accepted_once(receiver, endpoint, 20)


def test_worker_killed_mid_run_no_event_lost_and_only_in_flight_ones_resent(
    receiver, private_broker, worker, action
):
    receiver.delay = 0.02  # 20 ms a request: 300 take a few seconds
    endpoint = register_endpoint(url=receiver.url, events=["action.transition"])
    ids = logged_events(300, action)  # pushed after commit: three tasks of 100
    private_broker.send_task("webhooks.sweep_due")
    wait_until(lambda: len(receiver.accepted()) >= 80, 60, message="nothing received")
    worker.kill()  # SIGKILL, the main process and its pool children
    at_kill = statuses()
    assert at_kill[DeliveryStatus.DELIVERED] < 300, at_kill  # mid-run
    claimed = set(
        Delivery.objects.filter(status=DeliveryStatus.SENDING).values_list("log", flat=True)
    )

    # Restarted: the next tick sends what nobody had claimed; the dead worker's claims wait.
    worker.start()
    sweep_on_worker(private_broker, worker)

    def only_dead_claims_left():
        sending = Delivery.objects.filter(status=DeliveryStatus.SENDING)
        return (
            not statuses()[DeliveryStatus.PENDING]
            and set(sending.values_list("log", flat=True)) <= claimed
        )

    wait_until(only_dead_claims_left, 30, message=str(statuses()))
    # CLAIM_TIMEOUT later they are due again, an attempt of unknown outcome logged, and sent.
    later = timezone.now() + CLAIM_TIMEOUT + datetime.timedelta(minutes=1)
    report = sweep(now=later)
    assert report.released == len(claimed)
    assert Attempt.objects.filter(error=INTERRUPTED).count() == len(claimed)
    assert statuses() == {DeliveryStatus.DELIVERED: 300}
    assert len(ids) == 300
    # at most the one request each of the two pool processes had in flight arrives twice
    resent = {f"msg_{log}" for log in claimed}
    assert_each_event_accepted_once(receiver, endpoint, 300, tolerated=resent)
    assert sum(count - 1 for count in receiver.accepted_ids().values()) <= 2


def test_redis_down_transitions_succeed_and_webhooks_follow_on_the_next_sweep(
    redis_server, private_broker, worker, receiver, project, organisation, social_worker, api
):
    endpoint = register_endpoint(url=receiver.url, events=["action.transition"])
    client = api.as_user(social_worker)
    actions = consultations(25, project, organisation)

    def submit(action):
        return submit_over_api(client, action.pk)

    def timed(action):
        started = time.monotonic()
        assert submit(action).status_code == 200
        return time.monotonic() - started

    up = [timed(action) for action in actions[:5]]  # Redis up: pushed at once, no sweep
    wait_until(lambda: len(receiver.accepted()) == 5, 30, message="pushes not delivered")

    redis_server.stop()
    down = [timed(action) for action in actions[5:]]
    # The push tries the broker once, without retries (kombu's default would retry for
    # seconds): a transition takes about as long as with Redis up, however loaded the machine.
    assert statistics.median(down) < 2 * statistics.median(up) + 0.5, (up, down)
    assert statuses() == {DeliveryStatus.DELIVERED: 5, DeliveryStatus.PENDING: 20}
    assert len(receiver.accepted()) == 5

    redis_server.start()
    worker.start_again_if_exited()  # kombu may exit when Redis goes (see the e-mail test)
    sweep_on_worker(private_broker, worker)
    assert statuses() == {DeliveryStatus.DELIVERED: 25}
    assert_each_event_accepted_once(receiver, endpoint, 25)


def test_two_sweepers_and_pushes_delivered_twice_send_each_event_once(
    receiver, private_broker, worker, action
):
    receiver.delay = 0.002
    endpoint = register_endpoint(url=receiver.url, events=["*"])
    with transaction.atomic():  # written without their pushes: the test sends them, twice
        ids = logged_events(200, action)
        transaction.get_connection().run_on_commit = []

    sweepers = start_sweepers(sweep)
    for _ in range(4):
        private_broker.send_task("webhooks.sweep_due")
    batches = [ids[start : start + 10] for start in range(0, len(ids), 10)]
    for batch in batches:
        task_id = str(uuid.uuid4())
        for _ in range(2):
            private_broker.send_task(DELIVER, args=(batch,), task_id=task_id)
    for thread in sweepers:
        thread.join(timeout=60)

    wait_until(lambda: statuses() == {DeliveryStatus.DELIVERED: 200}, 60, message=str(statuses()))
    wait_until(
        lambda: (
            finished_tasks(worker, DELIVER) + finished_tasks(worker, "webhooks.sweep_due")
            >= 4 + 2 * len(batches)
        ),
        60,
        interval=0.1,
        message="the worker did not run every task",
    )
    assert_each_event_accepted_once(receiver, endpoint, 200)
    assert len(receiver.snapshot()) == 200
