"""API benchmark: the actions list and the action detail served by gunicorn on the large data set,
against a bare Django view returning the same rows from ``.values()`` (``bench.floor_urls``).

gunicorn runs the project (``bench.settings``: the project's settings, plus the floor views and
a middleware that counts the SQL queries of each request into ``X-Queries``) with gthread
workers. The client is Python threads, each with its own keep-alive HTTP connection,
authenticated with a token from ``POST /api/v1/auth/token/`` (the director: every territory).

1. One client, one request at a time: the median latency of each kind of request, API and
   floor alternately with the same parameters.
2. The queries of each request: the list's first and 50th pages, filtered and not, and two
   details; the count must not depend on the page or the rows.
3. 20 clients for a while on a mix of the three kinds: p50, p95, requests per second, errors;
   with 1 and with 2 gunicorn worker processes (scale-out).
"""

import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from bench import ROOT, free_port, median, say, wait_for

KINDS = ("list", "list_filtered", "detail")
LABELS = {
    "list": "list, 50 per page (`?page_size=50&page=1…50`)",
    "list_filtered": "list filtered (`?territory=…&state=…&page_size=50&page=1…5`)",
    "detail": "detail (`/actions/{id}/`)",
}
FILTER_STATES = ("draft", "consultation", "in_progress")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Gunicorn:
    """The project under gunicorn (gthread workers) on a free port, in its own process group."""

    def __init__(self, *, workers: int, threads: int, settings: str = "bench.settings"):
        self.workers, self.threads, self.settings = workers, threads, settings
        self.port = free_port()
        self.log = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    def start(self) -> "Gunicorn":
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": self.settings, "LOG_LEVEL": "WARNING"}
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "gunicorn", "backend.wsgi:application"),
                    *("--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)),
                    *("--worker-class", "gthread", "--threads", str(self.threads)),
                    *("--keep-alive", "30", "--log-level", "warning", "--timeout", "120"),
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text(errors='replace')}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()
                return True
            except OSError:
                return False

        wait_for(ready, 60, interval=0.2, what="gunicorn")
        return self

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
            self.process = None
        self.log.unlink(missing_ok=True)


class Client:
    """One keep-alive connection; ``get`` returns (status, seconds, queries, body)."""

    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str):
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            started = time.perf_counter()
            try:
                self.conn.request("GET", path, headers=headers)
                response = self.conn.getresponse()
                body = response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    return 599, time.perf_counter() - started, None, b""
                continue
            elapsed = time.perf_counter() - started
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            queries = response.getheader("X-Queries")
            return response.status, elapsed, int(queries) if queries else None, body
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def token_for(port: int, username: str, password: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/api/v1/auth/token/",
        body=json.dumps({"username": username, "password": password}),
        headers={"Content-Type": "application/json"},
    )
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"no token: {response.status} {body}")
    return body["token"]


class Workload:
    """The requests of each kind, the same parameters for the API and its floor."""

    def __init__(self, seed: int = 7):
        from backend.actions.models import Action
        from backend.demo import data
        from backend.territories.models import Territory

        self.rng = random.Random(seed)
        # The demo's territories (the generated actions' ones): not a bare territory an
        # earlier benchmark may have added.
        self.slugs = list(
            Territory.objects.filter(slug__in=data.ALL_TERRITORIES).values_list("slug", flat=True)
        )
        ids = Action.objects.values_list("id", flat=True)
        self.low, self.high = min(ids), max(ids)

    def params(self, kind: str) -> str:
        rng = self.rng
        if kind == "list":
            return f"?page_size=50&page={rng.randint(1, 50)}"
        if kind == "list_filtered":
            return (
                f"?territory={rng.choice(self.slugs)}&state={rng.choice(FILTER_STATES)}"
                f"&page_size=50&page={rng.randint(1, 5)}"
            )
        return f"{rng.randint(self.low, self.high)}/"

    @staticmethod
    def path(params: str, floor: bool) -> str:
        return ("/bench/floor/actions/" if floor else "/api/v1/actions/") + params


def sequential(port: int, token: str, workload: Workload, count: int) -> dict:
    """One client: ``count`` requests of each kind on each side, alternately."""
    client = Client(port, token)
    result = {}
    try:
        for kind in KINDS:
            times = {"api": [], "floor": []}
            sizes = {"api": [], "floor": []}
            for index in range(count):
                params = workload.params(kind)
                sides = ("api", "floor") if index % 2 else ("floor", "api")
                for side in sides:
                    status, seconds, _, body = client.get(workload.path(params, side == "floor"))
                    if status != 200:
                        raise RuntimeError(f"{side} {params}: {status} {body[:300]!r}")
                    times[side].append(seconds)
                    sizes[side].append(len(body))
            result[kind] = {
                "count": count,
                "api_ms": 1000 * median(times["api"]),
                "floor_ms": 1000 * median(times["floor"]),
                "api_bytes": median(sizes["api"]),
                "floor_bytes": median(sizes["floor"]),
            }
            result[kind]["ratio"] = result[kind]["api_ms"] / result[kind]["floor_ms"]
            say(
                f"    {kind}: API {result[kind]['api_ms']:.1f} ms, floor "
                f"{result[kind]['floor_ms']:.1f} ms, {result[kind]['ratio']:.2f}x"
            )
    finally:
        client.close()
    return result


