"""Scale-out of delivery: the same e-mails through 1 and then 2 Celery worker processes.

Reuses the delivery benchmark's machinery (``bench.delivery_bench``: the counting aiosmtpd in
its own process, the invitations due now, the worker subprocess) without changing it. Each
worker process runs ``--concurrency=1``; one beat tick (``notifications.sweep_due``) is sent
per process once they are all ready, and the processes share the due rows through the sweep's
``FOR UPDATE SKIP LOCKED`` claims. Timed from the ticks to the last message accepted.

The broker's queue is emptied before each run (the transitions benchmark leaves its pushes
there: the first run would otherwise work through them first), and the runs go 1, 2, 2, 1 so
that neither count always runs on a colder or warmer machine; each count's figure is the
mean of its two runs.
"""

from bench import say


def _measure(sink, ids: list[int], processes: int) -> dict:
    from backend.celery import app
    from bench.delivery_bench import WorkerProcess, _replan, sweep_until_received, worker_env

    _replan(ids)
    app.control.purge()  # what other benchmarks left queued is not this run's work
    say(f"  {processes} worker process(es), concurrency 1 each")
    workers = []
    try:
        for _ in range(processes):
            workers.append(WorkerProcess(concurrency=1, env=worker_env(sink)).start())
        elapsed, _ticks = sweep_until_received(sink, ids, ticks=processes, tail=workers[0].tail)
        return {
            "processes": processes,
            "count": len(ids),
            "seconds": elapsed,
            "rate": len(ids) / elapsed,
            "duplicates": sink.duplicates.value,
        }
    finally:
        for worker in workers:
            worker.stop()


def run(*, emails: int = 4000, order: tuple[int, ...] = (1, 2, 2, 1)) -> dict:
    from bench.delivery_bench import Sink, seed
    from notifications.models import Notification

    say(f"worker scale-out: {emails:,} e-mails through 1 and 2 worker processes, {order}")
    # Only the seeded e-mails are due: what earlier benchmarks planned (the transitions
    # benchmark's invitations) would be swept too.
    Notification.objects.filter(status="planned").update(status="cancelled")
    sink = Sink().start()
    try:
        ids = seed(emails)
        measured = [_measure(sink, ids, count) for count in order]
    finally:
        sink.stop()
    Notification.objects.filter(round__startswith="dlv-").delete()
    runs = {}
    for count in sorted(set(order)):
        mine = [figures for figures in measured if figures["processes"] == count]
        runs[count] = {
            "processes": count,
            "count": emails,
            "seconds": sum(f["seconds"] for f in mine) / len(mine),
            "rate": sum(f["rate"] for f in mine) / len(mine),
            "rates": [f["rate"] for f in mine],
            "duplicates": sum(f["duplicates"] for f in mine),
        }
        say(f"    {count} process(es): {runs[count]['rate']:,.0f} e-mails/s (mean)")
    return {"emails": emails, "runs": runs, "order": list(order)}
