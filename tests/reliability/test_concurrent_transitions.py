"""Two people acting at once, over real parallel PostgreSQL connections.

Each thread is its own HTTP client with its own database connection; a barrier releases
them together. The service locks the action's row, so exactly one transition wins and the
others get 409 with the reason; the log has one row per state change. The 50-client case goes
through the whole HTTP stack (a real socket to Django's threaded server, one thread and one
database connection per client).
"""

import threading

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from backend.accounts.models import StaffRole
from backend.actions.models import Action
from tests import factories
from tests.reliability.api_client import HttpApi
from tests.stays import from_log, stays
from workflows.models import TransitionLog

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def fire_together(requests, base_url=None):
    """``requests``: [(user, url, body)], fired at once; returns the status codes in order.
    In-process (DRF's test client) without ``base_url``, over real HTTP with it."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)
    tokens = {user.pk: Token.objects.get(user=user).key for user, _, _ in requests}

    def run(index, user, url, body):
        if base_url:
            client = HttpApi(base_url, tokens[user.pk])
            try:
                client.connect()
                barrier.wait(timeout=30)
                results[index] = client.post(url, body)
            except Exception as error:  # reported in the results
                results[index] = (None, repr(error))
            finally:
                client.close()
            return
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[user.pk]}")
        try:
            barrier.wait(timeout=10)
            response = client.post(url, body, format="json")
            results[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, *request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def make_people(territory, count):
    """``count`` staff of the territory with their API tokens (no password: hashing 50 of
    them would take most of the test's time)."""
    users = [
        factories.StaffFactory(role=role, territories=[territory], password=None)
        for role in [StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER] * (count // 2)
    ]
    for user in users:
        Token.objects.create(user=user)
    return users


@pytest.fixture
def people(territory):
    return make_people(territory, 10)


@pytest.mark.parametrize(
    ("clients", "over_http"), [(10, False), (50, True)], ids=["10-in-process", "50-over-http"]
)
def test_people_submit_the_same_action_at_once(
    request, territory, project, organisation, private_broker, clients, over_http
):
    base_url = request.getfixturevalue("http_server") if over_http else None
    people = make_people(territory, clients)
    action = factories.ActionFactory(project=project)
    factories.RoleFactory(action=action, organisation=organisation)
    url = f"/api/v1/actions/{action.pk}/transitions/submit/"
    results = fire_together([(user, url, {}) for user in people], base_url=base_url)

    unexpected = [result for result in results if result is None or result[0] not in (200, 409)]
    assert not unexpected, unexpected
    codes = sorted(code for code, _ in results)
    assert codes == [200] + [409] * (clients - 1), results
    assert all("consultation" in body["detail"] for code, body in results if code == 409)
    action.refresh_from_db()
    assert action.state == "consultation"
    assert TransitionLog.objects.filter(action=action, transition="submit").count() == 1
    assert TransitionLog.objects.filter(action=action, transition="invite").count() == 1
    assert [state for state, _, left in stays(action)] == ["consultation"]  # one passage


def test_conflicting_transitions_one_wins(project, organisation, people):
    action = factories.ActionFactory(project=project)
    role = factories.RoleFactory(action=action, organisation=organisation)
    Action.objects.filter(pk=action.pk).update(state="consultation")
    role.invite()
    role.accept()
    role.save()
    base = f"/api/v1/actions/{action.pk}/transitions"
    results = fire_together(
        [
            (people[0], f"{base}/complete_consultation/", {}),
            (people[1], f"{base}/revise/", {"comment": "à revoir"}),
        ]
    )

    assert sorted(code for code, _ in results) == [200, 409], results
    action.refresh_from_db()
    winner = "complete_consultation" if results[0][0] == 200 else "revise"
    assert action.state == {"complete_consultation": "ready_for_board", "revise": "draft"}[winner]
    logs = TransitionLog.objects.filter(action=action)
    assert list(logs.values_list("transition", flat=True)) == [winner]
    assert stays(action) == from_log(action)  # the loser wrote no passage
