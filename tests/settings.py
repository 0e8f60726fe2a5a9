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
an explicit ``PGOPTIONS`` wins."""

import os
import secrets

os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("PGOPTIONS", "-c synchronous_commit=off")

from backend.settings import *  # noqa: F403
