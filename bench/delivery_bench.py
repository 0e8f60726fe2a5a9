"""Delivery benchmark: 10,000 e-mails to a local aiosmtpd through the real Celery worker
(beat's sweep task on a private Redis, the worker sweeping, building each message with
``notifications.delivery.emails.build_message``, sending it, marking its row), against plain smtplib
sending the same messages, already built, on one connection (the floor).

The SMTP server runs in its own process and counts what it accepts (and what it accepts
twice). Rates are e-mails per second, from the first command (task sent, or first
``sendmail``) to the last message accepted.
"""

import multiprocessing
import os
import smtplib
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

from bench import ROOT, accumulating, free_port, progress, say, wait_for

# --- the SMTP server (its own process) ----------------------------------------------------------


def _serve(port, count, duplicates, first, last, generation, ready, stop):
    """Runs in a spawned process: aiosmtpd accepting and counting every message."""
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    state = {"generation": -1, "seen": set()}

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            now = time.time()
            key = ",".join(envelope.rcpt_tos)
            with count.get_lock():
                if generation.value != state["generation"]:
                    state["generation"], state["seen"] = generation.value, set()
                if key in state["seen"]:
                    duplicates.value += 1
                state["seen"].add(key)
                if count.value == 0:
                    first.value = now
                count.value += 1
                last.value = now
            return "250 2.0.0 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class Sink:
    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.port = free_port()
        self.count = context.Value("q", 0)
        self.duplicates = context.Value("q", 0)
        self.first = context.Value("d", 0.0)
        self.last = context.Value("d", 0.0)
        self.generation = context.Value("q", 0)
        self._ready, self._stop = context.Event(), context.Event()
        self.process = context.Process(
            target=_serve,
            args=(
                self.port,
                self.count,
                self.duplicates,
                self.first,
                self.last,
                self.generation,
                self._ready,
                self._stop,
            ),
            daemon=True,
        )

    def start(self) -> "Sink":
        self.process.start()
        if not self._ready.wait(20):
            raise RuntimeError("the SMTP server did not start")
        return self

    def reset(self) -> None:
        with self.count.get_lock():
            self.count.value = self.duplicates.value = 0
            self.first.value = self.last.value = 0.0
            self.generation.value += 1

    def stop(self) -> None:
        self._stop.set()
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()


# --- data ----------------------------------------------------------------------------------------


def seed(count: int) -> list[int]:
    """``count`` invitations due now, one address each."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from bench.sweep_bench import subject_role
    from notifications.models import Kind, Notification

    role = subject_role()
    subject_type = ContentType.objects.get_for_model(role)
    now = timezone.now()
    ids = []
    for start in range(0, count, 2000):
        rows = [
            Notification(
                kind=Kind.INVITATION,
                round=f"dlv-{index}",  # one row each
                subject_type=subject_type,
                subject_id=role.pk,
                action=role.action,
                contact=role.contact,
                recipient_key=f"contact:{role.contact_id}",
                email=f"delivery-{index:05d}@example.org",
                due_at=now,
            )
            for index in range(start, min(count, start + 2000))
        ]
        ids += [row.pk for row in Notification.objects.bulk_create(rows)]
        progress("rows created", len(ids), count)
    return ids


def _rows(ids):
    from notifications.models import Notification

    return list(
        Notification.objects.filter(id__in=ids)
        .select_related("user", "contact", "action__project__territory")
        .order_by("id")
    )


def _replan(ids) -> None:
    from notifications.models import Notification, Status

    Notification.objects.filter(id__in=ids).update(
        status=Status.PLANNED, claimed_at=None, sent_at=None, attempts=0, message_id=""
    )


def _sent(ids) -> int:
    from notifications.models import Notification, Status

    return Notification.objects.filter(id__in=ids, status=Status.SENT).count()


# --- the floor: plain smtplib, one connection ------------------------------------------------


def build_floor(ids: list[int]) -> dict:
    """The floor's messages, built once (timed apart) and sent as bytes by ``send_floor``."""
    from notifications.delivery.emails import build_message

    say("  floor: building the same messages (timed apart)")
    rows = _rows(ids)
    messages = []
    building = time.perf_counter()
    for index, row in enumerate(rows, 1):
        message = build_message(row)
        messages.append(
            (message.from_email, message.recipients(), message.message().as_bytes(linesep="\r\n"))
        )
        if index % 500 == 0 or index == len(rows):
            progress("messages built", index, len(rows))
    return {"messages": messages, "build_seconds": time.perf_counter() - building}


