"""Fixtures of the notification tests: a real SMTP server, a fixed Monday, an open
consultation."""

import pytest
from aiosmtpd.controller import Controller

from tests.notifications import DEADLINE, MONDAY, Inbox, free_port
from workflows.services import perform_transition


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
