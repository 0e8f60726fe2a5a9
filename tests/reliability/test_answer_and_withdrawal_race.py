"""A partner answers through its personal link while staff withdraw that same role, over
real parallel database connections (PostgreSQL here; SQLite in test_concurrency_on_sqlite).

Whatever the order, nobody gets a 500 and the partner learns whether its answer counted:
- the answer first: 200, it is recorded, the action completes its consultation and the
  withdrawal comes too late (409: the roles no longer change, revise the action);
- the withdrawal first: 200, and the answer is refused (409 "ce rôle a été retiré", or the
  link no longer works: 404), nothing of it recorded.

On PostgreSQL the two requests are made to meet in a chosen order: a third connection holds
the role's notification rows, which both requests update inside their transaction, and the
test lets it go only once both requests are waiting on a lock. Before both took the action's
row first, that order (the withdrawal holding the role and then needing the action, the answer
holding the action and then needing the role) was a deadlock: a 500 and a lost answer.
"""

import threading
from html import unescape

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from backend.actions.consultation import answer_role
from backend.actions.links import token_for
from backend.actions.models import Action, RoleAssignment
from backend.actions.transitions import submit_action
from notifications.models import Notification
from tests import factories
from tests.reliability.processes import wait_until
from tests.stays import from_log, stays
from workflows.models import TransitionLog

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks staged with PostgreSQL's pg_locks"
)


def consultation_with_one_answer_pending(project, territory, social_worker):
    """An action in consultation whose pilot has accepted: the co-pilot's answer is the last
    one it waits for. Returns (action, the co-pilot's role)."""
    action = factories.ActionFactory(project=project)
    pilot, co_pilot = (
        factories.RoleFactory(
            action=action,
            organisation=factories.OrganisationFactory(territories=[territory]),
            kind=kind,
        )
        for kind in ("pilot", "co_pilot")
    )
    submit_action(action, actor=social_worker)
    pilot.refresh_from_db()
    answer_role(pilot.pk, decision="accept", responder=pilot.contact)
    co_pilot.refresh_from_db()
    return action, co_pilot


def answer(role) -> tuple:
    client = APIClient(raise_request_exception=False)
    response = client.post(
        f"/api/v1/respond/{token_for(role)}/", {"decision": "accept"}, format="json"
    )
    return response.status_code, _body(response)


def answer_on_the_page(role) -> tuple:
    """The partner's page (``/respond/<token>/``): (status, the page's text)."""
    client = Client(raise_request_exception=False)
    response = client.post(f"/respond/{token_for(role)}/", {"decision": "accept"})
    return response.status_code, unescape(response.content.decode())


def withdraw(role, staff_token) -> tuple:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {staff_token}")
    response = client.post(
        f"/api/v1/roles/{role.pk}/withdraw/", {"comment": "Plus concerné"}, format="json"
    )
    return response.status_code, _body(response)


def _body(response):
    try:
        return response.json()
    except ValueError:
        return response.content[:300]


class Request(threading.Thread):
    """One request on its own thread and database connection; ``result``: (status, body)."""

    def __init__(self, call, *args, barrier=None):
        super().__init__(daemon=True)
        self.call, self.args, self.barrier = call, args, barrier
        self.result = None

    def run(self):
        try:
            if self.barrier is not None:
                self.barrier.wait(timeout=30)
            self.result = self.call(*self.args)
        except Exception as error:  # reported in the assertion
            self.result = (None, repr(error))
        finally:
            connection.close()


class RowHolder(threading.Thread):
    """Holds the role's notification rows (FOR UPDATE) until ``release`` is set."""

    def __init__(self, role):
        super().__init__(daemon=True)
        self.role = role
        self.locked, self.release = threading.Event(), threading.Event()

    def run(self):
        try:
            with transaction.atomic():
                rows = Notification.objects.select_for_update().filter(
                    subject_type=ContentType.objects.get_for_model(RoleAssignment),
                    subject_id=self.role.pk,
                )
                assert list(rows), "the role has planned notifications"
                self.locked.set()
                self.release.wait(timeout=60)
        finally:
            connection.close()


def waiting_on_locks() -> int:
    with connection.cursor() as cursor:  # autocommit: a fresh look each time
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def assert_one_consistent_outcome(action, role, answered, withdrawn):
    """Either the answer counted (and the withdrawal was refused) or it did not (and the role
    is withdrawn); the responses say which, and the database agrees."""
    assert None not in (answered[0], withdrawn[0]), (answered, withdrawn)
    assert 500 not in (answered[0], withdrawn[0]), (answered, withdrawn)
    action.refresh_from_db()
    role.refresh_from_db()
    logs = TransitionLog.objects.filter(subject_id=role.pk, action=action)
    if answered[0] == 200:
        assert withdrawn[0] == 409, withdrawn
        assert "réviser l'action" in withdrawn[1]["detail"]
        assert withdrawn[1]["code"] == "conflict"
        assert answered[1]["state"] == role.state == "accepted"
        assert action.state == "ready_for_board"
        assert logs.filter(transition="accept").count() == 1
        assert not logs.filter(transition="withdraw").exists()
    else:
        assert withdrawn[0] == 200, withdrawn
        if answered[0] == 409:
            assert answered[1]["detail"] == (
                "Ce rôle a été retiré : votre réponse n'a pas été prise en compte."
            )
        else:  # the withdrawal had already taken the link away
            assert answered[0] == 404 and "révoqué" in answered[1]["detail"], answered
        assert role.state == "withdrawn"
        # every other role had accepted: the last pending one withdrawn, the action moves on
        assert action.state == "ready_for_board"
        assert not logs.filter(transition="accept").exists()
        assert logs.filter(transition="withdraw").count() == 1


