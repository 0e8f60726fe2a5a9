"""The concurrency tests, run again on SQLite, the database of the embedded run (``make run``).

They run as they are, in a pytest session of their own (a subprocess: one process has one
database configuration), on a SQLite file with the options of sqlite_settings (WAL, immediate
transactions, a busy timeout). What they prove there: parallel requests queue instead of
failing with "database is locked", each transition happens once, and an answer racing the
withdrawal of its role is never lost nor a 500.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CONCURRENCY_TESTS = [
    "tests/reliability/test_concurrent_answers.py",
    "tests/reliability/test_concurrent_transitions.py",
    "tests/reliability/test_answer_and_withdrawal_race.py",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor == "sqlite", reason="this session is on SQLite already"),
]


def test_the_concurrency_tests_pass_on_sqlite(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SQLITE_TEST_NAME": str(tmp_path / "test.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "tests.reliability.sqlite_settings",
        "VAR_DIR": str(tmp_path / "var"),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--ds=tests.reliability.sqlite_settings",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rs",
            *CONCURRENCY_TESTS,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = done.stdout[-6000:] + done.stderr[-2000:]
    assert done.returncode == 0, report
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed and int(passed.group(1)) >= 6, report  # only the PostgreSQL stagings skip