def send_floor(sink: Sink, built: dict) -> dict:
    messages = built["messages"]
    size = sum(len(data) for _, _, data in messages) / len(messages)
    say(f"  floor: smtplib, one connection, {len(messages):,} messages")
    sink.reset()
    started = time.time()
    smtp = smtplib.SMTP("127.0.0.1", sink.port)
    for index, (sender, recipients, data) in enumerate(messages, 1):
        smtp.sendmail(sender, recipients, data)
        if index % 1000 == 0 or index == len(messages):
            progress("sent", index, len(messages))
    smtp.quit()
    wait_for(lambda: sink.count.value >= len(messages), 30, what="floor messages")
    elapsed = sink.last.value - started
    assert sink.duplicates.value == 0
    return {
        "count": len(messages),
        "seconds": elapsed,
        "rate": len(messages) / elapsed,
        "size": size,
        "build_seconds": built["build_seconds"],
        "build_and_send_rate": len(messages) / (built["build_seconds"] + elapsed),
    }


def _mean(runs: list[dict]) -> dict:
    """The first run's figures, with the rate and time the mean of every run's."""
    mean = dict(runs[0])
    mean["rate"] = sum(run["rate"] for run in runs) / len(runs)
    mean["seconds"] = sum(run["seconds"] for run in runs) / len(runs)
    mean["rates"] = [run["rate"] for run in runs]
    mean["duplicates"] = sum(run.get("duplicates", 0) for run in runs)
    return mean


# --- the worker --------------------------------------------------------------------------------


