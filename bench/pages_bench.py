"""Pages benchmark: every staff page served by gunicorn on the large data set, as the director
(every territory) and as a social worker bound to one territory, beside a floor measured in
the same run.

    .venv/bin/python -m bench.pages_bench [--requests 20] [--save FILE] [--compare FILE]
    # DATABASE_URL (filled by ``bench.dataset --actions 100000``), DJANGO_SECRET_KEY set

gunicorn (1 worker, 2 gthread threads) serves the project with ``bench.pages_settings``: the
project's URLs, the floor views of ``bench.pages_floor`` and a middleware counting the SQL
queries of each request. One client on a keep-alive connection, signed in with a session cookie
(made by Django's test client in the same database). Each page is asked ``--requests`` times,
alternately with its floor (the same rows read by hand-written SQL, printed without a
template); median and p90 of each, their ratio, the queries, the size. A page slower than
``BUDGET_S`` in all is measured fewer times (at least 3). Target: a median under 500 ms.
Writes docs/benchmarks-pages.md (``--compare`` adds the figures of an earlier ``--save``).
"""

import argparse
import datetime
import http.client
import json
import os
import random
import time
from pathlib import Path

from bench import ROOT, say
from bench.api_bench import Gunicorn, _percentile
from bench.run import load_average

TARGET_MS = 500
# What the measures and EXPLAIN ANALYZE found, and what was changed (issue 19, item 13).
NOTES = """## What was slow, and what changed

Found with the first run of this benchmark (the figures "before" below), Django's query log
(`CaptureQueriesContext`, the time of each statement) and `EXPLAIN ANALYZE` on this data set:

- **`/projets/`** (two minutes): the list annotated each project with `Count("actions")` and a
  correlated subquery counting the needs no live action answers, in one grouped query over the
  join of the projects and their 100,000 actions; the subquery landed in the `GROUP BY` key, so
  PostgreSQL ran it once per joined action row (100,008 times). Now the projects are read, then
  their actions counted in one grouped query on `actions_action` (`project_id`: 45 ms for the
  four projects of 25,000) and their unanswered needs in another (4 ms).
- **A project's page** (6 to 8 s, 9.5 MB of HTML): every one of its 25,000 actions was listed
  under its axis, and every need named every live action answering it (10,000 each here). Now
  each axis lists its first 10 actions by title (one windowed query for every axis: a sliced
  `Prefetch`) with their number, from one grouped count, and a link "Voir les N actions de
  l'axe" to the dashboard's list filtered by project and axis (the actions on no axis: their
  number and a link to the project's list); each need names its first 5 answering actions (a
  sliced `Prefetch`) and "et N autres actions" (a `Count` annotation). What remains is the count
  of the answering actions: 50,000 links of one project each joined to its action's state
  (about 100 ms here, the floor pays it too).
- **A planned session's page** (0.7 s, 1 MB for whoever may schedule): its form offered every
  action ready for the board (7,927 options). Now the first 50 by territory and title, counted
  with a window, with "Voir les N actions prêtes pour le conseil" (the dashboard's list: an
  action's page schedules it too). The agenda's counts were `Count(..., distinct=True)` over the
  joins of the points with their roles and their project's 25,000 actions (35 ms); they are
  now one correlated count each (3 ms).
- **The dashboard and its list** (0.5 s as the director): each column showed 25 cards; now 8
  (`CARDS_PER_COLUMN`), with "Voir les N actions de la colonne" opening the list filtered by
  the column's state (N: all the column's actions, the list's total). The counts per state and
  per territory were two aggregates over every action; now one (per territory and state), from
  which the columns' counts are read when no filter narrows them. The to-do lists sorted whole
  action rows (the summary included) to keep their first five: now only the columns a line
  shows (`only()`), a sort in memory instead of on disk. The list's order (latest change first)
  had no index: `action_latest_change` on `(-updated_at, -id)` (migration
  `actions.0007_dashboard_list_index`): page 20 read off the index instead of sorting 100,000
  rows (87 ms to a few ms). The recent answers are grouped on the roles first (the recent
  answers' index), the caller's own actions put first through a hashed subquery of their ids
  (it joined every answered role to its action: 100 ms to 22 ms as the director), then the
  five actions read by id.
- **As a person bound to a territory**, the to-do list of recent answers took 0.3 to 0.45 s:
  the scope was a join through the projects, and the projects and territories have no
  statistics (a handful of rows: autovacuum analyses a table after 50 changed rows, and this
  server runs without autovacuum), so PostgreSQL expected a territory to hold 1/130 of the
  actions (769 instead of 25,000) and probed the roles of each of them one by one. The dashboard
  now names the caller's actions by their projects' ids (already read for the filters), which
  PostgreSQL estimates from the actions' own statistics: a hash join, about 80 ms under load.
  The other pages keep `scoping.actions_for` (their queries read one action, one session or
  one project).

No cache: every figure is the page computed from the database on each request.

Limits: the data set's board sessions hold two agenda points each (the generated actions carry
a session but no agenda point), so the session pages measure the page's fixed cost and its
scheduling form, not a long agenda (`tests/web/test_board_pages.py` checks that the queries do
not grow with the agenda). The floors read the rows of each page's content; the dashboard's
floor leaves out its failed deliveries and evaluations to-do lists (a few rows here) and the
unread notifications badge. A page's "before" was measured once when it took minutes.

To run it again: a database migrated, then `python -m bench.dataset --actions 100000` and
`python -m bench.pages_bench --compare bench/pages_before.json` (with `DATABASE_URL` and
`DJANGO_SECRET_KEY` set).
"""
BUDGET_S = 60.0
MIN_REQUESTS = 3


