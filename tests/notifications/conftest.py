"""Fixtures of the notification tests: a fixed Monday, an open consultation (the real SMTP
server, ``smtp``, is in tests/conftest.py)."""

import datetime

import pytest

from backend.actions.models import Action
from backend.actions.transitions import schedule_action, submit_action
from backend.board.models import BoardSession
from backend.board.transitions import hold_session, publish_agenda
from tests.notifications import DEADLINE, MONDAY, PARIS

SESSION_AT = datetime.datetime(2027, 1, 14, 14, 0, tzinfo=PARIS)  # a Thursday


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


@pytest.fixture
def held(time_machine, pilot, manager, secretary, social_worker):
    """The pilot accepted its role, the action is on the agenda of the 14 January session,
    which is being held: (session, action)."""
    time_machine.move_to(datetime.datetime(2026, 12, 14, 10, 0, tzinfo=PARIS), tick=False)
    session = BoardSession.objects.create(
        date=SESSION_AT, title="Conseil de janvier", location="Saint-Étienne"
    )
    action = pilot.action
    Action.objects.filter(pk=action.pk).update(
        state="ready_for_board", social_worker=social_worker, planned_end=datetime.date(2027, 6, 30)
    )
    pilot.invite()
    pilot.accept()
    pilot.save()
    action.refresh_from_db()
    schedule_action(action, actor=manager, board_session=session)
    publish_agenda(session, actor=secretary)
    time_machine.move_to(SESSION_AT, tick=False)
    hold_session(session, actor=secretary)
    return session, action
