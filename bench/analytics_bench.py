"""Analytics benchmark: each ``analytics/`` API answer and each section of « Pilotage »
(``/pilotage/``, ``/pilotage/partenaires/``, ``/pilotage/categories/``,
``/pilotage/conseil/``) served by gunicorn on the large data set (100,000 actions with their
history: ``bench.dataset`` then ``bench.analytics_history``), against a floor: the same
aggregates in raw SQL on a plain psycopg connection, on the same tables (the passages, the
roles, the decisions), in the same run. The charts' share of each section's time (pygal) is
measured apart, in this process.

    .venv/bin/python manage.py collectstatic --noinput   # the page's files (DEBUG off)
    .venv/bin/python -m bench.analytics_bench [--requests 15]   # DATABASE_URL, SECRET_KEY

One client, one request at a time, as the director (every territory: the largest answer),
the director with ``?territory=`` (a quarter of the actions) and a social worker bound to one
territory (their own, no filter). Nothing is kept between requests (the answers are computed
on each: ``backend.analytics``), so every request is cold for the application; the first of
each series is reported apart, then the median and p95 of the others. Target: a median
under 300 ms. Writes docs/benchmarks-analytics.md.
"""

import argparse
import datetime
import http.client
import os
import statistics
import time
from pathlib import Path

from bench import ROOT, median, say
from bench.analytics_floors import floors
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
    "/pilotage/partenaires/",
    "/pilotage/categories/",
    "/pilotage/conseil/",
)


