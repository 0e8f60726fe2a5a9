"""Fixtures of the notification tests: a fixed Monday, an open consultation (the real SMTP
server, ``smtp``, is in tests/conftest.py)."""

import pytest

from backend.actions.transitions import submit_action
from tests.notifications import DEADLINE, MONDAY


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
    submit_action(action, actor=social_worker)
    pilot.refresh_from_db()
    return action
