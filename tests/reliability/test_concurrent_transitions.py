"""Two people acting at once, over real parallel PostgreSQL connections.

Each thread is its own HTTP client with its own database connection; a barrier releases
them together. The service locks the action's row, so exactly one transition wins and the
others get 409 with the reason; the log has one row per state change.
"""

import threading

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from backend.accounts.models import StaffRole
from backend.actions.models import Action
from tests import factories
from workflows.models import TransitionLog

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def fire_together(requests):
    """``requests``: [(user, url, body)], fired at once; returns the status codes in order."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index, user, url, body):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=user).key}")
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
        thread.join(timeout=30)
    return results


@pytest.fixture
def people(territory):
    users = [
        factories.StaffFactory(role=role, territories=[territory])
        for role in [StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER] * 5
    ]
    for user in users:
        Token.objects.create(user=user)
    return users


def test_ten_people_submit_the_same_action_at_once(project, organisation, people):
    action = factories.ActionFactory(project=project)
    factories.RoleFactory(action=action, organisation=organisation)
    url = f"/api/v1/actions/{action.pk}/transitions/submit/"
    results = fire_together([(user, url, {}) for user in people])

    codes = sorted(code for code, _ in results)
    assert codes == [200] + [409] * 9, results
    assert all("consultation" in body["detail"] for code, body in results if code == 409)
    action.refresh_from_db()
    assert action.state == "consultation"
    assert TransitionLog.objects.filter(action=action, transition="submit").count() == 1
    assert TransitionLog.objects.filter(action=action, transition="invite").count() == 1


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