@pytest.fixture
def staff_token(social_worker):
    return Token.objects.create(user=social_worker).key


def staged(role, first: str, requests: dict) -> None:
    """Run ``requests`` ({"answer": …, "withdrawal": …}) so that ``first`` takes its locks
    first and the other waits for it; then let them finish."""
    holder = RowHolder(role)
    holder.start()
    assert holder.locked.wait(timeout=30)
    second = "answer" if first == "withdrawal" else "withdrawal"
    requests[first].start()
    wait_until(lambda: waiting_on_locks() >= 1, 30, message=f"the {first} does not wait")
    requests[second].start()
    wait_until(lambda: waiting_on_locks() >= 2, 30, message=f"the {second} does not wait")
    holder.release.set()
    for thread in (holder, *requests.values()):
        thread.join(timeout=60)


@on_postgresql
@pytest.mark.parametrize("first", ["withdrawal", "answer"])
def test_an_answer_meeting_a_withdrawal_in_either_order(
    project, territory, social_worker, staff_token, first
):
    for _trial in range(3):
        action, role = consultation_with_one_answer_pending(project, territory, social_worker)
        requests = {
            "withdrawal": Request(withdraw, role, staff_token),
            "answer": Request(answer, role),
        }
        staged(role, first, requests)

        answered, withdrawn = requests["answer"].result, requests["withdrawal"].result
        assert_one_consistent_outcome(action, role, answered, withdrawn)
        expected = (200, 409) if first == "answer" else (409, 200)
        assert (answered[0], withdrawn[0]) == expected, (answered, withdrawn)


def test_an_answer_and_a_withdrawal_released_together(
    project, territory, social_worker, staff_token
):
    for trial in range(6):
        action, role = consultation_with_one_answer_pending(project, territory, social_worker)
        barrier = threading.Barrier(2)
        requests = [
            Request(answer, role, barrier=barrier),
            Request(withdraw, role, staff_token, barrier=barrier),
        ]
        for thread in requests[:: -1 if trial % 2 else 1]:  # each one started first in turn
            thread.start()
        for thread in requests:
            thread.join(timeout=60)
        answered, withdrawn = (thread.result for thread in requests)
        assert_one_consistent_outcome(action, role, answered, withdrawn)


@on_postgresql
def test_the_answer_page_says_the_answer_did_not_count(
    project, territory, social_worker, staff_token
):
    _action, role = consultation_with_one_answer_pending(project, territory, social_worker)
    requests = {
        "withdrawal": Request(withdraw, role, staff_token),
        "answer": Request(answer_on_the_page, role),
    }
    staged(role, "withdrawal", requests)

    assert requests["withdrawal"].result[0] == 200
    status, page = requests["answer"].result
    assert status == 409, page[:300]
    assert "Ce rôle a été retiré : votre réponse n'a pas été prise en compte." in page
    role.refresh_from_db()
    assert role.state == "withdrawn"


class OppositeOrder(threading.Thread):
    """A transaction that takes the role first and then the action (what no path of the
    product does any more): against an answer, a deadlock PostgreSQL breaks by rolling back
    the answer, which then runs once more.

    PostgreSQL rolls back the transaction whose deadlock check finds the cycle; each checks
    once, ``deadlock_timeout`` after it starts waiting. This one checks only after a minute,
    the answer three seconds after it waits (``answer_checks_late``): the cycle is there by
    then however slow the machine, and the answer is always the one rolled back."""

    def __init__(self, role):
        super().__init__(daemon=True)
        self.role = role
        self.has_role, self.go_on = threading.Event(), threading.Event()
        self.won = False

    def run(self):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL deadlock_timeout = '60s'")
                roles = RoleAssignment.objects.select_for_update(of=("self",))
                list(roles.filter(pk=self.role.pk).order_by())
                self.has_role.set()
                self.go_on.wait(timeout=60)
                list(Action.objects.select_for_update().filter(pk=self.role.action_id))
            self.won = True  # the answer was the one rolled back
        finally:
            connection.close()


@pytest.fixture
def answer_checks_late():
    """Connections opened from now on check for a deadlock 3 s after they start waiting."""
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER DATABASE \"{name}\" SET deadlock_timeout = '3s'")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{name}" RESET deadlock_timeout')


@on_postgresql
def test_an_answer_that_loses_a_deadlock_is_run_again(
    project, territory, social_worker, answer_checks_late
):
    action, role = consultation_with_one_answer_pending(project, territory, social_worker)
    other = OppositeOrder(role)
    other.start()
    assert other.has_role.wait(timeout=30)
    answering = Request(answer, role)
    answering.start()
    wait_until(lambda: waiting_on_locks() >= 1, 30, message="the answer does not wait")
    other.go_on.set()  # now each waits for the other: the answer, waiting first, is chosen
    for thread in (other, answering):
        thread.join(timeout=60)

    assert other.won
    assert answering.result[0] == 200, answering.result
    role.refresh_from_db()
    action.refresh_from_db()
    assert role.state == "accepted" and action.state == "ready_for_board"
    assert TransitionLog.objects.filter(subject_id=role.pk, transition="accept").count() == 1
    # The action's passages: written once, by the run that counted (the first was rolled back).
    assert [state for state, *_ in stays(action)] == ["consultation", "ready_for_board"]
    assert stays(action) == from_log(action)
