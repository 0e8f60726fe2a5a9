"""The settings of the test run (pyproject: ``DJANGO_SETTINGS_MODULE``): the project's, with a
secret key drawn for this run when the environment gives none. `make test` runs with
DJANGO_DEBUG off on PostgreSQL, where the project refuses to start without a key
(backend.core.secret_key). The key goes in the environment, so the servers and workers the
tests start share it.

PostgreSQL need not wait for the disk at each commit of a test run (``synchronous_commit``
off: a commit is as visible to every other connection, only a crash of the server itself could
lose the last ones). The tests that commit (``transaction=True``: the browser, the live
servers, the workers) and the flush after each of them then spend a fraction of their time
waiting. Through libpq's ``PGOPTIONS``, so the servers and workers the tests start inherit it;
an explicit ``PGOPTIONS`` wins.

Under pytest-xdist (`make test` runs two workers), each worker has its test database of its own
(pytest-django names them ``test_<name>_gw0``, ``_gw1``…) and its Redis database of its own, the
next ones after the one given (modulo Redis's 16): the broker and the cache, so that a test
clearing the cache never clears the throttling counters of a test running beside it."""

import os
import secrets
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("PGOPTIONS", "-c synchronous_commit=off")


def _redis_database_of_this_worker(url: str, worker: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not worker.startswith("gw"):
        return url
    database = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(database + int(worker[2:])) % 16}"))


if os.environ.get("CELERY_BROKER_URL"):  # in the environment: the workers tests start share it
    os.environ["CELERY_BROKER_URL"] = _redis_database_of_this_worker(
        os.environ["CELERY_BROKER_URL"], os.environ.get("PYTEST_XDIST_WORKER", "")
    )

from backend.settings import *  # noqa: E402, F403
