"""Settings of the API benchmark's gunicorn: the project's settings, plus the bench-only floor
views (``bench.floor_urls``) and a middleware that counts the SQL queries of each request
(response header ``X-Queries``). Never used outside ``bench/``."""

from backend.settings import *  # noqa: F403
from backend.settings import MIDDLEWARE, REST_FRAMEWORK

ROOT_URLCONF = "bench.floor_urls"
MIDDLEWARE = ["bench.floor_urls.QueryCountMiddleware", *MIDDLEWARE]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "1000/min"},
}
