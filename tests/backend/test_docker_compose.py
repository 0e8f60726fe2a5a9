"""The two ways to run the project: the full stack (docker-compose.yml, checked by parsing: no
Docker engine here) and the embedded run (scripts/run_embedded.py, really started)."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
MAIL_CATCHERS = ("mailpit", "mailhog", "maildev", "smtp4dev")


# --- docker-compose.yml -------------------------------------------------------------------


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"]


def environment(service: dict[str, Any]) -> dict[str, str]:
    """`environment` as a mapping, whether written as a mapping or as a list of NAME=value."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {name: str(value) for name, value in env.items()}


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    """`depends_on` as {service: condition}; the short list form means service_started."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def command(service: dict[str, Any]) -> list[str]:
    cmd = service.get("command") or []
    return shlex.split(cmd) if isinstance(cmd, str) else [str(part) for part in cmd]


def mail_catcher(services: dict[str, dict[str, Any]]) -> str:
    names = [
        name
        for name, service in services.items()
        if any(catcher in str(service.get("image", "")) for catcher in MAIL_CATCHERS)
    ]
    assert len(names) == 1, f"expected one mail catcher service, found {names}"
    return names[0]


def test_the_full_stack_has_every_service(services):
    assert {"postgres", "redis", *APP_SERVICES} <= services.keys()
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert mail_catcher(services)


def test_app_services_share_one_image_definition(services):
    definitions = {
        (repr(services[name].get("build")), services[name].get("image")) for name in APP_SERVICES
    }
    assert len(definitions) == 1, definitions
    assert services["web"].get("build"), "the app image is built from this repository"


def test_app_services_talk_to_the_stack_services(services):
    postgres_env = environment(services["postgres"])
    catcher = mail_catcher(services)
    for name in APP_SERVICES:
        env = environment(services[name])

        database = urlsplit(env["DATABASE_URL"])
        assert database.scheme.startswith("postgres"), name
        assert database.hostname == "postgres", name
        assert database.username == postgres_env["POSTGRES_USER"], name
        assert database.password == postgres_env["POSTGRES_PASSWORD"], name
        assert database.path.lstrip("/") == postgres_env["POSTGRES_DB"], name

        broker = urlsplit(env["CELERY_BROKER_URL"])
        assert (broker.scheme, broker.hostname) == ("redis", "redis"), name

        assert env["EMAIL_HOST"] == catcher, name
        assert env["EMAIL_PORT"] == "1025", name
        assert "web" in env["ALLOWED_HOSTS"].split(","), name
        # From the environment, required: no default key written in the file (`:?`, not `:-`).
        assert env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?"), name


def test_app_services_wait_for_healthy_postgres_and_redis(services):
    for name in APP_SERVICES:
        deps = depends_on(services[name])
        assert deps.get("postgres") == "service_healthy", name
        assert deps.get("redis") == "service_healthy", name


def test_migrations_run_before_the_app_starts(services):
    migrating = [name for name, service in services.items() if "migrate" in command(service)[:4]]
    if "web" in migrating:  # a command that migrates, then starts gunicorn
        return
    assert len(migrating) == 1, f"expected one migrate job, found {migrating}"
    for name in APP_SERVICES:
        assert depends_on(services[name]).get(migrating[0]) == "service_completed_successfully"


def test_postgres_redis_and_web_have_healthchecks(services):
    for name in ("postgres", "redis", "web"):
        test = services[name].get("healthcheck", {}).get("test")
        assert test, f"{name} has no healthcheck"
    assert "pg_isready" in str(services["postgres"]["healthcheck"]["test"])
    assert "ping" in str(services["redis"]["healthcheck"]["test"])
    assert "/healthz" in str(services["web"]["healthcheck"]["test"])


def test_web_serves_gunicorn_on_port_8000(services):
    ports = [
        str(port.get("published", "")) if isinstance(port, dict) else str(port)
        for port in services["web"].get("ports", [])
    ]
    assert any(port.split(":")[0] == "8000" for port in ports), ports
    assert "gunicorn" in command(services["web"]) or not services["web"].get("command")


def test_one_worker_and_exactly_one_beat(services):
    worker, beat = command(services["worker"]), command(services["beat"])
    assert worker[0] == "celery" and "worker" in worker, worker
    assert beat[0] == "celery" and "beat" in beat, beat
    assert "-B" not in worker and "--beat" not in worker, "beat runs in its own service"
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    assert "beat" not in command(services["web"])


def test_dockerfile_installs_the_lock_file():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.MULTILINE)
    assert re.search(r"pip install .*-r requirements\.lock", dockerfile)
    assert "collectstatic" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE), "runs as a non-root user"
    assert re.search(r"^EXPOSE 8000", dockerfile, re.MULTILINE)
    assert re.search(r"^CMD .*gunicorn", dockerfile, re.MULTILINE)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and ".git" in ignored


# --- scripts/run_embedded.py --------------------------------------------------------------

STARTUP_TIMEOUT = 60.0
SHUTDOWN_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_table() -> dict[int, tuple[int, str]]:
    """{pid: (parent pid, state)} from /proc (psutil is not a dependency)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]  # the name may hold spaces
        table[int(entry.name)] = (int(ppid), state)
    return table