def _get(port: int, path: str, headers: dict) -> tuple[int, float, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return response.status, elapsed, response.getheader("X-Queries", "?")


def _session_cookie(username: str) -> str:
    """A signed-in session (made by Django's test client, in the database the server
    reads)."""
    from django.conf import settings
    from django.test import Client

    from backend.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _floor_ms(sqls: list[str], projects: list[int] | None, count: int) -> float:
    import psycopg
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType

    from backend.actions.models import Action, RoleAssignment

    db = settings.DATABASES["default"]
    params = {
        "action_type": ContentType.objects.get_for_model(Action).pk,
        "role_type": ContentType.objects.get_for_model(RoleAssignment).pk,
        "projects": projects,
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


def _callers() -> list[dict]:
    """The director (every territory, then one), and a social worker of that territory."""
    from backend.accounts.models import User
    from backend.demo import data
    from backend.territories.models import TerritoryProject

    territory = data.ALL_TERRITORIES[0]
    worker = data.SOCIAL_WORKER[territory]
    ids = list(
        TerritoryProject.objects.filter(territory__slug=territory).values_list("pk", flat=True)
    )
    assert User.objects.get(username=worker).territory_ids(), "a territory-bound worker"
    return [
        {"label": "director", "user": data.DIRECTOR, "query": "", "projects": None},
        {
            "label": "director",
            "user": data.DIRECTOR,
            "query": f"?territory={territory}",
            "projects": ids,
        },
        {"label": f"social worker ({territory})", "user": worker, "query": "", "projects": ids},
    ]


def chart_costs(count: int = 5) -> list[dict]:
    """Per section, as the director (every territory), in this process: the section's tables
    (figures and charts: ``section_tables``) and, of that, the pygal charts alone (each
    ``bar_chart`` call timed as the tables make it); medians of ``count``."""
    from django.urls import reverse

    from backend.accounts.models import User
    from backend.analytics.scope import Scope
    from backend.demo import data
    from backend.web.selectors import pilotage

    user = User.objects.get(username=data.DIRECTOR)
    drawn, spent = pilotage.bar_chart, []

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return drawn(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    results = []
    pilotage.bar_chart = timed  # the bench's own measurement, undone below
    try:
        for section in pilotage.SECTIONS:
            totals, charts = [], []
            for _ in range(count):
                spent.clear()
                started = time.perf_counter()
                tables, _deferrals = pilotage.section_tables(Scope(user=user), section)
                totals.append(time.perf_counter() - started)
                charts.append(sum(spent))
            results.append(
                {
                    "section": reverse(section.url_name),
                    "charts": len(spent),
                    "total_ms": 1000 * median(totals),
                    "charts_ms": 1000 * median(charts),
                    "svg_bytes": sum(len(table.chart) for table in tables),
                }
            )
            say(f"  charts: {results[-1]}")
    finally:
        pilotage.bar_chart = drawn
    return results


def run(count: int = 15) -> dict:
    from backend.actions.models import Action
    from backend.demo import data
    from workflows.models import StateStay, TransitionLog

    dataset = {
        "actions": Action.objects.count(),
        "log rows": TransitionLog.objects.count(),
        "passages": StateStay.objects.count(),
    }
    say(f"analytics benchmark on {dataset}")
    server = Gunicorn(workers=1, threads=2).start()
    results = {}
    loads = [load_average()]
    try:
        for caller in _callers():
            token = token_for(server.port, caller["user"], data.DEMO_PASSWORD)
            api = {"Authorization": f"Token {token}", "Accept": "application/json"}
            page = {"Cookie": _session_cookie(caller["user"]), "Accept": "text/html"}
            statements = floors(caller["projects"] is not None)
            for endpoint in ENDPOINTS:
                headers = page if endpoint.startswith("/pilotage/") else api
                path = endpoint + caller["query"]
                times, queries = [], set()
                for _ in range(count + 1):
                    status, seconds, number = _get(server.port, path, headers)
                    if status != 200:
                        raise RuntimeError(
                            f"{path} as {caller['user']}: {status} (the page: collectstatic first?)"
                        )
                    times.append(seconds)
                    queries.add(number)
                first, ms = 1000 * times[0], sorted(1000 * t for t in times[1:])
                key = (caller["label"], path)
                results[key] = {
                    "first_ms": first,
                    "median_ms": statistics.median(ms),
                    "p95_ms": ms[min(len(ms) - 1, int(0.95 * len(ms)))],
                    "queries": ", ".join(sorted(queries)),
                    "floor_ms": _floor_ms(statements[endpoint], caller["projects"], 5),
                }
                say(f"  {key}: {results[key]}")
            loads.append(load_average())
    finally:
        server.stop()
    charts = chart_costs()
    loads.append(load_average())
    return {
        "dataset": dataset,
        "results": results,
        "count": count,
        "loads": loads,
        "charts": charts,
    }


def render(result: dict) -> str:
    verdict = {True: "met", False: "**not met**"}
    dataset = result["dataset"]
    lines = [
        "# Analytics benchmark",
        "",
        f"Generated by `python -m bench.analytics_bench` on {datetime.date.today()}; "
        f"{os.cpu_count()} CPU shared with other work; load average (1, 5, 15 min) at the "
        f"start, after each caller and after the charts: {' / '.join(result['loads'])}. "
        "Data set: "
        f"{dataset['actions']:,} actions, {dataset['log rows']:,} transition log rows, "
        f"{dataset['passages']:,} passages (`bench.dataset` then `bench.analytics_history`). "
        f"gunicorn (1 worker, 2 threads), one client, {result['count'] + 1} requests each; "
        "nothing is kept between requests: each answer is computed (cold for the "
        "application; PostgreSQL's buffers hold the tables). The floor: the same aggregates "
        "written by hand in raw SQL on a plain psycopg connection, on the same tables, for "
        "the same scope (a section of « Pilotage »: its tables' statements), median of 5. "
        f"Target: a median under {TARGET_MS} ms.",
        "",
        "What is read: the actions' passages through their states (`workflows.StateStay`, "
        "written by the engine with each transition's log row) for the time in state, the "
        "flagged actions and the board's waits; the roles' own columns (`invited_at`, "
        "`responded_at`, and `reminders_before_answer`, counted by the sweep as each reminder "
        "leaves) for the partners, the reminders no longer joined; each through a covering "
        "index fitted to its query (`docs/analytics.md`, « Where the figures are read »). "
        "« Pilotage » is four pages, each computing its own tables: `/pilotage/` (time in "
        "state, flagged actions), `/pilotage/partenaires/` (per organisation), "
        "`/pilotage/categories/` (per category of contact), `/pilotage/conseil/` (the "
        "board). Nothing is kept between requests: the times below "
        "are every request's.",
        "",
        "| Caller | Request | First | Median | p95 | Queries | Floor (raw SQL) "
        "| Median / floor | Target (median) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (caller, path), figures in result["results"].items():
        floor = figures["floor_ms"]
        lines.append(
            f"| {caller} | `{path}` | {figures['first_ms']:,.0f} ms "
            f"| {figures['median_ms']:,.0f} ms | {figures['p95_ms']:,.0f} ms "
            f"| {figures['queries']} | {floor:,.0f} ms | {figures['median_ms'] / floor:.2f}x "
            f"| {verdict[figures['median_ms'] <= TARGET_MS]} |"
        )
    lines += [
        "",
        "The charts (pygal), per section as the director (every territory), in the bench's "
        "process (no HTTP): the section's tables computed (figures and charts), and of that "
        "the charts alone, median of 5.",
        "",
        "| Section | Charts | Tables (figures + charts) | Of which charts | Share | SVG (base64) |",
        "|---|---|---|---|---|---|",
    ]
    for row in result["charts"]:
        lines.append(
            f"| `{row['section']}` | {row['charts']} | {row['total_ms']:,.0f} ms "
            f"| {row['charts_ms']:,.1f} ms | {row['charts_ms'] / row['total_ms']:.0%} "
            f"| {row['svg_bytes'] / 1024:,.0f} KiB |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    import django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--output", default=str(Path(ROOT) / "docs" / "benchmarks-analytics.md"))
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    django.setup()
    result = run(args.requests)
    text = render(result)
    Path(args.output).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
