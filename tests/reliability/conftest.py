"""Real processes for the fault tests: an SMTP server (aiosmtpd) that can be stopped and
started again on the same port, a private redis-server, a Celery worker subprocess.

Nothing touches the machine's shared Redis: each test gets its own redis-server on a free
port, and the worker reads the pytest test database (``transaction=True`` tests only: the
worker is another process, it must see committed rows).
"""

import asyncio
import contextlib
import logging
import os
import socket
import subprocess
import threading
import time
from collections import Counter
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.core.servers.basehttp import ThreadedWSGIServer

from tests.reliability.processes import (
    Worker,
    free_port,
    wait_until,
)

# --- SMTP -------------------------------------------------------------------------------------


class Recorder:
    """The aiosmtpd handler: records every accepted message (Message-ID, To, Subject).

    ``delay`` slows each DATA down (to kill a worker in the middle of a run); ``fail_next(n)``
    answers the next ``n`` DATA with a temporary 451 (the message is not accepted)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[dict] = []
        self.delay = 0.0
        self._tempfail = 0
        self.refused = 0

    def fail_next(self, count: int) -> None:
        with self.lock:
            self._tempfail = count

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self._tempfail > 0:
                self._tempfail -= 1
                self.refused += 1
                return "451 4.3.0 Temporary failure, try again later"
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        record = {
            "message_id": str(message["Message-ID"] or ""),
            "to": ",".join(sorted(envelope.rcpt_tos)),
            "subject": str(message["Subject"] or ""),
            "at": time.time(),
        }
        with self.lock:
            self.messages.append(record)
        return "250 2.0.0 OK"

    # -- reading -----------------------------------------------------------------------------
    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def snapshot(self) -> list[dict]:
        with self.lock:
            return list(self.messages)

    def by_recipient(self) -> Counter:
        return Counter(record["to"] for record in self.snapshot())

    def duplicates(self) -> dict:
        """What arrived more than once, by Message-ID and by (To, Subject)."""
        records = self.snapshot()
        by_id = Counter(r["message_id"] for r in records)
        by_to_subject = Counter((r["to"], r["subject"]) for r in records)
        return {
            "message_id": {k: n for k, n in by_id.items() if n > 1},
            "to_subject": {k: n for k, n in by_to_subject.items() if n > 1},
        }

    def wait_for(self, count: int, timeout: float) -> int:
        wait_until(
            lambda: self.count() >= count,
            timeout,
            message=f"{count} e-mails expected within {timeout} s, got {self.count()}",
        )
        return self.count()


class SmtpServer:
    """aiosmtpd in a thread (a Controller) on a fixed port: ``stop()`` closes the port (the
    connection is refused, as when the relay is down), ``start()`` opens it again."""

    def __init__(self, port: int):
        self.port = port
        self.recorder = Recorder()
        self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        # Imported here: without aiosmtpd only the tests using this server fail.
        from aiosmtpd.controller import Controller

        if self._controller is not None:
            return
        controller = Controller(
            self.recorder, hostname="127.0.0.1", port=self.port, ready_timeout=10
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is None:
            return
        self._controller.stop()
        self._controller = None
        # The port is really closed: a connection is refused.
        wait_until(lambda: not _port_open(self.port), 5, message="SMTP port still open")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def smtp_server():
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """The test process itself sends through the same SMTP server (in-process sweeps)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_TIMEOUT = 10
    return settings


# --- Redis ------------------------------------------------------------------------------------


class RedisServer:
    """A private redis-server (no persistence) that the test can stop and start again."""

    def __init__(self, port: int, workdir: Path):
        self.port = port
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.2).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        if self.process is not None:
            return
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.ping, 10, message="redis-server did not start")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.kill()
        self.process.wait(timeout=10)
        self.process = None
        wait_until(lambda: not _port_open(self.port), 5, message="Redis port still open")


@pytest.fixture
def redis_server(tmp_path):
    workdir = tmp_path / "redis"
    workdir.mkdir()
    server = RedisServer(free_port(), workdir)
    server.start()
    yield server
    server.stop()


def _reset_celery_pools(app) -> None:
    # kombu keeps one pool per broker URL: dropping our references is enough (closing them
    # would close the shared pool of the settings' broker for the rest of the session).
    app._pool = None
    with contextlib.suppress(KeyError, AttributeError):
        app.__dict__["amqp"]._producer_pool = None


@pytest.fixture
def private_broker(redis_server):
    """Point this process's Celery app (the pushes after commit, send_task) at the private
    Redis for the test; restore the settings' broker afterwards."""
    from backend.celery import app

    conf = app.conf
    names = ("broker_url", "broker_write_url", "broker_read_url")
    saved = {name: conf.get(name) for name in names}
    conf.update({name: redis_server.url for name in names})
    _reset_celery_pools(app)
    yield app
    conf.update(saved)
    _reset_celery_pools(app)


# --- the Celery worker --------------------------------------------------------------------------


def database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db, redis_server, smtp_server, tmp_path):
    """A real worker on the private Redis, the test database and the test SMTP server.
    Killed before the database is flushed (it depends on ``transactional_db``)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis_server.url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "PYTHONUNBUFFERED": "1",
    }
    process = Worker(env, tmp_path)
    process.start()
    yield process
    process.kill()


# --- a real HTTP server for the concurrency tests ----------------------------------------------


class _HttpServer(ThreadedWSGIServer):
    """Django's threaded test server with a deeper listen backlog: 50 clients connecting at
    once overflow its 10 and get their connections reset by the kernel."""

    request_queue_size = 256


@pytest.fixture
def http_server(transactional_db):
    """The project's WSGI application on a real socket, one thread (and one database
    connection) per client connection; yields its base URL. Sees committed rows only
    (``transaction=True`` tests)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.testcases import QuietWSGIRequestHandler

    server = _HttpServer(("127.0.0.1", 0), QuietWSGIRequestHandler, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(10)
