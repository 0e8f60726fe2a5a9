"""A transition costs a fixed number of statements, however many roles it touches: the roles
are locked, invited and logged in batches, and the notification rows its service plans are
collected and written at once before the commit, and pushed to a worker in one task after it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.actions.transitions import submit_action
from notifications.models import Kind, Notification, Status
from notifications.planning.rows import cancel, notice, plan, planned_for, write
from tests import factories
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db

# lock the action (with its project), read its open roles for the guards, save it, log it;
# lock the proposed roles, invite them, log them; read the reminder policy (once for every
# role) and the action's staff; read the notification rows that may exist, write the new ones,
# read their ids: 12, and the savepoint the test's own transaction turns the service's
# transaction into (SAVEPOINT, RELEASE); and the webhook deliveries of the action's log row and
# of the roles' (one INSERT … SELECT each, whatever the endpoints registered: webhooks.outbox);
# and the action's passages through its states (the one under way ended, the new one begun:
# workflows.stays; the roles keep none).
SUBMIT_STATEMENTS = 12 + 2 + 2 + 2


@pytest.fixture(autouse=True)
def _monday_morning(time_machine):
    paris = timezone.get_fixed_timezone(60)
    time_machine.move_to(datetime.datetime(2026, 11, 30, 10, 0, tzinfo=paris), tick=False)


def _action_with_roles(project, social_worker, count: int):
    action = factories.ActionFactory(project=project, social_worker=social_worker)
    kinds = ["pilot"] + ["contributor"] * (count - 1)
    for kind in kinds:
        factories.RoleFactory(action=action, kind=kind)
    return action


def _submit(action, actor) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        submit_action(action, actor=actor)
    return [query["sql"] for query in captured.captured_queries]


def test_opening_a_consultation_costs_the_same_for_two_or_eight_roles(
    project, social_worker, manager
):
    _submit(_action_with_roles(project, social_worker, 1), social_worker)  # warm caches
    small = _submit(_action_with_roles(project, social_worker, 2), social_worker)
    large = _submit(_action_with_roles(project, social_worker, 8), social_worker)
    assert len(small) == len(large) == SUBMIT_STATEMENTS, "\n".join(large)
    # every one of the 8 roles is invited with its own link, log row and notices
    assert TransitionLog.objects.filter(transition="invite").count() == 11
    assert Notification.objects.filter(kind=Kind.INVITATION).count() == 11
    links = Notification.objects.filter(kind=Kind.INVITATION).values_list("round", flat=True)
    assert len(set(links)) == 11


def test_the_invited_roles_are_saved_with_their_new_state_and_dates(
    project, social_worker, manager
):
    action = _action_with_roles(project, social_worker, 3)
    before = timezone.now()
    submit_action(action, actor=social_worker)
    for role in action.roles.all():
        assert role.state == "invited"
        assert role.invited_at == before and role.updated_at == before
        assert len(role.link_nonce) >= 32


def test_a_refused_role_stops_the_whole_batch(project, social_worker, manager):
    """A role whose invitation is refused (its contact is missing) leaves everything as it
    was: the action, the other roles, the log and the notifications."""
    action = _action_with_roles(project, social_worker, 3)
    action.roles.filter(kind="contributor").update(contact=None)
    with pytest.raises(Exception):  # noqa: B017  (the guard of submit or of invite)
        submit_action(action, actor=social_worker)
    action.refresh_from_db()
    assert action.state == "draft"
    assert set(action.roles.values_list("state", flat=True)) == {"proposed"}
    assert not TransitionLog.objects.exists() and not Notification.objects.exists()


def test_rows_planned_twice_in_one_write_are_written_once(project, social_worker):
    action = _action_with_roles(project, social_worker, 1)
    rows = [
        notice(Kind.CONSULTATION_COMPLETE, subject=action, recipient=social_worker)
        for _ in range(2)
    ]
    assert len(write(rows)) == 1
    assert len(write(rows)) == 0  # already there: left as it is
    assert Notification.objects.filter(kind=Kind.CONSULTATION_COMPLETE).count() == 1


def test_a_cancelled_row_is_planned_again_and_a_sent_one_is_left_alone(project, social_worker):
    action = _action_with_roles(project, social_worker, 1)
    role = action.roles.get()
    due = timezone.now() + datetime.timedelta(days=2)
    for days in (5, 1):
        plan(Kind.REMINDER, subject=role, recipient=role.contact, due_at=due, days_before=days)
    cancel(planned_for(role).filter(days_before=5))
    planned_for(role).filter(days_before=1).update(status=Status.SENT)
    later = due + datetime.timedelta(days=1)
    for days in (5, 1):
        plan(Kind.REMINDER, subject=role, recipient=role.contact, due_at=later, days_before=days)
    rows = {row.days_before: row for row in planned_for(role)}
    assert (rows[5].status, rows[5].due_at) == (Status.PLANNED, later)
    assert (rows[1].status, rows[1].due_at) == (Status.SENT, due)
