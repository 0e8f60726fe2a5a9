"""Webhooks benchmark: what registered endpoints cost a transition.

``submit`` through the real service (``backend.actions.transitions.submit_action``) on the
generated data set, three ways, alternately in blocks, one transition after another (one
client): with two active endpoints subscribed to every event (each submit writes a delivery
per endpoint for the action's log row and each role's, with one ``INSERT … SELECT`` per engine
call, and pushes them to the broker after the commit: the private Redis, no worker consuming);
with no endpoint (the same statement inserts nothing, no push); and the floor, the same service
with the webhook outbox call taken out (``workflows.services.record_transitions`` replaced by a
no-op for its blocks): the transition as it was before webhooks. Nothing is sent over HTTP:
that is the worker's work, after the commit, outside the transition.
"""

import time

from bench import median, progress, say
from bench.transition_bench import _actors, _drafts, run_service

BLOCK = 25
SIDES = ("floor", "without", "with_two")


def _statements(action_id: int, actors: dict) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run_service([action_id], actors)
    return sum(q["sql"] not in {"BEGIN", "COMMIT"} for q in captured.captured_queries)


def run(*, count: int = 500) -> dict:
    from webhooks.endpoints import register_endpoint
    from webhooks.models import Delivery, Endpoint
    from workflows import services

    say(f"webhooks benchmark: {count:,} submits each with 2 endpoints, none, and the floor")
    ids = _drafts(3 * count + 3)
    if len(ids) < 3 * count + 3:
        raise RuntimeError(f"only {len(ids)} draft actions to submit, {3 * count + 3} needed")
    actors = _actors()
    endpoints = [
        register_endpoint(url=f"https://receiver-{n}.example/hooks", events=["*"], active=False)
        for n in range(2)
    ]
    original = services.record_transitions
    sides = {name: ids[index::3] for index, name in enumerate(SIDES)}
    timings = {name: [] for name in SIDES}
    elapsed = dict.fromkeys(SIDES, 0.0)
    statements = {}

    def prepare(name):
        Endpoint.objects.filter(pk__in=[e.pk for e in endpoints]).update(active=name == "with_two")
        services.record_transitions = (lambda logs, event: []) if name == "floor" else original

    try:
        for name in SIDES:
            prepare(name)
            statements[name] = _statements(sides[name].pop(), actors)
        for start in range(0, count, BLOCK):
            order = SIDES if (start // BLOCK) % 2 == 0 else tuple(reversed(SIDES))
            for name in order:
                prepare(name)
                block = sides[name][start : start + BLOCK]
                began = time.perf_counter()
                timings[name] += run_service(block, actors)
                elapsed[name] += time.perf_counter() - began
            progress("webhook transitions (each side)", min(count, start + BLOCK), count)
    finally:
        services.record_transitions = original
    result = {
        "count": count,
        "statements": statements,
        "deliveries": Delivery.objects.count(),
    }
    for name in SIDES:
        values = sorted(timings[name])
        result[name] = {
            "rate": count / elapsed[name],
            "median_ms": 1000 * median(values),
            "p95_ms": 1000 * values[int(0.95 * (len(values) - 1))],
        }
    result["ratio"] = result["with_two"]["median_ms"] / result["floor"]["median_ms"]
    result["ratio_without"] = result["without"]["median_ms"] / result["floor"]["median_ms"]
    say(
        "    medians: floor {:.2f} ms, no endpoint {:.2f} ms, two endpoints {:.2f} ms "
        "({:.2f}x the floor); statements {}".format(
            result["floor"]["median_ms"],
            result["without"]["median_ms"],
            result["with_two"]["median_ms"],
            result["ratio"],
            statements,
        )
    )
    return result


def section(result: dict) -> list[str]:
    floor, without, two = result["floor"], result["without"], result["with_two"]
    statements = result["statements"]

    def row(label, figures, key):
        return (
            f"| {label} | {statements[key]} | {figures['rate']:,.0f} /s | "
            f"{figures['median_ms']:.2f} ms | {figures['p95_ms']:.2f} ms |"
        )

    return [
        "## Webhooks: what endpoints cost a transition",
        "",
        f"`bench/webhook_bench.py`: {result['count']:,} `submit`s on each side, alternately in "
        f"blocks of {BLOCK}, one client. The floor is the same service without the webhook "
        "outbox call (the transition before webhooks); *no endpoint* runs the outbox's "
        "`INSERT … SELECT`, which inserts nothing; *two endpoints* writes a delivery per "
        "endpoint and log row in that statement and pushes their ids to Redis after the "
        f"commit ({result['deliveries']:,} deliveries written). No HTTP in the transition.",
        "",
        "| Side | Statements | Transitions/s | Median | p95 |",
        "|---|---|---|---|---|",
        row("Floor (no webhook code)", floor, "floor"),
        row("No endpoint registered", without, "without"),
        row("Two endpoints registered", two, "with_two"),
        "",
        f"Two endpoints: **{result['ratio']:.2f}x** the floor's median "
        f"(no endpoint: {result['ratio_without']:.2f}x).",
        "",
    ]