def _cookie(username: str) -> str:
    """A signed-in session (Django's test client, in the database the server reads)."""
    from django.conf import settings
    from django.test import Client

    from backend.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class Browser:
    """One keep-alive connection with a session cookie; ``get`` returns status, s, queries, size."""

    def __init__(self, port: int, cookie: str):
        self.port, self.cookie = port, cookie
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Cookie": self.cookie, "Accept": "text/html"}
        started = time.perf_counter()
        self.conn.request("GET", path, headers=headers)
        response = self.conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, elapsed, response.getheader("X-Queries", "?"), len(body)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def pages_for(username: str, rng: random.Random, count: int) -> list[tuple[str, list]]:
    """The pages a person opens, each with its requests: (page path, floor path or "")."""
    from backend.accounts import scoping
    from backend.accounts.models import User
    from backend.board.models import BoardSession, BoardSessionState

    user = User.objects.get(username=username)
    actions = scoping.actions_for(user)
    low = actions.order_by("id").values_list("id", flat=True).first()
    high = actions.order_by("-id").values_list("id", flat=True).first()
    ids = list(
        actions.filter(id__in=rng.sample(range(low, high + 1), 20 * count)).values_list(
            "id", flat=True
        )
    )
    project = scoping.projects_for(user).order_by("id").first().pk
    held = BoardSession.objects.filter(state=BoardSessionState.HELD).order_by("-date").first().pk
    planned = (
        BoardSession.objects.filter(state=BoardSessionState.PLANNED).order_by("date").first().pk
    )
    return [
        ("dashboard", [("/tableau-de-bord/", "/bench/floor/dashboard/")] * count),
        (
            "list (`?view=list&page=1…50`)",
            [
                (f"/tableau-de-bord/?view=list&page={n}", f"/bench/floor/list/?page={n}")
                for n in (rng.randint(1, 50) for _ in range(count))
            ],
        ),
        (
            "action (`/actions/{id}/`, a different one each time)",
            [(f"/actions/{pk}/", f"/bench/floor/actions/{pk}/") for pk in ids[:count]],
        ),
        (
            f"held session (`/conseil/{held}/`)",
            [(f"/conseil/{held}/", f"/bench/floor/sessions/{held}/")] * count,
        ),
        (
            f"planned session (`/conseil/{planned}/`)",
            [(f"/conseil/{planned}/", f"/bench/floor/sessions/{planned}/")] * count,
        ),
        (
            f"project (`/projets/{project}/`)",
            [(f"/projets/{project}/", f"/bench/floor/projects/{project}/")] * count,
        ),
        ("projects (`/projets/`)", [("/projets/", "/bench/floor/projects/")] * count),
        ("board sessions (`/conseil/`)", [("/conseil/", "")] * count),
    ]


