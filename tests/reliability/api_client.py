"""A minimal JSON client over a real socket (``http.client``): one keep-alive connection per
client thread, a token of its own. For the tests that go through the whole HTTP stack."""

import http.client
import json
from urllib.parse import urlsplit


class HttpApi:
    def __init__(self, base_url: str, token: str, timeout: float = 60):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.token, self.timeout = token, timeout
        self.conn: http.client.HTTPConnection | None = None

    def connect(self) -> "HttpApi":
        """Open the connection now (before a barrier: the requests then leave together, and
        the server's listen backlog never sees 50 connections at once)."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        self.conn.connect()
        return self

    def request(self, method: str, path: str, body=None) -> tuple[int, object]:
        """(status, decoded JSON body or the raw text); one reconnection if the server closed
        the kept-alive connection between two requests."""
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                self.close()
                if attempt == 2 or method not in ("GET", "HEAD"):
                    raise
                continue
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            try:
                return response.status, json.loads(raw) if raw else None
            except ValueError:
                return response.status, raw.decode(errors="replace")
        raise AssertionError("unreachable")

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body=None):
        return self.request("POST", path, body if body is not None else {})

    def patch(self, path, body):
        return self.request("PATCH", path, body)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