def descendants(pid: int) -> set[int]:
    table = process_table()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, (ppid, _) in table.items() if ppid in frontier}
        found |= frontier
    return found


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for a parent that no longer reaps."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in {"Z", "X"}


def cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def healthz(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


@pytest.fixture
def embedded(tmp_path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    """The supervisor, started on an empty SQLite database and broker folder of its own."""
    port, var_dir = free_port(), tmp_path / "var"
    var_dir.mkdir()  # as `make run` does
    env = {
        **os.environ,
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": "",
        "CELERY_BROKER_URL": "",
        "EMAIL_HOST": "",
        "PORT": str(port),
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DJANGO_DEBUG": "",
    }
    env.pop("DJANGO_SECRET_KEY", None)  # as from a plain shell: the run draws its own
    manage = [sys.executable, "manage.py"]
    for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):  # as `make run`
        subprocess.run([*manage, *step, "-v0"], cwd=ROOT, env=env, check=True)
    log = tmp_path / "run_embedded.log"
    with log.open("wb") as output:
        supervisor = subprocess.Popen(
            [sys.executable, "scripts/run_embedded.py"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield supervisor, port, log
    finally:  # whatever the test did: leave nothing running
        for pid in descendants(supervisor.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        supervisor.kill()
        supervisor.wait()


def wait_until_ready(supervisor: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        assert supervisor.poll() is None, f"the supervisor exited:\n{log.read_text()}"
        if healthz(port) == 200 and re.search(r"worker +\| .*ready", log.read_text()):
            return
        time.sleep(0.5)
    pytest.fail(f"not ready within {STARTUP_TIMEOUT:.0f}s:\n{log.read_text()}")


def assert_all_stopped(supervisor: subprocess.Popen[bytes], children: set[int], log: Path) -> int:
    try:
        status = supervisor.wait(timeout=SHUTDOWN_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the supervisor still runs {SHUTDOWN_TIMEOUT:.0f}s later:\n{log.read_text()}")
    deadline = time.monotonic() + 2  # orphans get reaped by init a moment later
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = {pid: cmdline(pid) for pid in children if alive(pid)}
    assert not left, f"orphan processes: {left}"
    return status


@pytest.mark.slow
def test_run_embedded_serves_runs_a_worker_and_stops_on_ctrl_c(embedded):
    supervisor, port, log = embedded
    wait_until_ready(supervisor, port, log)

    children = descendants(supervisor.pid)
    workers = [pid for pid in children if re.search(r"celery .*worker", cmdline(pid))]
    assert workers and all(alive(pid) for pid in workers), {p: cmdline(p) for p in children}
    assert any("gunicorn" in cmdline(pid) for pid in children)
    admin_css = f"http://127.0.0.1:{port}/static/admin/css/base.css"
    with urllib.request.urlopen(admin_css, timeout=5) as response:  # served by whitenoise
        assert response.status == 200

    supervisor.send_signal(signal.SIGINT)
    assert assert_all_stopped(supervisor, children, log) == 0

    output = log.read_text()
    for where in (f"http://127.0.0.1:{port}/", "/admin/", "/api/v1/docs/"):
        assert where in output
    assert re.search(r"^web +\| ", output, re.MULTILINE)
    assert re.search(r"^worker +\| ", output, re.MULTILINE)
    kept = log.parent / "var" / "secret-key"  # drawn on the first start, kept for the next
    assert len(kept.read_text().strip()) >= 50


@pytest.mark.slow
def test_run_embedded_stops_everything_when_a_child_dies(embedded):
    supervisor, port, log = embedded
    wait_until_ready(supervisor, port, log)
    children = descendants(supervisor.pid)
    web = next(
        pid
        for pid in children
        if "gunicorn" in cmdline(pid) and process_table()[pid][0] == supervisor.pid
    )

    os.kill(web, signal.SIGKILL)

    assert assert_all_stopped(supervisor, children, log) != 0
