"""``make run`` works on SQLite: the demo loads there through the same services, including
the statements written by hand for the hot paths (``backend.core.rows``), into whichever
database ``DATABASE_URL`` names."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from backend.demo import data
from tests.embedded import embedded_env, make_setup

ROOT = Path(__file__).resolve().parents[2]


def _manage(database: Path, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "CELERY_BROKER_URL": ""}
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


def test_the_demo_loads_on_sqlite_and_its_invitations_are_sent(tmp_path):
    database = tmp_path / "db.sqlite3"
    _manage(database, "migrate", "--noinput", "-v0")
    _manage(database, "load_demo")
    printed = _manage(database, "dispatch_due")  # no SMTP server: printed to the console
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
def test_make_run_loads_the_demo_into_every_database_of_one_checkout(tmp_path):
    """The demo follows the database, not the checkout: `make run` on another DATABASE_URL in
    the same clone (same var/) loads the demo there too; run again, it adds nothing."""
    var_dir = tmp_path / "var"
    first, second = tmp_path / "first.sqlite3", tmp_path / "second.sqlite3"
    make_setup(embedded_env(var_dir, DATABASE_URL=f"sqlite:///{first}"))
    printed = make_setup(embedded_env(var_dir, DATABASE_URL=f"sqlite:///{second}"))
    again = make_setup(embedded_env(var_dir, DATABASE_URL=f"sqlite:///{first}"))

    def demo_rows(database: Path) -> tuple[int, int]:
        with sqlite3.connect(database) as db:
            actions = db.execute("SELECT count(*) FROM actions_action").fetchone()[0]
            staff = db.execute("SELECT count(*) FROM accounts_user").fetchone()[0]
        return actions, staff

    assert demo_rows(first) == demo_rows(second) == (len(data.ACTIONS), len(data.STAFF))
    assert "Données de démonstration chargées" in printed
    assert "rien de nouveau" in again
