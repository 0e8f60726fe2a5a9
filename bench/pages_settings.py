"""Settings of the pages benchmark's gunicorn: the project's settings, with the staff pages and
the floor views (``bench.pages_floor``) and a middleware counting the SQL queries of each request
(response header ``X-Queries``). Never used outside ``bench/``."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.pages_floor"
