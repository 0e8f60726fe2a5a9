"""The embedded run (`make run`: SQLite, two gunicorn workers, a Celery worker with beat) under
concurrent use, over real HTTP: writes at once never get a 500 ("database is locked"), and the
throttles count across every process."""

from __future__ import annotations

import base64
import concurrent.futures
import contextlib
import datetime
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.backend.test_docker_compose import descendants, free_port, wait_until_ready
from tests.embedded import ROOT, embedded_env, make_setup

pytestmark = pytest.mark.slow

BAD_LINK_LIMIT = 6
PASSWORD = "demo-caf42-2026"  # the demo's


@dataclass
class Embedded:
    port: int
    database: Path
    env: dict[str, str]
    printed: str  # what `make setup` printed: the demo's accounts and partners' links
    log: Path

    def call(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        token: str | None = None,
        source: str | None = None,
    ) -> tuple[int, str]:
        """One request on a connection of its own (from the loopback address `source`)."""
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=60, source_address=(source, 0) if source else None
        )
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            connection.request(
                method, path, json.dumps(body) if body is not None else None, headers
            )
            response = connection.getresponse()
            return response.status, response.read().decode(errors="replace")
        finally:
            connection.close()

    def json(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        status, text = self.call(method, path, body, token)
        assert 200 <= status < 300, (method, path, status, text)
        return json.loads(text)

    def sign_in(self, username: str) -> str:
        body = {"username": username, "password": PASSWORD}
        return self.json("POST", "/api/v1/auth/token/", body)["token"]

    def query(self, sql: str, *params) -> list[tuple]:
        with contextlib.closing(sqlite3.connect(self.database, timeout=30)) as db:
            return db.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def embedded(tmp_path_factory) -> Iterator[Embedded]:
    """`make run` for real, once for this module: `make setup` (the demo loaded) on a database
    and var/ of its own, then the supervisor with its web workers, Celery worker and beat."""
    var_dir = tmp_path_factory.mktemp("embedded") / "var"
    port = free_port()
    env = embedded_env(var_dir, PORT=str(port), BAD_LINK_LIMIT=str(BAD_LINK_LIMIT))
    printed = make_setup(env)
    log = var_dir / "run_embedded.log"
    with log.open("wb") as output:
        supervisor = subprocess.Popen(
            [sys.executable, "scripts/run_embedded.py"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_ready(supervisor, port, log)
        yield Embedded(port, var_dir / "db.sqlite3", env, printed, log)
    finally:
        for pid in descendants(supervisor.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        supervisor.kill()
        supervisor.wait()


# --- 1. writes at once, while the worker sweeps ---------------------------------------------


@dataclass
class Write:
    method: str
    path: str
    body: dict
    token: str | None
    applied: Callable[[], bool]  # read in the database afterwards
    target: str | None = None  # what it writes: exactly one write to a target must succeed


def draft_actions(run: Embedded, manager: str, count: int) -> list[int]:
    """The demo's draft action and `count` more like it, each with its pilot: all ready to be
    submitted by the territory manager."""
    template = run.json("GET", "/api/v1/actions/?state=draft", token=manager)["results"][0]
    pilot = next(role for role in template["roles"] if role["kind"] == "pilot")
    fields = ("project", "axis", "commune", "neighbourhood", "findings", "planned_start")
    deadline = datetime.date.today() + datetime.timedelta(days=30)
    ids = [template["id"]]
    for number in range(count):
        body = {field: template[field] for field in fields}
        body |= {
            "title": f"Action parallèle {number}",
            "summary": "Créée pour écrire en même temps que d'autres.",
            "consultation_deadline": deadline.isoformat(),
            "planned_end": template["planned_end"],
            "budget": "1000.00",
        }
        action = run.json("POST", "/api/v1/actions/", body, token=manager)
        role = {
            "action": action["id"],
            "organisation": pilot["organisation"],
            "contact": pilot["contact"],
            "kind": "pilot",
            "description": "Pilote l'action.",
        }
        run.json("POST", "/api/v1/roles/", role, token=manager)
        ids.append(action["id"])
    return ids


def role_of(token: str) -> int:
    """The role a personal link is for: its signed payload is ``[role id, nonce]``."""
    return json.loads(base64.urlsafe_b64decode(token.split(":")[0] + "=="))[0]


def the_burst(run: Embedded) -> list[Write]:
    """30 writes of the four kinds reported: submits, staff accounts, partners' answers by
    link and edits; a submit, an account and an answer sent twice, two edits of actions being
    submitted."""
    admin, manager = run.sign_in("admin"), run.sign_in("rt.forez")
    drafts = draft_actions(run, manager, 5)
    contacts = [c["id"] for c in run.json("GET", "/api/v1/contacts/", token=manager)["results"]]
    tokens = re.findall(r"/respond/([^/\s]+)/", run.printed)
    assert len(drafts) == 6 and len(contacts) >= 6 and len(tokens) >= 4

    def row(table: str, column: str, pk: int) -> list[tuple]:
        return run.query(f"SELECT {column} FROM {table} WHERE id = ?", pk)

    def submitted(pk: int) -> Callable[[], bool]:
        logged = (
            "SELECT 1 FROM workflows_transitionlog WHERE transition = 'submit' AND subject_id = ?"
        )
        return lambda: (
            row("actions_action", "state", pk) == [("consultation",)]
            and bool(run.query(logged, pk))
        )

    def has(table: str, column: str, pk: int, value: str) -> Callable[[], bool]:
        return lambda: row(table, column, pk) == [(value,)]

    writes = []
    for pk in [*drafts, drafts[0], drafts[1]]:
        path = f"/api/v1/actions/{pk}/transitions/submit/"
        writes.append(Write("POST", path, {}, manager, submitted(pk), target=path))
    for number in [*range(8), 0]:
        username = f"parallele.{number}"
        body = {
            "username": username,
            "password": "Chantier-St-Julien-2026",
            "email": f"{username}@caf42.example",
            "role": "social_worker",
            "territories": ["forez-montbrisonnais"],
        }
        applied = lambda username=username: bool(  # noqa: E731
            run.query("SELECT 1 FROM accounts_user WHERE username = ?", username)
        )
        writes.append(Write("POST", "/api/v1/staff/", body, admin, applied, target=username))
    for token in [*tokens[:4], tokens[0]]:
        path, body = f"/api/v1/respond/{token}/", {"decision": "accept", "comment": "D'accord."}
        applied = has("actions_roleassignment", "state", role_of(token), "accepted")
        writes.append(Write("POST", path, body, None, applied, target=path))
    for number, pk in enumerate(contacts[:6]):  # by the admin: some serve other territories too
        path, name = f"/api/v1/contacts/{pk}/", f"Prénom {number}"
        applied = has("partners_contact", "first_name", pk, name)
        writes.append(Write("PATCH", path, {"first_name": name}, admin, applied, target=path))
    for pk in drafts[2:4]:  # before its submit (200) or after (409): either is right
        summary = "Résumé revu pendant l'envoi."
        applied = has("actions_action", "summary", pk, summary)
        writes.append(
            Write("PATCH", f"/api/v1/actions/{pk}/", {"summary": summary}, manager, applied)
        )
    assert len(writes) == 30
    return writes


def sweep_until(run: Embedded, done: threading.Event) -> list[subprocess.CompletedProcess]:
    """`dispatch_due` over and over (at least once) until `done`, a month ahead so that it has
    reminders to send: the sweep writing while the requests do."""
    ahead = (datetime.datetime.now().astimezone() + datetime.timedelta(days=30)).isoformat()
    sweeps = []
    while not sweeps or not done.is_set():
        sweeps.append(
            subprocess.run(
                [sys.executable, "manage.py", "dispatch_due", "--now", ahead],
                cwd=ROOT,
                env=run.env,
                capture_output=True,
                text=True,
                timeout=120,
            )
        )
    return sweeps


def test_thirty_writes_at_once_while_the_worker_sweeps_get_no_5xx(embedded):
    writes = the_burst(embedded)
    done = threading.Event()
    start = threading.Barrier(len(writes))

    def send(write: Write) -> tuple[int, str]:
        start.wait()
        return embedded.call(write.method, write.path, write.body, write.token)

    with concurrent.futures.ThreadPoolExecutor(len(writes) + 1) as pool:
        sweeping = pool.submit(sweep_until, embedded, done)
        try:
            answers = list(pool.map(send, writes))
        finally:
            done.set()
        sweeps = sweeping.result()

    seen = [
        (w.method, w.path, status, text[:300])
        for w, (status, text) in zip(writes, answers, strict=True)
    ]
    assert not [answer for answer in seen if answer[2] >= 500]
    for write, answer in zip(writes, seen, strict=True):
        status = answer[2]
        assert write.applied() if status < 300 else 400 <= status < 500, answer
    # A write is refused only when another one to the same thing won (409, or 400 for a
    # username taken): each submit, account, answer and contact edit applied exactly once.
    won: dict[str, int] = {}
    for write, (status, _) in zip(writes, answers, strict=True):
        if write.target:
            won[write.target] = won.get(write.target, 0) + (status < 300)
    assert set(won.values()) == {1}, [target for target, count in won.items() if count != 1]
    assert all(s.returncode == 0 for s in sweeps), [s.stderr[-2000:] for s in sweeps]
    assert "database is locked" not in embedded.log.read_text()


# --- 2. throttles shared by every process ----------------------------------------------------


def test_the_bad_link_limit_holds_across_the_two_web_workers(embedded):
    """One web worker is kept busy by a request whose headers have not all arrived: the other
    serves the next bad links; then the first finishes its own. A count per process would see
    1 bad link in one worker and LIMIT - 1 in the other, and let the next one through."""
    source = "127.0.0.2"  # an address of its own: the other test's links are not counted here
    bad = "/respond/pas-un-lien-{}/"
    with socket.create_connection(("127.0.0.1", embedded.port), 10, (source, 0)) as held:
        held.sendall(f"GET {bad.format('tenu')} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        others = [
            embedded.call("GET", bad.format(number), source=source)[0]
            for number in range(BAD_LINK_LIMIT - 1)
        ]
        held.sendall(b"Connection: close\r\n\r\n")
        answer = http.client.HTTPResponse(held)
        answer.begin()
        assert (answer.status, others) == (404, [404] * (BAD_LINK_LIMIT - 1))

    status, page = embedded.call("GET", bad.format("de-trop"), source=source)
    assert status == 429 and "Trop de tentatives" in page
    assert embedded.call("GET", bad.format("ailleurs"), source="127.0.0.3")[0] == 404