def measure(browser: Browser, requests: list, least: int) -> dict:
    """The page and its floor alternately, within ``BUDGET_S`` (at least ``least`` times)."""
    first_page, first_floor = requests[0]
    for path in (first_page, first_floor):  # warm: templates compiled, statements planned
        if path:
            browser.get(path)
    times = {"page": [], "floor": []}
    queries = {"page": set(), "floor": set()}
    sizes = {"page": 0, "floor": 0}
    started = time.monotonic()
    for index, (page, floor) in enumerate(requests):
        sides = [("page", page), ("floor", floor)]
        for side, path in sides if index % 2 else sides[::-1]:
            if not path:
                continue
            status, seconds, number, size = browser.get(path)
            if status != 200:
                raise RuntimeError(f"{path}: {status}")
            times[side].append(seconds)
            queries[side].add(number)
            sizes[side] = max(sizes[side], size)
        if index + 1 >= least and time.monotonic() - started > BUDGET_S:
            break
    result = {"requests": len(times["page"])}
    for side in ("page", "floor"):
        if times[side]:
            ordered = sorted(1000 * t for t in times[side])
            result[side] = {
                "median_ms": ordered[len(ordered) // 2]
                if len(ordered) % 2
                else (ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2,
                "p90_ms": _percentile(ordered, 0.9),
                "queries": ", ".join(sorted(queries[side], key=lambda q: (len(q), q))),
                "kib": sizes[side] / 1024,
            }
    return result


def run(count: int, least: int = MIN_REQUESTS) -> dict:
    from backend.actions.models import Action, RoleAssignment
    from backend.demo import data

    users = {
        "director (every territory)": data.DIRECTOR,
        f"social worker ({data.FOREZ})": data.SOCIAL_WORKER[data.FOREZ],
    }
    dataset = {"actions": Action.objects.count(), "roles": RoleAssignment.objects.count()}
    say(f"pages benchmark on {dataset}, load {load_average()}")
    started_load = load_average()
    rng = random.Random(13)
    server = Gunicorn(workers=1, threads=2, settings="bench.pages_settings").start()
    results: dict = {}
    try:
        for label, username in users.items():
            browser = Browser(server.port, _cookie(username))
            results[label] = {}
            for page, requests in pages_for(username, rng, count):
                figures = measure(browser, requests, least)
                results[label][page] = figures
                say(f"  {label}, {page}: {json.dumps(figures)}")
            browser.close()
    finally:
        server.stop()
    return {
        "date": str(datetime.date.today()),
        "dataset": dataset,
        "count": count,
        "load": [started_load, load_average()],
        "cpus": os.cpu_count(),
        "least": least,
        "results": results,
    }


def _ms(figures: dict | None, key: str = "median_ms") -> str:
    return f"{figures[key]:,.0f} ms" if figures else ""


def render(result: dict, before: dict | None = None) -> str:
    verdict = {True: "met", False: "**not met**"}
    lines = [
        "# Staff pages benchmark",
        "",
        f"Generated by `python -m bench.pages_bench` on {result['date']}; do not edit by hand. "
        f"{result['cpus']} CPU, **shared with other test suites**: load average "
        f"{result['load'][0]} at the start, {result['load'][1]} at the end (1, 5, 15 min), so "
        "every time here is longer than on an idle machine, floor included: compare the ratios. "
        f"Data set: {result['dataset']['actions']:,} actions, {result['dataset']['roles']:,} "
        "partner roles (`bench.dataset --actions 100000`: 4 projects of 25,000 actions, 200,000 "
        "links to findings, 3 board sessions).",
        "",
        "gunicorn (1 worker, 2 gthread threads) serves the project with `bench.pages_settings`; "
        "one client on a keep-alive connection, signed in with a session cookie. Each page is "
        f"asked up to {result['count']} times (fewer, at least {result['least']}, when it takes "
        f"more than {BUDGET_S:.0f} s in all), alternately with its floor, after one warm-up "
        "request "
        "each. The floor (`bench/pages_floor.py`): a bare Django view behind the same "
        "middleware (the session, the person and their territories) reading the rows the page "
        "shows with hand-written SQL on Django's connection and printing them without a "
        "template: the least Django can do for the same rows. Target: a median under "
        f"{TARGET_MS} ms.",
        "",
    ]
    lines += [NOTES]
    for user, pages in result["results"].items():
        old = (before or {}).get("results", {}).get(user, {})
        lines += [
            f"## As the {user}",
            "",
            "| Page | Median | p90 | Floor median | Ratio | Queries (floor) | Size (KiB) "
            + ("| Median before | Queries before | Size before " if before else "")
            + "| Target |",
            "|---|---|---|---|---|---|---|" + ("---|---|---|" if before else "") + "---|",
        ]
        for page, figures in pages.items():
            mine, floor = figures["page"], figures.get("floor")
            ratio = f"{mine['median_ms'] / floor['median_ms']:.1f}x" if floor else ""
            queries = mine["queries"] + (f" ({floor['queries']})" if floor else "")
            row = (
                f"| {page} | {_ms(mine)} | {_ms(mine, 'p90_ms')} | {_ms(floor)} | {ratio} "
                f"| {queries} | {mine['kib']:,.0f} "
            )
            if before:
                was = old.get(page, {}).get("page")
                row += (
                    f"| {_ms(was)} | {was['queries'] if was else ''} "
                    f"| {format(was['kib'], ',.0f') if was else ''} "
                )
            lines.append(row + f"| {verdict[mine['median_ms'] <= TARGET_MS]} |")
        lines.append("")
    if before:
        lines += [
            f"Before: the same benchmark on {before['date']} before the changes, load "
            f"{before['load'][0]} to {before['load'][1]}; a slow page measured "
            f"{before['least']} time(s).",
            "",
        ]
    return "\n".join(lines)


def main(argv=None) -> int:
    import django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--save", help="write the figures as JSON to this file")
    parser.add_argument("--compare", help="an earlier --save, shown beside")
    parser.add_argument("--min", type=int, default=MIN_REQUESTS, help="requests of a slow page")
    parser.add_argument("--no-doc", action="store_true", help="do not write the doc")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    django.setup()
    result = run(args.requests, args.min)
    if args.save:
        Path(args.save).write_text(json.dumps(result, indent=1), encoding="utf-8")
    before = json.loads(Path(args.compare).read_text(encoding="utf-8")) if args.compare else None
    text = render(result, before)
    if not args.no_doc:
        (Path(ROOT) / "docs" / "benchmarks-pages.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
