"""``make run`` works on SQLite: the demo loads there through the same services, including
the batched writes of the hot paths (``bulk_create``, ``bulk_update``), into whichever
database ``DATABASE_URL`` names."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from backend.demo import data
from tests.embedded import ROOT, embedded_env, make_setup


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> dict[str, Path | str]:
    """`make run`'s setup in one checkout (one var/), on a SQLite database and then another."""
    root = tmp_path_factory.mktemp("checkout")
    first, second = root / "first.sqlite3", root / "second.sqlite3"
    make_setup(embedded_env(root / "var", DATABASE_URL=f"sqlite:///{first}"))
    printed = make_setup(embedded_env(root / "var", DATABASE_URL=f"sqlite:///{second}"))
    return {"var": root / "var", "first": first, "second": second, "printed": printed}


def _manage(checkout, database: Path, *args: str) -> str:
    env = embedded_env(checkout["var"], DATABASE_URL=f"sqlite:///{database}")
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_demo_loads_on_sqlite_and_its_invitations_are_sent(checkout):
    database = checkout["first"]
    printed = _manage(checkout, database, "dispatch_due")  # no SMTP server: printed to the console
    with sqlite3.connect(database) as db:
        counts = dict(
            db.execute(
                "SELECT kind || ':' || status, count(*) FROM notifications_notification GROUP BY 1"
            ).fetchall()
        )
        invited = db.execute(
            "SELECT count(*) FROM actions_roleassignment WHERE state = 'invited'"
        ).fetchone()[0]
        logged = db.execute(
            "SELECT count(*) FROM workflows_transitionlog WHERE transition = 'invite'"
        ).fetchone()[0]
    # reminders and escalations wait for their day
    assert counts["reminder:planned"] > 0 and counts["escalation:planned"] > 0
    # answers cancelled what was planned for the roles that answered
    assert counts["invitation:cancelled"] > 0 and counts["reminder:cancelled"] > 0
    assert logged >= invited
    # the sweep claimed and sent what was due (invitations, answers…), each once
    sent = sum(n for key, n in counts.items() if key.endswith(":sent"))
    assert f"envoyées : {sent}," in printed and printed.count("Message-ID: ") == sent > 0
    # every role still waiting for its answer got its invitation, once
    assert counts["invitation:sent"] == invited


@pytest.mark.slow
def test_make_run_loads_the_demo_into_every_database_of_one_checkout(checkout):
    """The demo follows the database, not the checkout: `make run` on another DATABASE_URL in
    the same clone (same var/) loads the demo there too."""

    def demo_rows(database: Path) -> tuple[int, int]:
        with sqlite3.connect(database) as db:
            actions = db.execute("SELECT count(*) FROM actions_action").fetchone()[0]
            staff = db.execute("SELECT count(*) FROM accounts_user").fetchone()[0]
        return actions, staff

    expected = (len(data.ACTIONS), len(data.STAFF))
    assert demo_rows(checkout["first"]) == demo_rows(checkout["second"]) == expected
    assert "Données de démonstration chargées" in checkout["printed"]


def test_sqlite_refuses_a_second_copy_of_a_notice_with_or_without_a_date(checkout):
    """The key holds on SQLite too, for the kinds whose ``date`` is NULL (an invitation) as
    for those with one (a reminder): no NULL slips a copy past the unique constraints."""
    with sqlite3.connect(checkout["second"]) as db:
        names = [row[1] for row in db.execute("PRAGMA table_info(notifications_notification)")]
        columns = ", ".join(name for name in names if name != "id")
        copy = (
            f"INSERT INTO notifications_notification ({columns}) SELECT {columns} "
            "FROM notifications_notification WHERE kind = ? AND date IS {} NULL LIMIT 1"
        )
        for kind, dated in (("invitation", ""), ("reminder", "NOT")):
            with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
                db.execute(copy.format(dated), (kind,))
        assert "round" in names and "stage" not in names


# The page Pilotage and the analytics on SQLite: no percentile_cont there, the percentiles
# are computed in Python (``backend.analytics.stats``) from the same passages.
ANALYTICS_ON_SQLITE = """
from django.test import Client
from backend.accounts.models import User
client = Client()
client.force_login(User.objects.get(username="direction"))
sections = ("/pilotage/", "/pilotage/partenaires/", "/pilotage/categories/", "/pilotage/conseil/")
pages = [client.get(path) for path in sections]
states = client.get("/api/v1/analytics/time-in-state/").json()
board = client.get("/api/v1/analytics/board/").json()
print(
    "/".join(str(page.status_code) for page in pages),
    sum(page.content.decode().count("data:image/svg+xml") for page in pages),
)
print(states[0]["state"], states[0]["actions"] + states[0]["now"])
print(sum(row["decisions"] for row in board["outcomes"]))
"""


def test_the_analytics_work_on_sqlite(checkout):
    printed = _manage(checkout, checkout["first"], "shell", "-c", ANALYTICS_ON_SQLITE)
    page, states, decisions = printed.strip().splitlines()[-3:]
    assert page == "200/200/200/200 4"  # the four sections of Pilotage, a chart each
    state, consulted = states.split()
    assert state == "consultation" and int(consulted) > 0
    assert int(decisions) > 0  # the demo's board held a session
