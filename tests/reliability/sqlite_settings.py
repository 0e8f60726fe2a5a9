"""The project's settings on a SQLite file, for the concurrency tests run on SQLite
(test_concurrency_on_sqlite): ``DATABASE_URL=sqlite:///…`` and ``SQLITE_TEST_NAME``, the file
of the test database (pytest-django would otherwise take an in-memory database, whose shared
cache locks whole tables).

The options the embedded run needs for concurrent writers are set here, whatever the
project's defaults: WAL (readers never wait for the writer), immediate transactions (a
transaction takes the write lock when it starts, so two writers queue instead of deadlocking
on the upgrade from read to write) and a busy timeout (the queue's patience).
"""

import os

from backend.settings import *  # noqa: F403
from backend.settings import DATABASES

assert DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3", "DATABASE_URL=sqlite:///…"
DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"].get("OPTIONS", {}),
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}
DATABASES["default"]["TEST"] = {"NAME": os.environ["SQLITE_TEST_NAME"]}
