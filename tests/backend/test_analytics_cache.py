"""The analytics answers are kept in the cache (``backend.analytics.kept``): a repeated
request reads the answer without computing it again, and a new transition changes the
answer at once (same instant: only the data changed)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.actions.transitions import withdraw_action
from tests import analytics_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(time_machine, territory, other_territory):
    return analytics_history.build(
        time_machine, territory=territory, other_territory=other_territory
    )


def _consultation(client):
    response = client.get("/api/v1/analytics/time-in-state/")
    assert response.status_code == 200
    row = response.json()[0]
    assert row["state"] == "consultation"
    return row["now"], row["over_p90"]


def test_a_repeated_request_reads_the_kept_answer(api, history):
    client = api.as_user(history.manager)
    with CaptureQueriesContext(connection) as cold:
        first = client.get("/api/v1/analytics/board/").json()
    with CaptureQueriesContext(connection) as warm:
        second = client.get("/api/v1/analytics/board/").json()
    assert second == first
    # The board's two statements (per outcome, the deferrals) are not run again.
    assert len(warm) == len(cold) - 2


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
