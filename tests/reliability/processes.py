"""The processes the reliability tests start and wait for: a real Celery worker in its own
process group, a free port, polling with a deadline."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The venv's celery (``.venv/bin/celery``), whichever interpreter runs the tests.
CELERY = [sys.executable, "-m", "celery"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.05, message: str = ""):
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(message or f"condition not met within {timeout} s")
        time.sleep(interval)


class Worker:
    """``celery -A backend worker`` in its own process group (SIGKILL takes its children)."""

    def __init__(self, env: dict, log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None
        self.runs = 0
        self.log_path: Path | None = None

    def start(self, timeout: float = 30) -> None:
        assert self.process is None, "worker already running"
        self.runs += 1
        self.log_path = self.log_dir / f"worker-{self.runs}.log"
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                *CELERY,
                "-A",
                "backend",
                "worker",
                "--concurrency=2",
                "--loglevel=INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"reliability-{os.getpid()}-{self.runs}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

        def ready():
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited:\n{self.log()}")
            return " ready." in self.log()

        wait_until(ready, timeout, interval=0.1, message="the worker did not get ready")

    def log(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL to the whole process group: the main process and its pool children."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.kill()
        self.start()

    def start_again_if_exited(self, timeout: float = 60) -> bool:
        """After the broker came back: what the compose file's ``restart: unless-stopped``
        does for the worker. Waits until the worker has either connected again (more
        "Connected to" lines in its log than lost connections) or exited, as kombu's
        "Unrecoverable error" makes it do, however slowly it shuts down; started again if
        it exited (True then)."""
        assert self.process is not None, "the worker was not started"

        def settled():
            if self.process.poll() is not None:
                return True
            log = self.log()
            if "Unrecoverable error" in log:
                return False  # on its way out: wait for the exit
            return log.count("Connected to ") > log.count("Connection to broker lost")

        wait_until(
            settled, timeout, interval=0.1, message="the worker neither came back nor exited"
        )
        if self.process.poll() is None:
            return False
        self.process = None
        self.start()
        return True
