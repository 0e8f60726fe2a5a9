"""Benchmarks of the notification machinery (not part of the test suite).

``python -m bench.run`` (``make bench``) runs them all against a scratch PostgreSQL database,
a private redis-server and a local aiosmtpd, and writes docs/benchmarks.md. Helpers shared by
the benchmark modules live here: progress output, free ports, the private Redis, timers.
"""

import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_STARTED = time.monotonic()


def accumulating(spent: dict, name: str, func):
    """``func``, adding the seconds each of its calls takes to ``spent[name]``."""

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - started

    return wrapper


def say(message: str) -> None:
    """One progress line on stderr, with the time elapsed since the start."""
    elapsed = time.monotonic() - _STARTED
    prefix = "\r\033[K" if sys.stderr.isatty() else ""
    sys.stderr.write(f"{prefix}[{elapsed:6.1f} s] {message}\n")
    sys.stderr.flush()


_last_tenth: dict[str, int] = {}


def progress(label: str, done: int, total: int) -> None:
    """A progress counter, rewritten in place on a terminal (every 10 % in a log file)."""
    percent = 100 * done / total if total else 100
    if sys.stderr.isatty():
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r\033[K    {label}: {done:,}/{total:,} ({percent:3.0f} %){end}")
    else:
        tenth = int(percent // 10)
        if _last_tenth.get(label) == tenth:
            return
        _last_tenth[label] = tenth
        sys.stderr.write(f"    {label}: {done:,}/{total:,} ({percent:3.0f} %)\n")
    sys.stderr.flush()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def wait_for(predicate, timeout: float, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not reached within {timeout} s")
        time.sleep(interval)


class PrivateRedis:
    """A redis-server of our own on a free port (no persistence), never the shared one."""

    def __init__(self):
        self.port = free_port()
        self.workdir = tempfile.mkdtemp(prefix="bench-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                *("--appendonly", "no", "--daemonize", "no", "--dir", self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def ready():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(ready, 10, what="redis-server")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
        shutil.rmtree(self.workdir, ignore_errors=True)
