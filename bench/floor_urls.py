"""Bench only: the project's URLs, plus the floor of the API benchmark.

The floor views answer the same questions as ``GET /api/v1/actions/`` and
``GET /api/v1/actions/{id}/`` with the least Django can do: the token checked with one query,
the same rows read with ``.values()`` (the action's columns and territory, its findings, its
partner roles with the organisation's and the contact's names), serialised by ``JsonResponse``.
No DRF, no serializers, no permission classes, no filter backends.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import F
from django.http import Http404, JsonResponse
from django.urls import path

from backend import urls as project_urls

ACTION_FIELDS = (
    "id",
    "project_id",
    "axis_id",
    "title",
    "summary",
    "commune_id",
    "neighbourhood_id",
    "consultation_deadline",
    "planned_start",
    "planned_end",
    "budget",
    "social_worker_id",
    "state",
    "board_session_id",
    "created_at",
    "updated_at",
)
ROLE_FIELDS = (
    "id",
    "action_id",
    "organisation_id",
    "contact_id",
    "kind",
    "state",
    "description",
    "time_commitment",
    "financial_commitment",
    "venue",
    "invited_at",
    "responded_at",
    "response_comment",
)


class QueryCountMiddleware:
    """Counts the SQL statements of each request into the ``X-Queries`` response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Queries"] = str(count[0])
        return response


def _authenticated(request) -> bool:
    from rest_framework.authtoken.models import Token

    words = request.headers.get("Authorization", "").split()
    if len(words) != 2 or words[0] != "Token":
        return False
    return Token.objects.filter(key=words[1], user__is_active=True).exists()


def _rows(actions) -> list[dict]:
    from backend.actions.models import Action, RoleAssignment

    rows = list(actions.values(*ACTION_FIELDS, territory=F("project__territory__slug")))
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row["findings"], row["roles"] = [], []
    links = Action.findings.through.objects.filter(action_id__in=by_id)
    for action_id, finding_id in links.values_list("action_id", "finding_id"):
        by_id[action_id]["findings"].append(finding_id)
    roles = (
        RoleAssignment.objects.filter(action_id__in=by_id)
        .exclude(state="withdrawn")
        .order_by("kind", "organisation__name", "id")
        .values(
            *ROLE_FIELDS,
            organisation_name=F("organisation__name"),
            contact_first_name=F("contact__first_name"),
            contact_last_name=F("contact__last_name"),
        )
    )
    for role in roles:
        by_id[role["action_id"]]["roles"].append(role)
    return rows


def _json(data) -> JsonResponse:
    return JsonResponse(data, encoder=DjangoJSONEncoder, safe=False)


def floor_list(request):
    from backend.actions.models import Action

    if not _authenticated(request):
        return JsonResponse({}, status=401)
    actions = Action.objects.all()
    if request.GET.get("territory"):
        actions = actions.filter(project__territory__slug=request.GET["territory"])
    if request.GET.get("state"):
        actions = actions.filter(state=request.GET["state"])
    size = min(int(request.GET.get("page_size", 25)), 100)
    page = int(request.GET.get("page", 1))
    count = actions.count()
    page_rows = actions.order_by("-created_at", "-id")[(page - 1) * size : page * size]
    return _json({"count": count, "results": _rows(page_rows)})


def floor_detail(request, pk: int):
    from backend.actions.models import Action

    if not _authenticated(request):
        return JsonResponse({}, status=401)
    rows = _rows(Action.objects.filter(pk=pk))
    if not rows:
        raise Http404
    return _json(rows[0])


# The API and the health check only, as the project mounts them (``backend.urls``): the web
# pages are not needed here, and resolving them first costs microseconds.
# The floor views, then the project's own URLs (the API, and the pages: the analytics
# benchmark times ``/pilotage/``).
urlpatterns = [
    path("bench/floor/actions/", floor_list),
    path("bench/floor/actions/<int:pk>/", floor_detail),
    *project_urls.urlpatterns,
]
handler404 = "backend.api.errors.page_not_found"
