"""A real HTTP receiver of webhooks for the tests (``http.server`` in a thread, on a port that
stays the same when it is stopped and started again): it records every request it answers and
answers what the test scripts (``fail_next``), 200 otherwise."""

import contextlib
import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


class Receiver:
    def __init__(self, port: int | None = None):
        self.port = port or _free_port()
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.delay = 0.0
        self._failures: list[int] = []
        self._server = None
        self._thread = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/caf"

    def fail_next(self, count: int, status: int = 503) -> None:
        with self.lock:
            self._failures = [status] * count

    def start(self) -> None:
        if self._server is not None:
            return
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    status = receiver._failures.pop(0) if receiver._failures else 200
                    receiver.requests.append(
                        {
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                            "status": status,
                            "at": time.time(),
                        }
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server = None

    def snapshot(self) -> list[dict]:
        with self.lock:
            return list(self.requests)

    def accepted(self) -> list[dict]:
        return [r for r in self.snapshot() if 200 <= r["status"] < 300]

    def accepted_ids(self) -> Counter:
        return Counter(r["headers"]["webhook-id"] for r in self.accepted())

    def verified(self, secret: str, request: dict) -> dict:
        """The body, once ``standardwebhooks`` has checked the signature (raises if wrong)."""
        return Webhook(secret).verify(request["body"], request["headers"])

    def bodies(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.snapshot()]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running(port: int | None = None):
    receiver = Receiver(port)
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