def query_counts(port: int, token: str) -> dict:
    """The SQL queries of chosen requests, and whether the floor returns the same rows."""
    from backend.actions.models import Action

    client = Client(port, token)
    few = Action.objects.filter(roles__isnull=False).order_by("id").first().pk
    many = Action.objects.order_by("-id").first().pk
    slug = Workload().slugs[0]
    requests = {
        "list, page 1": "?page_size=50&page=1",
        "list, page 50": "?page_size=50&page=50",
        "list filtered, page 1": f"?territory={slug}&state=consultation&page_size=50&page=1",
        "list filtered, page 5": f"?territory={slug}&state=consultation&page_size=50&page=5",
        f"detail of action {few}": f"{few}/",
        f"detail of action {many}": f"{many}/",
    }
    counts, same = {}, True
    try:
        for label, params in requests.items():
            status, _, queries, body = client.get(Workload.path(params, False))
            floor_status, _, floor_queries, floor_body = client.get(Workload.path(params, True))
            if status != 200 or floor_status != 200:
                raise RuntimeError(f"{label}: {status}/{floor_status}")
            counts[label] = {"api": queries, "floor": floor_queries}
            api, floor = json.loads(body), json.loads(floor_body)
            api_rows = api.get("results", [api])
            floor_rows = floor.get("results", [floor])
            same &= [(r["id"], len(r["roles"]), sorted(r["findings"])) for r in api_rows] == [
                (r["id"], len(r["roles"]), sorted(r["findings"])) for r in floor_rows
            ]
            same &= api.get("count") == floor.get("count")
    finally:
        client.close()
    constant = len({c["api"] for label, c in counts.items() if label.startswith("list")}) == 1
    constant &= len({c["api"] for label, c in counts.items() if label.startswith("detail")}) == 1
    return {"requests": counts, "constant": constant, "same_rows": same}


def load(port: int, token: str, workload: Workload, *, clients: int, seconds: float, floor: bool):
    """``clients`` threads for ``seconds`` on an even mix of the three kinds."""
    paths = [workload.path(workload.params(KINDS[i % 3]), floor) for i in range(30_000)]
    latencies: list[float] = []
    statuses: Counter = Counter()
    queries: dict[str, Counter] = {kind: Counter() for kind in KINDS}
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    stop = threading.Event()

    def run(index: int) -> None:
        client = Client(port, token)
        mine, my_status, my_queries = [], Counter(), {kind: Counter() for kind in KINDS}
        barrier.wait()
        position = index
        while not stop.is_set():
            status, elapsed, count, _ = client.get(paths[position % len(paths)])
            mine.append(elapsed)
            my_status[status] += 1
            my_queries[KINDS[position % 3]][count] += 1
            position += clients
        client.close()
        with lock:
            latencies.extend(mine)
            statuses.update(my_status)
            for kind in KINDS:
                queries[kind].update(my_queries[kind])

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(120)
    elapsed = time.perf_counter() - started
    errors = sum(n for status, n in statuses.items() if status >= 500)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * _percentile(latencies, 0.50),
        "p95_ms": 1000 * _percentile(latencies, 0.95),
        "statuses": dict(statuses),
        "errors": errors,
        "queries": {kind: dict(counter) for kind, counter in queries.items()},
    }


def _warm(port: int, token: str, workload: Workload, workers: int) -> None:
    """Every worker thread imports, compiles and connects before anything is timed."""
    load(port, token, workload, clients=4 * workers, seconds=2, floor=False)
    load(port, token, workload, clients=4 * workers, seconds=1, floor=True)


def run(
    *,
    sequential_count: int = 200,
    clients: int = 20,
    seconds: float = 20,
    workers: tuple[int, ...] = (1, 2),
    threads: int = 4,
) -> dict:
    from backend.actions.models import Action, RoleAssignment
    from backend.demo import data

    dataset = {"actions": Action.objects.count(), "roles": RoleAssignment.objects.count()}
    say(
        f"API benchmark on {dataset['actions']:,} actions, {dataset['roles']:,} roles: gunicorn "
        f"gthread ({threads} threads a worker)"
    )
    workload = Workload()
    result = {
        "dataset": dataset,
        "clients": clients,
        "seconds": seconds,
        "threads": threads,
        "load": {},
    }
    for count in sorted(workers, reverse=True):
        server = Gunicorn(workers=count, threads=threads).start()
        try:
            token = token_for(server.port, data.DIRECTOR, data.DEMO_PASSWORD)
            _warm(server.port, token, workload, count)
            if "sequential" not in result:
                say(f"  one client, {sequential_count} requests of each kind on each side")
                result["sequential"] = sequential(server.port, token, workload, sequential_count)
                result["queries"] = query_counts(server.port, token)
                say(f"    queries: {result['queries']}")
            result["load"][count] = {}
            for side in ("api", "floor"):
                say(f"  {clients} clients, {seconds:.0f} s, {count} worker(s): {side}")
                figures = load(
                    server.port,
                    token,
                    workload,
                    clients=clients,
                    seconds=seconds,
                    floor=side == "floor",
                )
                result["load"][count][side] = figures
                say(
                    f"    {figures['rps']:.0f} req/s, p50 {figures['p50_ms']:.0f} ms, "
                    f"p95 {figures['p95_ms']:.0f} ms, statuses {figures['statuses']}"
                )
        finally:
            server.stop()
    return result
