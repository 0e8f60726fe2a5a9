"""The analytics API on a known history (``tests.analytics_history``): every figure checked
exactly, for a territory manager (their territory) and a director (every territory); the
filters; the refusals (the number of queries: ``test_analytics_queries``)."""

import pytest

from tests import analytics_history
from tests.analytics_history import TIME_IN_STATE

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(time_machine, territory, other_territory):
    return analytics_history.build(
        time_machine, territory=territory, other_territory=other_territory
    )


def _get(api, user, path, **params):
    response = api.as_user(user).get(f"/api/v1/analytics/{path}/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_time_in_state_and_the_flagged_actions_of_a_known_history(api, history):
    rows = _get(api, history.manager, "time-in-state")
    got = [
        (r["state"], r["actions"], r["median_days"], r["p90_days"], r["now"], r["over_p90"])
        for r in rows
    ]
    assert got == TIME_IN_STATE
    assert rows[0]["label"] == "consultation des partenaires"
    # The actions sitting longer than their state's p90, the longest against it first.
    rows = _get(api, history.manager, "flagged")
    got = [(r["title"], r["state"], r["days"], r["p90_days"]) for r in rows]
    assert got == [("A4", "consultation", 63.0, 8.8), ("A2", "ready_for_board", 46.0, 11.6)]
    assert rows[0]["since"] == "2027-01-04T15:00:00+01:00"
    assert rows[0]["action"] == history.a4.pk and rows[0]["territory"] == "gier-ondaine-pilat"


O1 = {
    "name": "Centre social du Gier",
    "invited": 3,  # A1 and A3 (pilot, accepted after 2 and 10 days), A5 (funder, 2 days)
    "answered": 3,
    "median_days_to_answer": 2.0,
    "p90_days_to_answer": 8.4,  # [2, 2, 10]: 2 + 0.8 x 8
    "declined": 0,
    "changes_requested": 1,
    "pending": 0,
    "reminders_before_answer": 1,  # A3's, sent on 11 January
}
O2 = {
    "name": "Ville de Saint-Chamond",
    "invited": 3,  # A2 (accepted after 4 days), A4 (declined after 3), A5 (no answer yet)
    "answered": 2,
    "median_days_to_answer": 3.5,
    "p90_days_to_answer": 3.9,
    "declined": 1,
    "changes_requested": 0,
    "pending": 1,
    "reminders_before_answer": 0,
}


def test_partners_per_organisation_and_per_category_of_a_known_history(api, history):
    rows = _get(api, history.manager, "partners")
    assert rows == [
        {"organisation": history.o1.pk, **O1},
        {"organisation": history.o2.pk, **O2},
    ]
    rows = _get(api, history.manager, "partners", category="elected_official")
    assert rows == [{"organisation": history.o2.pk, **O2}]
    rows = _get(api, history.manager, "partner-categories")
    without_name = {key: value for key, value in O1.items() if key != "name"}
    assert rows == [
        {"category": "elected_official", "label": "élu", **{k: O2[k] for k in without_name}},
        {"category": "technician", "label": "technicien", **without_name},
    ]


def test_the_board_of_a_known_history(api, history):
    figures = _get(api, history.manager, "board")
    assert figures["outcomes"] == [
        # A1: ready on 6 January, decided on 21 January
        {
            "outcome": "approved",
            "label": "approuvée",
            "decisions": 1,
            "median_days": 15.0,
            "p90_days": 15.0,
        },
        {
            "outcome": "approved_with_conditions",
            "label": "approuvée sous conditions",
            "decisions": 0,
            "median_days": None,
            "p90_days": None,
        },
        {  # A3: ready on 14 January
            "outcome": "rejected",
            "label": "rejetée",
            "decisions": 1,
            "median_days": 7.0,
            "p90_days": 7.0,
        },
        {  # A2: ready on 8 January
            "outcome": "deferred",
            "label": "ajournée",
            "decisions": 1,
            "median_days": 13.0,
            "p90_days": 13.0,
        },
    ]
    assert figures["deferrals"] == {
        "decided_actions": 3,
        "deferred_actions": 1,
        "deferrals": 1,
        "deferral_rate": 0.333,
    }


def test_a_director_sees_every_territory(api, history):
    """Roannais's action (accepted after one day) joins the consultation's figures."""
    rows = _get(api, history.director, "time-in-state")
    assert rows[0]["actions"] == 4
    assert (rows[0]["median_days"], rows[0]["p90_days"]) == (3.0, 8.2)  # [1, 2, 4, 10]
    partners = _get(api, history.director, "partners")
    assert [row["name"] for row in partners] == [
        "Centre social du Gier",
        "Mairie de Roanne",
        "Ville de Saint-Chamond",
    ]
    only = _get(api, history.director, "time-in-state", territory="roannais")
    assert [(r["state"], r["actions"], r["median_days"]) for r in only][:2] == [
        ("consultation", 1, 1.0),
        ("ready_for_board", 0, None),
    ]


def test_filters_by_year_project_and_axis(api, history):
    """The year, the project and the axis narrow the figures (here: to the same actions, or
    to none)."""
    assert _get(api, history.manager, "time-in-state", year=2027) == _get(
        api, history.manager, "time-in-state"
    )
    empty = _get(api, history.manager, "time-in-state", year=2026)
    assert {(r["actions"], r["now"]) for r in empty} == {(0, 0)}
    by_axis = _get(api, history.manager, "partners", axis=history.axis.pk)
    assert [row["invited"] for row in by_axis] == [3, 3]
    by_project = _get(api, history.manager, "board", project=history.project.pk)
    assert by_project["deferrals"]["decided_actions"] == 3


def test_refusals_follow_the_exports_convention(api, history):
    client = api.as_user(history.manager)
    foreign = client.get("/api/v1/analytics/time-in-state/?territory=roannais")
    assert foreign.status_code == 403
    assert foreign.json()["detail"] == "Vous ne travaillez pas sur ce territoire."
    assert client.get("/api/v1/analytics/partners/?territory=nulle-part").status_code == 400
    assert client.get("/api/v1/analytics/partners/?year=deux-mille").status_code == 400
    other_project = history.other.project_id
    assert client.get(f"/api/v1/analytics/board/?project={other_project}").status_code == 400


def test_percentiles_computed_in_python_give_the_same_figures(api, history, monkeypatch):
    """Where the database has no ``percentile_cont`` (the embedded SQLite), the rows are read
    and the percentiles computed in Python: the same figures."""
    from backend.analytics import board, partners, stats, time_in_state

    paths = ("time-in-state", "flagged", "partners", "partner-categories", "board")
    in_database = {path: _get(api, history.director, path) for path in paths}
    for module in (stats, time_in_state, partners, board):
        monkeypatch.setattr(module, "in_database", lambda: False)
    assert {path: _get(api, history.director, path) for path in paths} == in_database
