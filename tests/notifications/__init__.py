"""Shared fixtures of the notification tests (import them by name into a test module).

``smtp`` is a real SMTP server (aiosmtpd) on a free port, with Django's SMTP backend pointed
at it; ``smtp.messages`` are the e-mails it received, parsed by the ``email`` package.
"""

import datetime
import email
import socket
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from workflows.services import perform_transition

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


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def monday(time_machine):
    """Monday 30 November 2026, 10:00 in Paris (the clock stands still)."""
    time_machine.move_to(MONDAY, tick=False)
    return MONDAY


@pytest.fixture
def submitted(monday, action, pilot, social_worker, manager):
    """The action's consultation is open: its pilot is invited, answer by 18 December."""
    action.social_worker = social_worker
    action.consultation_deadline = DEADLINE
    action.save()
    perform_transition(action, "submit", actor=social_worker)
    pilot.refresh_from_db()
    return action


def at(day: int, month: int = 12, hour: int = 8, minute: int = 31) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=PARIS)


def subject_of(message: EmailMessage) -> str:
    """The decoded subject (a long subject is folded: its first line is empty)."""
    return " ".join(message["Subject"].split())


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
