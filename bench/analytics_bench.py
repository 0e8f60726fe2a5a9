"""Analytics benchmark: each ``analytics/`` API answer and the page ``/pilotage/`` served by
gunicorn on the large data set (100,000 actions with their history: ``bench.dataset`` then
``bench.analytics_history``), against a floor: the same aggregates in raw SQL on a plain
psycopg connection, in the same run.

    .venv/bin/python -m bench.analytics_bench [--requests 30]   # DATABASE_URL, filled;
    # CELERY_BROKER_URL set (the cache is Redis then; else run createcachetable first)

One client, one request at a time, as the director (every territory: the largest answer),
then as the same with ``?territory=`` (a quarter of the actions). Each request first cold
(the kept answers dropped: computed), then warm (``backend.analytics.kept``): median and p95;
target: a median under 300 ms. Writes docs/benchmarks-analytics.md.
"""

import argparse
import datetime
import http.client
import os
import statistics
import time
from pathlib import Path

from bench import ROOT, median, say
from bench.api_bench import Gunicorn, token_for
from bench.run import load_average

TARGET_MS = 300
ENDPOINTS = (
    "/api/v1/analytics/time-in-state/",
    "/api/v1/analytics/flagged/",
    "/api/v1/analytics/partners/",
    "/api/v1/analytics/partner-categories/",
    "/api/v1/analytics/board/",
    "/pilotage/",
)
# The floors: the same aggregates written by hand (every territory), on plain psycopg.
FLOOR_TIME_IN_STATE = """
WITH moves AS (
    SELECT l.subject_id AS action_id, l.target AS state, l.at AS entered,
           LEAD(l.at) OVER (PARTITION BY l.subject_id ORDER BY l.at, l.id) AS left_at
    FROM workflows_transitionlog l
    WHERE l.subject_type_id = %(action_type)s AND l.source <> l.target
), finished AS (
    SELECT action_id, state, SUM(EXTRACT(EPOCH FROM (left_at - entered)) / 86400.0) AS days
    FROM moves WHERE left_at IS NOT NULL
      AND state IN ('consultation', 'ready_for_board', 'scheduled', 'in_progress', 'evaluation')
    GROUP BY action_id, state
)
SELECT state, COUNT(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY days),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY days)
FROM finished GROUP BY state
"""
FLOOR_PARTNERS = """
SELECT r.organisation_id, o.name, COUNT(*),
       COUNT(*) FILTER (WHERE r.responded_at IS NOT NULL),
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY EXTRACT(EPOCH FROM (r.responded_at - r.invited_at)) / 86400.0)
           FILTER (WHERE r.responded_at IS NOT NULL),
       COUNT(*) FILTER (WHERE r.state = 'invited'), COALESCE(SUM(m.reminders), 0)
FROM actions_roleassignment r JOIN partners_organisation o ON o.id = r.organisation_id
LEFT JOIN (
    SELECT n.subject_id, COUNT(*) AS reminders
    FROM notifications_notification n JOIN actions_roleassignment a ON a.id = n.subject_id
    WHERE n.subject_type_id = %(role_type)s AND n.kind = 'reminder' AND n.status = 'sent'
      AND n.sent_at <= a.responded_at
    GROUP BY n.subject_id
) m ON m.subject_id = r.id
WHERE r.invited_at IS NOT NULL
  AND r.state IN ('invited', 'accepted', 'declined', 'changes_requested')
GROUP BY r.organisation_id, o.name
"""
FLOOR_BOARD = """
SELECT d.outcome, COUNT(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (d.recorded_at - (
           SELECT l.at FROM workflows_transitionlog l
           WHERE l.subject_type_id = %(action_type)s AND l.subject_id = d.action_id
             AND l.target = 'ready_for_board' AND l.at < d.recorded_at
           ORDER BY l.at DESC LIMIT 1))))
FROM board_boarddecision d WHERE d.action_id IS NOT NULL GROUP BY d.outcome
"""
FLOORS = {
    "/api/v1/analytics/time-in-state/": [FLOOR_TIME_IN_STATE],
    "/api/v1/analytics/flagged/": [FLOOR_TIME_IN_STATE],
    "/api/v1/analytics/partners/": [FLOOR_PARTNERS],
    "/api/v1/analytics/partner-categories/": [FLOOR_PARTNERS],
    "/api/v1/analytics/board/": [FLOOR_BOARD],
    "/pilotage/": [FLOOR_TIME_IN_STATE, FLOOR_PARTNERS, FLOOR_BOARD],
}


