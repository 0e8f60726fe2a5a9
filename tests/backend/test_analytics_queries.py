"""Each analytics answer is computed on each request (nothing kept: a new transition changes
it at once) in a fixed number of queries, whatever the amount of data: the same number
after more actions, roles, answers and decisions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.actions.consultation import answer_role
from backend.actions.transitions import submit_action, withdraw_action
from tests import analytics_history, factories

pytestmark = pytest.mark.django_db

# The token, the user's territories, the axis asked for, the projects counted (the year's, in
# the caller's territories); then the figures: the time in state one statement (flagged: the
# actions past the percentile with it, then their titles); the partners the answers (the
# reminders counted on the roles), then the organisations' names; per category one grouping
# (the scope is narrowed); the board the waits per outcome, then the deferrals.
QUERIES = {"time-in-state": 5, "flagged": 6, "partners": 6, "partner-categories": 5, "board": 6}


@pytest.fixture
def history(time_machine, territory, other_territory):
    return analytics_history.build(
        time_machine, territory=territory, other_territory=other_territory
    )


def _counted(client, history) -> dict:
    counted = {}
    for path in QUERIES:
        with CaptureQueriesContext(connection) as captured:
            url = f"/api/v1/analytics/{path}/?year=2027&axis={history.axis.pk}"
            response = client.get(url)
        assert response.status_code == 200
        assert response.json(), path  # some figures: the queries did read rows
        counted[path] = len(captured)
    return counted


def _more(history, count: int) -> None:
    """``count`` more actions of the same axis, each with a new partner that answers."""
    for index in range(count):
        organisation = factories.OrganisationFactory(territories=[history.territory])
        contact = factories.ContactFactory(organisation=organisation, category="association")
        action = factories.ActionFactory(
            project=history.project,
            axis=history.axis,
            social_worker=history.worker,
            consultation_deadline=None,
        )
        role = factories.RoleFactory(action=action, organisation=organisation, contact=contact)
        submit_action(action, actor=history.worker)
        decision = "accept" if index % 2 else "decline"
        answer_role(role.pk, decision=decision, responder=contact, comment="Non.")


def test_each_answer_runs_a_fixed_number_of_queries_as_the_data_grows(api, history):
    client = api.as_user(history.manager)
    assert _counted(client, history) == QUERIES
    _more(history, 6)
    assert _counted(client, history) == QUERIES


def _consultation(client):
    response = client.get("/api/v1/analytics/time-in-state/")
    assert response.status_code == 200
    row = response.json()[0]
    assert row["state"] == "consultation"
    return row["now"], row["over_p90"]


def test_a_new_transition_changes_the_answer_at_once(api, history):
    client = api.as_user(history.manager)
    assert _consultation(client) == (2, 1)  # A4 (flagged) and A5
    flagged = client.get("/api/v1/analytics/flagged/").json()
    assert [row["title"] for row in flagged] == ["A4", "A2"]
    history.a4.refresh_from_db()
    withdraw_action(history.a4, actor=history.manager, comment="Abandonnée.")
    assert _consultation(client) == (1, 0)
    flagged = client.get("/api/v1/analytics/flagged/").json()
    assert [row["title"] for row in flagged] == ["A2"]
