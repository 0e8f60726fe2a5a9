"""Settings, read from the environment (see API.md, "Configuration").

Without any environment the project runs embedded: SQLite, Celery's filesystem:// transport,
e-mails printed to the console.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from backend.core.secret_key import secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR") or BASE_DIR / "var")


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
PORT = int(os.environ.get("PORT") or 8000)
SITE_URL = (os.environ.get("SITE_URL") or f"http://127.0.0.1:{PORT}").rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "backend.accounts",
    "backend.territories",
    "backend.partners",
    "backend.actions",
    "backend.board",
    "backend.evaluations",
    "backend.demo",
    "backend.respond",
    "backend.web",
    "workflows",
    "notifications",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "backend.web.security.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks: turns a lock-out into its 429
]
# Axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "backend.urls"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backend.web.context.layout",
            ],
            # The pages' and the e-mails' way of writing a date, a time and an amount: in
            # backend.core, so that the domain and notifications use it too.
            "libraries": {"moments": "backend.core.moments"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, and statements prepared once run 5 times on a
    # connection: the hot paths (transitions, the sweep) then cost a fraction of their parsing
    # and planning (docs/benchmarks.md). Behind a pooler in transaction mode, prepared
    # statements must be off: DB_PREPARED_STATEMENTS=0. DATABASE_URL's own options win.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("server_side_binding", True)
    if os.environ.get("DB_PREPARED_STATEMENTS", "1") != "0":
        _options.setdefault("prepare_threshold", 5)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded run: two web processes, the worker and beat write to one file at once.
    # WAL lets readers and the writer go on together; IMMEDIATE takes the write lock when a
    # transaction begins, so that two transactions that read and then write never deadlock
    # (SQLite answers that with an immediate "database is locked" that no timeout retries);
    # writers then queue for up to `timeout` seconds (under gunicorn's 30 s) instead of failing.
    # Proved over HTTP by tests/backend/test_embedded_concurrency.py.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("transaction_mode", "IMMEDIATE")
    _options.setdefault("timeout", 20)
    _options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
# DJANGO_SECRET_KEY; the embedded run (SQLite) and DJANGO_DEBUG=1 may go without: a random key
# kept in var/secret-key. Otherwise the settings refuse to load (backend.core.secret_key).
SECRET_KEY = secret_key(
    environ=os.environ,
    debug=DEBUG,
    embedded=DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
    kept_in=VAR_DIR / "secret-key",
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- E-mail -------------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or 25)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "CAF de la Loire - projets de territoire <territoires@caf42.example>"
)

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
CELERY_BROKER_FOLDER = VAR_DIR / "celery-broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
else:
    # A publish (the push after a transition's commit, in the request) tries Redis once: kombu
    # would otherwise retry the connection for seconds (6 s measured per publish, Redis down)
    # while the request waits. The sweep sends what was not pushed. The worker's own
    # reconnection follows broker_connection_retry / broker_connection_max_retries instead.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "max_retries": 0,
        "socket_connect_timeout": 0.5,  # a host that does not answer (no "connection refused")
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "sweep-due-notifications": {"task": "notifications.sweep_due", "schedule": 60.0},
    "sweep-due-webhooks": {"task": "webhooks.sweep_due", "schedule": 60.0},
    "mark-evaluations-due": {"task": "evaluations.mark_due", "schedule": 3600.0},
    "plan-daily-digests": {
        "task": "notifications.plan_digests",
        "schedule": crontab(hour=8, minute=30, day_of_week="mon-fri"),
    },
}

# --- Webhooks (webhooks.delivery) -----------------------------------------------------------
# An endpoint that has answered nothing but errors for this many days is switched off, and its
# administrator told by e-mail; what it had pending is kept and sent when it is switched on.
WEBHOOK_DISABLE_AFTER_DAYS = int(os.environ.get("WEBHOOK_DISABLE_AFTER_DAYS") or 5)
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS") or 10)
# After a secret's rotation the deliveries carry both signatures for this long.
WEBHOOK_SECRET_OVERLAP_HOURS = int(os.environ.get("WEBHOOK_SECRET_OVERLAP_HOURS") or 24)
# An address that is or resolves to a private, loopback or link-local network is refused at
# registration (docs/security.md, SSRF). True only for development and tests that run a local
# receiver.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)

# --- Cache (throttles of bad links and sign-ins): shared by every process ------------------
# Redis when the broker is Redis. Otherwise a table of the database (`manage.py
# createcachetable`, which `make run` runs): every web process and the worker count in one
# place, where a per-process cache would let each gunicorn worker keep its own counts. A table
# rather than files: on SQLite (transaction_mode IMMEDIATE above) a transaction holds the write
# lock from its start, so a count read and written in one `transaction.atomic()` is never lost
# to another process (backend.actions.link_throttle); files have no such lock.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CELERY_BROKER_URL,
            "KEY_PREFIX": "caf",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cache_entries",
            # Django's incr() rewrites a key with this timeout: the bad-link window (10 min).
            "TIMEOUT": 600,
            # Past this many entries, each write culls the expired ones and then a third of the
            # rest: high enough that a guesser spraying addresses cannot wipe its own counts.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
# Personal data: contacts whose every action ended this many years ago are anonymised
# (`manage.py anonymise_closed`, backend.partners.retention).
RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS") or 5)
BAD_LINK_LIMIT = int(os.environ.get("BAD_LINK_LIMIT", "20"))  # per address, per 10 minutes
# The board (backend.board.members, backend.board.attendance): the CAF organisation whose
# contacts are the board's members; how many proxies one member may hold; the quorum, as the
# share of a session's members present, remote or represented by a proxy.
BOARD_ORGANISATION = os.environ.get("BOARD_ORGANISATION") or (
    "Conseil d'administration de la CAF de la Loire"
)
BOARD_PROXIES_PER_MEMBER = int(os.environ.get("BOARD_PROXIES_PER_MEMBER") or 1)
BOARD_QUORUM = float(os.environ.get("BOARD_QUORUM") or 0.5)
# Sign-in lock-out (django-axes, backend.accounts.signin), on every way in (the staff sign-in,
# the admin's, the API's token): failures per (username, address), and per address (higher: an
# office behind one address); a pair or an address that reaches its limit is refused (429) for
# SIGNIN_LOCKOUT_SECONDS after its last failure. The counts are rows in the database.
SIGNIN_FAILURE_LIMIT = int(os.environ.get("SIGNIN_FAILURE_LIMIT") or 5)
SIGNIN_FAILURE_LIMIT_PER_ADDRESS = int(os.environ.get("SIGNIN_FAILURE_LIMIT_PER_ADDRESS") or 20)
SIGNIN_LOCKOUT_SECONDS = int(os.environ.get("SIGNIN_LOCKOUT_SECONDS") or 15 * 60)
AXES_HANDLER = "backend.accounts.signin.SignInAttempts"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = "backend.accounts.signin.failure_limit"
AXES_COOLOFF_TIME = "backend.accounts.signin.cool_off"
AXES_USERNAME_CALLABLE = "backend.accounts.signin.login_name"
AXES_CLIENT_IP_CALLABLE = "backend.accounts.signin.client_address"
AXES_LOCKOUT_CALLABLE = "backend.accounts.signin.lockout_response"
AXES_RESET_ON_SUCCESS = True  # the pair's failures only (SignInAttempts.reset_user_attempts)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a refused attempt does not prolong it
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not logged (a table without end)
# Password-reset e-mails (backend.accounts.password_resets), per hour: at most this many to one
# account, and this many requests from one address (beyond: the same page, no e-mail).
PASSWORD_RESET_LIMIT_PER_ACCOUNT = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ACCOUNT") or 3)
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS") or 10)
PASSWORD_RESET_WINDOW_SECONDS = 3600

# --- REST API -----------------------------------------------------------------------------
# An API token is good for this many days after it was issued (backend.accounts.tokens).
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS") or 30)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backend.accounts.tokens.ExpiringTokenAuthentication",
        "backend.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["backend.api.permissions.IsStaffMember"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON only (the web pages have their own forms): any other body is a 415, and the
    # OpenAPI document offers one request body per operation, the one a generated client sends.
    # JSON nested deeper than backend.api.parsers.MAX_DEPTH is a 400.
    "DEFAULT_PARSER_CLASSES": ["backend.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "backend.api.pagination.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "backend.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "backend.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_RATES": {"auth": os.environ.get("AUTH_THROTTLE_RATE", "20/min")},
    # Proxies in front of the web server: 0 trusts no X-Forwarded-For (DRF's default, None,
    # would take a client's own header as its address and let it dodge every throttle).
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES") or 0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CAF de la Loire - projets de territoire",
    "DESCRIPTION": (
        "Workflow des actions des projets de territoire: consultation des partenaires, "
        "conseil d'administration, mise en oeuvre et évaluation."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Stable English names for the generated clients (backend/api/schema_hooks.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.api.schema_hooks.stable_names",
    ],
    "SERVERS": [{"url": "/", "description": "Ce serveur"}],
    "ENUM_NAME_OVERRIDES": {
        "ActionStateEnum": "backend.actions.machine.ActionState",
        "RoleStateEnum": "backend.actions.role_machine.RoleState",
        "StaffRoleEnum": "backend.accounts.models.StaffRole",
        "RoleKindEnum": "backend.actions.models.RoleKind",
        "OrganisationKindEnum": "backend.partners.models.OrganisationKind",
        "FindingKindEnum": "backend.territories.models.FindingKind",
        "ContactCategoryEnum": "backend.partners.models.ContactCategory",
        "NotificationKindEnum": "notifications.models.Kind",
        "NotificationStatusEnum": "notifications.models.Status",
        "WebhookEventEnum": "backend.api.webhook_views.EVENT_CHOICES",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Security ------------------------------------------------------------------------------
# `manage.py check --deploy` is clean with DJANGO_DEBUG off and DJANGO_SECURE=1 (tested).
# DJANGO_SECURE=1 (the default when SITE_URL is https://): the site is served over HTTPS by a
# proxy that terminates TLS and sets X-Forwarded-Proto: HTTPS only cookies, redirect to
# https://, HSTS. Off for `make run` and the compose stack, which serve http on localhost.
if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    if env_bool("DJANGO_SECURE", default=SITE_URL.startswith("https://")):
        SESSION_COOKIE_SECURE = True
        CSRF_COOKIE_SECURE = True
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        SECURE_SSL_REDIRECT = True
        SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's own health check, in http
        SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS") or 31536000)
        SECURE_HSTS_INCLUDE_SUBDOMAINS = True
        SECURE_HSTS_PRELOAD = True
