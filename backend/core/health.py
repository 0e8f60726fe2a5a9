"""GET /healthz: 200 when the database and the broker answer, 503 otherwise."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_broker() -> str:
    """A fresh connection to the configured broker (not the app's pool: it must really answer)."""
    with Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=2,
    ) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@never_cache
@require_GET
def healthz(request):
    detail, healthy = {}, True
    for name, check in (("database", check_database), ("broker", check_broker)):
        try:
            detail[name] = check()
        except Exception as error:  # a health check reports every failure, whatever it is
            detail[name] = f"error: {error.__class__.__name__}: {error}"
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **detail}, status=200 if healthy else 503
    )
