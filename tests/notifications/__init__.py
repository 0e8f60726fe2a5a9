"""Shared helpers of the notification tests (the fixtures are in conftest.py).

``smtp`` is a real SMTP server (aiosmtpd) on a free port, with Django's SMTP backend pointed
at it; ``smtp.messages`` are the e-mails it received, parsed by the ``email`` package.
"""

import contextlib
import datetime
import email
import re
import socket
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import timezone

from backend.actions.links import token_for

PARIS = timezone.get_fixed_timezone(60)  # Europe/Paris in winter
MONDAY = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=PARIS)
DEADLINE = datetime.date(2026, 12, 18)  # a Friday


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving_smtp(settings, handler):
    """``handler`` (an aiosmtpd handler, e.g. an ``Inbox``) served on a free port while the
    block runs, Django's SMTP backend pointed at it."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    try:
        yield handler
    finally:
        controller.stop()


def answer(role, decision, comment=""):
    """The partner answers ``role`` through its personal link (the API, no account); the
    role as it stands after."""
    role.refresh_from_db()
    response = Client().post(
        f"/api/v1/respond/{token_for(role)}/",
        {"decision": decision, "comment": comment},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    role.refresh_from_db()
    return role


def at(day: int, month: int = 12, hour: int = 8, minute: int = 31) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=PARIS)


def subject_of(message: EmailMessage) -> str:
    """The decoded subject (a long subject is folded: its first line is empty); its no-break
    spaces (« 14 h 00 ») kept."""
    return re.sub(r"[ \t\r\n]+", " ", message["Subject"]).strip()


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def headline_of(message: EmailMessage) -> str:
    """What the e-mail says happened: every e-mail about an action has the thread's subject
    (« [CAF Loire] <title> »), and its plain text starts with this line."""
    return text_of(message).splitlines()[0]
