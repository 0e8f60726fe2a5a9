"""The settings of the test run (pyproject: ``DJANGO_SETTINGS_MODULE``): the project's, with a
secret key drawn for this run when the environment gives none. `make test` runs with
DJANGO_DEBUG off on PostgreSQL, where the project refuses to start without a key
(backend.core.secret_key). The key goes in the environment, so the servers and workers the
tests start share it."""

import os
import secrets

os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))

from backend.settings import *  # noqa: F403
