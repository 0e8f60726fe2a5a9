"""Run the embedded stack in the foreground: the web server and one Celery worker with beat.

`make run` calls this after migrate, collectstatic and load_demo. Both children are started
from the repo root with this interpreter, their output is forwarded line by line with a prefix
("web |", "worker |"), and:

- Ctrl-C (SIGINT) or SIGTERM stops both (SIGTERM, then SIGKILL after a timeout) and exits 0;
- if one child dies, the other is stopped the same way and the exit status is non-zero.

Each child runs in its own session (process group), so a Ctrl-C in the terminal reaches only
this supervisor, which then shuts both children down at once; whatever a child left behind in
its group (gunicorn workers, Celery pool and beat processes) is killed at the end.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
SHUTDOWN_TIMEOUT = 10.0  # seconds a child gets to stop after SIGTERM, before SIGKILL
POLL_INTERVAL = 0.2

_print_lock = threading.Lock()


def say(line: str) -> None:
    with _print_lock:
        sys.stdout.write(line if line.endswith("\n") else line + "\n")
        sys.stdout.flush()


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[str] | None = None
    reader: threading.Thread | None = field(default=None, repr=False)

    def start(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            bufsize=1,
            start_new_session=True,  # own process group: no terminal Ctrl-C, killpg at the end
        )
        assert self.process.stdout is not None
        self.reader = threading.Thread(
            target=self._forward, args=(self.process.stdout,), name=f"{self.name}-output"
        )
        self.reader.daemon = True
        self.reader.start()

    def _forward(self, stream: IO[str]) -> None:
        prefix = f"{self.name:<6} | "
        for line in stream:
            say(prefix + line.rstrip("\n"))
        stream.close()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def terminate(self) -> None:
        """Ask the child to stop (SIGTERM): gunicorn and Celery both shut down gracefully."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def finish(self, deadline: float) -> None:
        """Wait for the child until `deadline`, SIGKILL it then, and kill what is left in its
        process group (a pool process or beat that outlived its parent)."""
        if self.process is None:
            return
        try:
            self.process.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            say(f"{self.name} did not stop within {SHUTDOWN_TIMEOUT:.0f}s: killing it")
        self._kill_group()
        self.process.wait()
        if self.reader is not None:
            self.reader.join(timeout=2)

    def _kill_group(self) -> None:
        # The group id is the child's pid (new session); an empty group raises.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)


def children(port: int) -> list[Child]:
    python = sys.executable
    # gunicorn rather than runserver: the production server, and whitenoise serves the
    # static files collected by `make run` (the admin's CSS and JS, the API docs).
    web = [python, "-m", "gunicorn", "backend.wsgi", "--bind", f"127.0.0.1:{port}"]
    web += ["--workers", "2", "--graceful-timeout", "5", "--access-logfile", "-"]
    web += ["--no-control-socket"]  # else one per user, in ~/.gunicorn
    # One process for the worker and beat (-B): beat must run exactly once.
    worker = [python, "-m", "celery", "-A", "backend", "worker", "-B"]
    worker += ["--loglevel=INFO", "--concurrency=2"]
    return [Child("web", web), Child("worker", worker)]


def failure_status(code: int | None) -> int:
    """The supervisor's status when a child died on its own: never 0."""
    if code is None or code == 0:
        return 1
    return code if code > 0 else 128 - code  # killed by signal N: 128 + N, as a shell does


def banner(port: int) -> str:
    url = f"http://127.0.0.1:{port}"
    return "\n".join(
        [
            "",
            "  CAF de la Loire - projets de territoire (embedded run)",
            f"  web        {url}/",
            f"  admin      {url}/admin/",
            f"  API docs   {url}/api/v1/docs/",
            "  Ctrl-C stops the web server and the worker.",
            "",
        ]
    )


def main() -> int:
    port = int(os.environ.get("PORT") or 8000)
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    env["PYTHONUNBUFFERED"] = "1"  # line by line output from the children
    env["PORT"] = str(port)

    signals_received: list[int] = []

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        # Only a note: no lock (printing, Event.set) here, the main thread may hold it.
        signals_received.append(signum)

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    procs = children(port)
    status = 0
    try:
        for child in procs:
            child.start(env)
        say(banner(port))
        while not signals_received:
            time.sleep(POLL_INTERVAL)
            dead = [child for child in procs if child.exit_code() is not None]
            if dead:
                for child in dead:
                    say(f"{child.name} exited with status {child.exit_code()}: stopping")
                status = failure_status(dead[0].exit_code())
                break
        else:
            say(f"\n{signal.Signals(signals_received[0]).name} received: stopping")
    finally:
        for child in procs:
            child.terminate()
        deadline = time.monotonic() + SHUTDOWN_TIMEOUT
        for child in procs:
            child.finish(deadline)
    say("stopped")
    return status


if __name__ == "__main__":
    sys.exit(main())
