"""GET /healthz: 200 when the database and the broker answer, 503 otherwise."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backend.celery import app as celery_app


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_broker() -> str:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        if conn.transport_cls == "filesystem":
            return "ok"
        conn.default_channel  # noqa: B018  (opens a channel: the broker really answers)
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