def _get(port: int, path: str, headers: dict) -> tuple[int, float, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return response.status, elapsed, response.getheader("X-Queries", "?")


def _session_cookie() -> str:
    """A signed-in session of the director (made by Django's test client, in the database
    the server reads)."""
    from django.conf import settings
    from django.test import Client

    from backend.accounts.models import User
    from backend.demo import data

    client = Client()
    client.force_login(User.objects.get(username=data.DIRECTOR))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _floor_ms(sqls: list[str], count: int) -> float:
    import psycopg
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType

    from backend.actions.models import Action, RoleAssignment

    db = settings.DATABASES["default"]
    params = {
        "action_type": ContentType.objects.get_for_model(Action).pk,
        "role_type": ContentType.objects.get_for_model(RoleAssignment).pk,
    }
    times = []
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]
    ) as conn:
        for _ in range(count):
            started = time.perf_counter()
            for sql in sqls:
                conn.execute(sql, params).fetchall()
            times.append(time.perf_counter() - started)
    return 1000 * median(times)


def run(count: int = 30) -> dict:
    from django.core.cache import cache

    from backend.actions.models import Action
    from backend.demo import data
    from workflows.models import TransitionLog

    dataset = {"actions": Action.objects.count(), "log rows": TransitionLog.objects.count()}
    say(f"analytics benchmark on {dataset}")
    server = Gunicorn(workers=1, threads=2).start()
    results = {}
    try:
        token = token_for(server.port, data.DIRECTOR, data.DEMO_PASSWORD)
        api = {"Authorization": f"Token {token}", "Accept": "application/json"}
        page = {"Cookie": _session_cookie(), "Accept": "text/html"}
        for filtered in (False, True):
            query = f"?territory={data.ALL_TERRITORIES[0]}" if filtered else ""
            for endpoint in ENDPOINTS:
                headers = page if endpoint == "/pilotage/" else api
                # Cold: computed (the kept answers dropped; the bench's own Redis db or cache
                # table), then warm: the answer kept until the data changes.
                cache.clear()
                status, cold, _ = _get(server.port, endpoint + query, headers)
                if status != 200:
                    raise RuntimeError(f"{endpoint}{query}: {status}")
                times, queries = [], set()
                for _ in range(count):
                    status, seconds, number = _get(server.port, endpoint + query, headers)
                    times.append(seconds)
                    queries.add(number)
                ms = sorted(1000 * t for t in times)
                key = (endpoint, query)
                results[key] = {
                    "cold_ms": 1000 * cold,
                    "median_ms": statistics.median(ms),
                    "p95_ms": ms[min(len(ms) - 1, int(0.95 * len(ms)))],
                    "queries": ", ".join(sorted(queries)),
                }
                if not filtered:
                    results[key]["floor_ms"] = _floor_ms(FLOORS[endpoint], max(5, count // 3))
                say(f"  {endpoint}{query}: {results[key]}")
    finally:
        server.stop()
    return {"dataset": dataset, "results": results, "count": count}


def render(result: dict) -> str:
    verdict = {True: "met", False: "**not met**"}
    lines = [
        "# Analytics benchmark",
        "",
        f"Generated by `python -m bench.analytics_bench` on {datetime.date.today()}; "
        f"{os.cpu_count()} CPU. Data set: {result['dataset']['actions']:,} actions, "
        f"{result['dataset']['log rows']:,} transition log rows (`bench.dataset` then "
        "`bench.analytics_history`). gunicorn (1 worker, 2 threads), one client, "
        f"{result['count']} requests each, as the director; load average at the end: "
        f"{load_average()}. The floor: the same aggregates "
        "(every territory) written by hand in raw SQL on a plain psycopg connection "
        "(the page: its three aggregates). Target: a median under "
        f"{TARGET_MS} ms.",
        "",
        "| Request | Cold (computed) | Warm median | Warm p95 | Queries (warm) "
        "| Floor (raw SQL) | Cold / floor | Warm / floor | Target (warm median) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (endpoint, query), figures in result["results"].items():
        floor = figures.get("floor_ms")
        floor_text = f"{floor:.0f} ms" if floor else ""
        cold = f"{figures['cold_ms'] / floor:.2f}x" if floor else ""
        ratio = f"{figures['median_ms'] / floor:.3f}x" if floor else ""
        lines.append(
            f"| `{endpoint}{query}` | {figures['cold_ms']:,.0f} ms "
            f"| {figures['median_ms']:.0f} ms | {figures['p95_ms']:.0f} ms "
            f"| {figures['queries']} | {floor_text} | {cold} | {ratio} "
            f"| {verdict[figures['median_ms'] <= TARGET_MS]} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    import django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    django.setup()
    result = run(args.requests)
    text = render(result)
    (Path(ROOT) / "docs" / "benchmarks-analytics.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
