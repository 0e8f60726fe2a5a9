"""Scale-out of delivery: the same e-mails through 1 and then 2 Celery worker processes.

Reuses the delivery benchmark's machinery (``bench.delivery_bench``: the counting aiosmtpd in
its own process, the invitations due now, the worker subprocess) without changing it. Each
worker process runs ``--concurrency=1``; one beat tick (``notifications.sweep_due``) is sent
per process once they are all ready, and the processes share the due rows through the sweep's
``FOR UPDATE SKIP LOCKED`` claims. Timed from the ticks to the last message accepted.
"""

import os
import time

from bench import progress, say, wait_for


def _measure(sink, ids: list[int], processes: int) -> dict:
    from django.conf import settings

    from backend.celery import app
    from bench.delivery_bench import WorkerProcess, _replan, _sent

    _replan(ids)
    env = {
        **os.environ,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "LOG_LEVEL": "WARNING",
    }
    say(f"  {processes} worker process(es), concurrency 1 each")
    workers = []
    try:
        for _ in range(processes):
            workers.append(WorkerProcess(concurrency=1, env=env).start())
        sink.reset()
        started = time.time()
        for _ in range(processes):
            app.send_task("notifications.sweep_due")
        total, sent_ticks = len(ids), processes
        seen, stalled_since = 0, time.monotonic()
        while sink.count.value < total:
            time.sleep(0.2)
            count = sink.count.value
            progress("received", count, total)
            if count != seen:
                seen, stalled_since = count, time.monotonic()
            elif time.monotonic() - stalled_since > 20:
                if sent_ticks > processes + 10:
                    raise RuntimeError(f"delivery stalled at {count}:\n{workers[0].tail()}")
                app.send_task("notifications.sweep_due")  # the next beat tick
                sent_ticks += 1
                stalled_since = time.monotonic()
        progress("received", sink.count.value, total)
        elapsed = sink.last.value - started
        wait_for(lambda: _sent(ids) == total, 60, what="rows marked sent")
        return {
            "processes": processes,
            "count": total,
            "seconds": elapsed,
            "rate": total / elapsed,
            "duplicates": sink.duplicates.value,
        }
    finally:
        for worker in workers:
            worker.stop()


def run(*, emails: int = 4000, processes: tuple[int, ...] = (1, 2)) -> dict:
    from bench.delivery_bench import Sink, seed
    from notifications.models import Notification

    say(f"worker scale-out: {emails:,} e-mails through 1 and 2 worker processes")
    # Only the seeded e-mails are due: what earlier benchmarks planned (the transitions
    # benchmark's invitations) would be swept too.
    Notification.objects.filter(status="planned").update(status="cancelled")
    sink = Sink().start()
    try:
        ids = seed(emails)
        runs = {count: _measure(sink, ids, count) for count in processes}
    finally:
        sink.stop()
    Notification.objects.filter(stage__startswith="delivery-").delete()
    for figures in runs.values():
        say(f"    {figures['processes']} process(es): {figures['rate']:,.0f} e-mails/s")
    return {"emails": emails, "runs": runs}