class WorkerProcess:
    def __init__(self, *, concurrency: int, env: dict):
        self.concurrency = concurrency
        self.env = env
        self.log = Path(tempfile.mkstemp(prefix="bench-worker-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery"),
                    *("-A", "backend", "worker", f"--concurrency={self.concurrency}"),
                    *("--loglevel=INFO", "--without-heartbeat", "--without-gossip"),
                    *("--without-mingle", "-n", f"bench-{os.getpid()}@%h"),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited:\n{self.tail()}")
            return " ready." in self.log.read_text(errors="replace")

        wait_for(ready, 60, interval=0.1, what="the worker")
        return self

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(10)
            self.process = None
        self.log.unlink(missing_ok=True)


def worker_env(sink: Sink) -> dict:
    """A worker's environment: the benchmark's database and broker, the counting SMTP server."""
    from django.conf import settings

    return {
        **os.environ,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "LOG_LEVEL": "WARNING",
    }


def sweep_until_received(sink: Sink, ids: list[int], *, ticks: int, tail) -> tuple[float, int]:
    """Send ``ticks`` beat ticks at once (one per pool process: they sweep in parallel,
    5,000 rows each at most), then wait until the SMTP server has received every e-mail,
    sending one more tick when nothing arrives for 20 s (at most 10 more; ``tail()`` says
    why if it still stalls). Returns the seconds from the ticks to the last e-mail accepted
    and the ticks sent; the rows must then all be marked sent."""
    from backend.celery import app

    total = len(ids)
    sink.reset()
    started = time.time()
    for _ in range(ticks):
        app.send_task("notifications.sweep_due")
    sent_ticks, seen, stalled_since = ticks, 0, time.monotonic()
    while sink.count.value < total:
        time.sleep(0.2)
        count = sink.count.value
        progress("received", count, total)
        if count != seen:
            seen, stalled_since = count, time.monotonic()
        elif time.monotonic() - stalled_since > 20:
            if _sent(ids) + count < total and sent_ticks < ticks + 10:
                app.send_task("notifications.sweep_due")  # the next beat tick
                sent_ticks += 1
                stalled_since = time.monotonic()
            else:
                raise RuntimeError(f"delivery stalled at {count}:\n{tail()}")
    progress("received", sink.count.value, total)
    elapsed = sink.last.value - started
    wait_for(lambda: _sent(ids) == total, 60, what="rows marked sent")
    return elapsed, sent_ticks


def run_worker(sink: Sink, ids: list[int], *, concurrency: int) -> dict:
    from django.conf import settings

    say(f"  worker: starting celery (concurrency {concurrency}) on {settings.CELERY_BROKER_URL}")
    worker = WorkerProcess(concurrency=concurrency, env=worker_env(sink)).start()
    try:
        elapsed, sweeps = sweep_until_received(sink, ids, ticks=concurrency, tail=worker.tail)
        return {
            "count": len(ids),
            "seconds": elapsed,
            "rate": len(ids) / elapsed,
            "sweeps": sweeps,
            "duplicates": sink.duplicates.value,
            "concurrency": concurrency,
        }
    finally:
        worker.stop()


# --- where one process spends its time -----------------------------------------------------------


def breakdown(sink: Sink, ids: list[int]) -> dict:
    """One in-process sweep over ``ids`` with timers around its steps (ms per message)."""
    from django.test.utils import override_settings

    from notifications.delivery import sweep as module

    _replan(ids)
    timings = defaultdict(float)

    def timed(name, func):
        return accumulating(timings, name, func)

    names = ("build_message", "claim", "SentMarks", "Lookups")
    original = {name: getattr(module, name) for name in names}

    def build(row, connection=None, lookups=None):
        built = timed("build_message", original["build_message"])
        message = built(row, connection=connection, lookups=lookups)
        message.send = timed("send (MIME + SMTP)", message.send)
        return message

    module.build_message = build
    module.claim = timed(f"claim (batches of {module.BATCH_SIZE})", original["claim"])
    marks = original["SentMarks"]
    module.SentMarks = type(
        "TimedMarks", (marks,), {"write": timed("mark sent (one UPDATE a group)", marks.write)}
    )
    # deliver() only calls Lookups.for_rows(rows): what the batch reads, once.
    module.Lookups = SimpleNamespace(
        for_rows=timed("lookups (once a batch)", original["Lookups"].for_rows)
    )
    sink.reset()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=sink.port,
        ):
            started = time.perf_counter()
            report = module.sweep(limit=len(ids))
            total = time.perf_counter() - started
    finally:
        for name, func in original.items():
            setattr(module, name, func)
    assert report.sent == len(ids), report
    per = {name: 1000 * value / len(ids) for name, value in timings.items()}
    per["total"] = 1000 * total / len(ids)
    per["other"] = per["total"] - sum(v for k, v in per.items() if k != "total")
    return {"count": len(ids), "ms": per}


def run(
    *, emails: int = 10_000, concurrency: int | None = None, sample: int = 1000, runs: int = 2
) -> dict:
    concurrency = concurrency or os.cpu_count() or 2
    say(f"delivery benchmark: {emails:,} e-mails")
    sink = Sink().start()
    try:
        ids = seed(emails)
        built = build_floor(ids)
        floors, workers = [], []
        for _ in range(runs):  # alternately, so that neither side always runs second
            floors.append(send_floor(sink, built))
            say(f"    floor: {floors[-1]['seconds']:.2f} s, {floors[-1]['rate']:,.0f} e-mails/s")
            _replan(ids)
            workers.append(run_worker(sink, ids, concurrency=concurrency))
            say(f"    worker: {workers[-1]['seconds']:.2f} s, {workers[-1]['rate']:,.0f} e-mails/s")
        floor, worker = _mean(floors), _mean(workers)
        say(f"  where the time goes: one in-process sweep of {sample:,} e-mails")
        detail = breakdown(sink, ids[:sample])
    finally:
        sink.stop()
    from notifications.models import Notification

    Notification.objects.all().delete()
    return {
        "floor": floor,
        "worker": worker,
        "ratio": worker["rate"] / floor["rate"],
        "runs": runs,
        "breakdown": detail,
    }
