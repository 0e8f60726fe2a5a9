"""Partners answering at the same moment, over real parallel PostgreSQL connections: when the
last roles are accepted together, exactly one automatic transition happens."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from backend.actions.links import token_for
from backend.actions.models import Action, RoleAssignment
from backend.actions.transitions import submit_action
from tests import factories
from workflows.models import TransitionLog

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def post_together(urls):
    barrier = threading.Barrier(len(urls))
    codes: list = [None] * len(urls)

    def run(index, url):
        try:
            barrier.wait(timeout=10)
            codes[index] = APIClient().post(url, {"decision": "accept"}, format="json").status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, url)) for i, url in enumerate(urls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return codes


@pytest.mark.parametrize("partners", [2, 6])
def test_last_partners_accepting_at_once_move_the_action_once(
    project, territory, social_worker, partners
):
    cache.clear()
    action = factories.ActionFactory(project=project)
    for index in range(partners):
        org = factories.OrganisationFactory(territories=[territory])
        factories.RoleFactory(
            action=action, organisation=org, kind="pilot" if index == 0 else "co_pilot"
        )
    submit_action(action, actor=social_worker)
    urls = [
        f"/api/v1/respond/{token_for(role)}/"
        for role in RoleAssignment.objects.filter(action=action)
    ]

    assert post_together(urls) == [200] * partners

    action.refresh_from_db()
    assert action.state == "ready_for_board"
    assert set(RoleAssignment.objects.filter(action=action).values_list("state", flat=True)) == {
        "accepted"
    }
    logs = TransitionLog.objects.filter(action=action)
    assert logs.filter(transition="complete_consultation", automatic=True).count() == 1
    assert logs.filter(transition="accept").count() == partners
    assert Action.objects.get(pk=action.pk).state == "ready_for_board"
