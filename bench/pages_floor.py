"""Bench only: the project's URLs (the staff pages as the project mounts them), plus the floor
of the pages benchmark (``bench.pages_bench``).

Each floor view is the least Django can do for the rows a staff page shows: the session read
by the same middleware (the signed-in person, their territories), the page's rows read by
hand-written SQL on Django's connection (no ORM, no models), printed as a bare HTML list with
no template. Same scope as the page (the caller's territories), same number of rows.
"""

import datetime

from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.urls import include, path
from django.utils import timezone
from django.utils.html import escape

# The scope of a person bound to territories, or every territory (``%(all)s``).
SCOPE = "(%(all)s OR p.territory_id = ANY(%(territories)s))"
FIRST = 8  # the cards of a column, as the dashboard shows them
AXIS_FIRST = 10  # the actions of an axis, as the project's page shows them
PAGE = 50  # a page of the list
COLUMN_STATES = (
    "draft",
    "consultation",
    "ready_for_board",
    "scheduled",
    "approved",
    "in_progress",
    "evaluation",
)

CARDS = """
(SELECT a.id, a.title, a.state, a.consultation_deadline, a.updated_at, t.name AS territory,
        c.name AS commune
   FROM actions_action a JOIN territories_territoryproject p ON p.id = a.project_id
   JOIN territories_territory t ON t.id = p.territory_id
   LEFT JOIN territories_commune c ON c.id = a.commune_id
  WHERE {scope} AND a.state = '{state}' ORDER BY {order} LIMIT {first})
"""
# The counts per territory and state (and the overdue consultations): the columns' counts and
# the table per territory.
COUNTS = [
    f"SELECT p.territory_id, a.state, COUNT(*), COUNT(*) FILTER (WHERE a.state = 'consultation' "
    f"AND a.consultation_deadline < %(today)s) FROM actions_action a "
    f"JOIN territories_territoryproject p ON p.id = a.project_id WHERE {SCOPE} "
    f"GROUP BY p.territory_id, a.state",
]
# What needs me now: the overdue consultations, the recent answers, the actions ready for the
# board (the first five of each, with their number).
TODO = [
    f"SELECT a.id, a.title, COUNT(*) OVER () FROM actions_action a JOIN "
    f"territories_territoryproject p ON p.id = a.project_id WHERE {SCOPE} "
    f"AND a.state = 'consultation' AND a.consultation_deadline < %(today)s AND EXISTS (SELECT 1 "
    f"FROM actions_roleassignment r WHERE r.action_id = a.id AND r.state = 'invited') "
    f"ORDER BY a.consultation_deadline, a.id LIMIT 5",
    f"SELECT a.id, a.title, x.n, x.last, COUNT(*) OVER () FROM (SELECT r.action_id, COUNT(*) "
    f"AS n, MAX(r.responded_at) AS last FROM actions_roleassignment r WHERE r.responded_at >= "
    f"%(since)s AND r.state IN ('accepted', 'declined', 'changes_requested') "
    f"GROUP BY r.action_id) x JOIN actions_action a ON a.id = x.action_id "
    f"JOIN territories_territoryproject p ON p.id = a.project_id WHERE {SCOPE} "
    f"ORDER BY x.last DESC, a.id DESC LIMIT 5",
    f"SELECT a.id, a.title, COUNT(*) OVER () FROM actions_action a JOIN "
    f"territories_territoryproject p ON p.id = a.project_id WHERE {SCOPE} "
    f"AND a.state = 'ready_for_board' ORDER BY a.updated_at, a.id LIMIT 5",
]
DASHBOARD = [
    *COUNTS,
    " UNION ALL ".join(
        CARDS.format(
            scope=SCOPE,
            state=state,
            first=FIRST,
            order="a.consultation_deadline ASC NULLS LAST, a.updated_at DESC, a.id DESC"
            if state == "consultation"
            else "a.updated_at DESC, a.id DESC",
        )
        for state in COLUMN_STATES
    ),
    *TODO,
]
ROLES_OF = "SELECT action_id, state FROM actions_roleassignment WHERE action_id = ANY(%(ids)s)"
LIST = [
    *COUNTS,
    *TODO,
    f"SELECT COUNT(*) FROM actions_action a JOIN territories_territoryproject p "
    f"ON p.id = a.project_id WHERE {SCOPE}",
    f"SELECT a.id, a.title, a.state, a.consultation_deadline, a.updated_at, t.name, c.name "
    f"FROM actions_action a JOIN territories_territoryproject p ON p.id = a.project_id "
    f"JOIN territories_territory t ON t.id = p.territory_id "
    f"LEFT JOIN territories_commune c ON c.id = a.commune_id WHERE {SCOPE} "
    f"ORDER BY a.updated_at DESC, a.id DESC LIMIT {PAGE} OFFSET %(offset)s",
]
ACTION = [
    f"SELECT a.*, p.title, t.name, c.name, x.title FROM actions_action a "
    f"JOIN territories_territoryproject p ON p.id = a.project_id "
    f"JOIN territories_territory t ON t.id = p.territory_id "
    f"LEFT JOIN territories_commune c ON c.id = a.commune_id "
    f"LEFT JOIN territories_axis x ON x.id = a.axis_id WHERE a.id = %(pk)s AND {SCOPE}",
    "SELECT r.*, o.name, k.first_name, k.last_name FROM actions_roleassignment r "
    "JOIN partners_organisation o ON o.id = r.organisation_id "
    "LEFT JOIN partners_contact k ON k.id = r.contact_id WHERE r.action_id = %(pk)s "
    "ORDER BY r.kind, o.name, r.id",
    "SELECT f.id, f.title FROM territories_finding f JOIN actions_action_findings l "
    "ON l.finding_id = f.id WHERE l.action_id = %(pk)s",
    "SELECT l.at, l.source, l.target, l.transition FROM workflows_transitionlog l "
    "WHERE l.action_id = %(pk)s ORDER BY l.at, l.id",
    "SELECT n.id, n.kind, n.status, n.due_at FROM notifications_notification n "
    "WHERE n.action_id = %(pk)s ORDER BY n.due_at, n.id",
]
SESSION = [
    "SELECT s.* FROM board_boardsession s WHERE s.id = %(pk)s",
    f"SELECT i.id, i.position, a.id, a.title, a.state, p.title, t.name FROM board_agendaitem i "
    f"LEFT JOIN actions_action a ON a.id = i.action_id "
    f"JOIN territories_territoryproject p ON p.id = COALESCE(a.project_id, i.project_id) "
    f"JOIN territories_territory t ON t.id = p.territory_id "
    f"WHERE i.session_id = %(pk)s AND {SCOPE} ORDER BY i.position, i.id",
    "SELECT d.* FROM board_boarddecision d WHERE d.session_id = %(pk)s",
    "SELECT k.id, k.first_name, k.last_name, o.name FROM board_boardsession_members m "
    "JOIN partners_contact k ON k.id = m.contact_id "
    "JOIN partners_organisation o ON o.id = k.organisation_id WHERE m.boardsession_id = %(pk)s",
    # The first actions waiting for a board, with their number (the page's scheduling form).
    f"SELECT a.id, a.title, t.name, COUNT(*) OVER () FROM actions_action a "
    f"JOIN territories_territoryproject p ON p.id = a.project_id "
    f"JOIN territories_territory t ON t.id = p.territory_id "
    f"WHERE {SCOPE} AND a.state = 'ready_for_board' ORDER BY a.updated_at, a.id LIMIT {PAGE}",
]
PROJECT = [
    f"SELECT p.*, t.name FROM territories_territoryproject p "
    f"JOIN territories_territory t ON t.id = p.territory_id WHERE p.id = %(pk)s AND {SCOPE}",
    # The findings, each with its first live answering actions and their number.
    "SELECT f.id, f.kind, f.title, x.id, x.title, x.n FROM territories_finding f "
    "JOIN territories_diagnostic d ON d.id = f.diagnostic_id "
    "LEFT JOIN LATERAL (SELECT a.id, a.title, COUNT(*) OVER () AS n FROM actions_action a "
    "JOIN actions_action_findings l ON l.action_id = a.id WHERE l.finding_id = f.id "
    "AND a.state NOT IN ('withdrawn', 'rejected') ORDER BY a.title, a.id LIMIT 5) x ON TRUE "
    "WHERE d.project_id = %(pk)s ORDER BY f.kind, f.id",
    "SELECT x.id, x.title, x.position FROM territories_axis x WHERE x.project_id = %(pk)s",
    # The first actions of each axis (and of none), with the number of each.
    f"SELECT a.id, a.title, a.state, a.axis_id, c.name, x.n FROM "
    f"(SELECT DISTINCT axis_id FROM actions_action WHERE project_id = %(pk)s) g "
    f"CROSS JOIN LATERAL (SELECT a.*, COUNT(*) OVER () AS n FROM actions_action a "
    f"WHERE a.project_id = %(pk)s AND a.axis_id IS NOT DISTINCT FROM g.axis_id "
    f"ORDER BY a.title, a.id LIMIT {AXIS_FIRST}) x JOIN actions_action a ON a.id = x.id "
    f"LEFT JOIN territories_commune c ON c.id = a.commune_id",
    "SELECT i.id, s.title, s.date, s.state FROM board_agendaitem i "
    "JOIN board_boardsession s ON s.id = i.session_id WHERE i.project_id = %(pk)s",
]
PROJECTS = [
    f"SELECT p.id, p.title, p.year, t.name FROM territories_territoryproject p "
    f"JOIN territories_territory t ON t.id = p.territory_id WHERE {SCOPE} "
    f"ORDER BY p.year DESC, t.name",
    f"SELECT a.project_id, COUNT(*), COUNT(*) FILTER (WHERE a.state IN "
    f"('approved', 'in_progress', 'evaluation', 'closed')) FROM actions_action a "
    f"JOIN territories_territoryproject p ON p.id = a.project_id WHERE {SCOPE} "
    f"GROUP BY a.project_id",
    f"SELECT d.project_id, COUNT(*) FROM territories_finding f "
    f"JOIN territories_diagnostic d ON d.id = f.diagnostic_id "
    f"JOIN territories_territoryproject p ON p.id = d.project_id WHERE {SCOPE} "
    f"AND f.kind = 'need' AND NOT EXISTS (SELECT 1 FROM actions_action_findings l "
    f"JOIN actions_action a ON a.id = l.action_id WHERE l.finding_id = f.id "
    f"AND a.state NOT IN ('withdrawn', 'rejected')) GROUP BY d.project_id",
]


def _scope(request) -> dict:
    user = request.user
    if user.sees_all_territories:
        return {"all": True, "territories": []}
    return {"all": False, "territories": sorted(user.territory_ids())}


def _page(rows: list) -> HttpResponse:
    items = "".join(f"<li>{escape(' | '.join(map(str, row)))}</li>" for row in rows)
    return HttpResponse(f"<!doctype html><title>floor</title><ul>{items}</ul>")


def _run(request, sqls: list[str], **params) -> list:
    if not request.user.is_authenticated or not request.user.is_staff_member:
        return None
    params = {**_scope(request), **params}
    rows = []
    with connection.cursor() as cursor:
        for sql in sqls:
            cursor.execute(sql, params)
            rows.extend(cursor.fetchall())
    return rows


def _respond(rows):
    if rows is None:
        return HttpResponseForbidden()
    return _page(rows)


def _with_roles(rows):
    """The roles of the cards or rows (their consultation summary): the 7-column rows."""
    if rows is not None:
        ids = [row[0] for row in rows if len(row) == 7]
        with connection.cursor() as cursor:
            cursor.execute(ROLES_OF, {"ids": ids})
            rows.extend(cursor.fetchall())
    return _respond(rows)


def _now() -> dict:
    since = timezone.now() - datetime.timedelta(days=14)
    return {"today": timezone.localdate(), "since": since}


def floor_dashboard(request):
    return _with_roles(_run(request, DASHBOARD, **_now()))


def floor_list(request):
    page = int(request.GET.get("page") or 1)
    return _with_roles(_run(request, LIST, offset=(page - 1) * PAGE, **_now()))


def floor_action(request, pk: int):
    rows = _run(request, ACTION[:1], pk=pk)
    if rows == []:
        raise Http404
    return _respond(rows and rows + _run(request, ACTION[1:], pk=pk))


def floor_session(request, pk: int):
    return _respond(_run(request, SESSION, pk=pk))


def floor_project(request, pk: int):
    rows = _run(request, PROJECT[:1], pk=pk)
    if rows == []:
        raise Http404
    return _respond(rows and rows + _run(request, PROJECT[1:], pk=pk))


def floor_projects(request):
    return _respond(_run(request, PROJECTS))


urlpatterns = [
    path("bench/floor/dashboard/", floor_dashboard),
    path("bench/floor/list/", floor_list),
    path("bench/floor/actions/<int:pk>/", floor_action),
    path("bench/floor/sessions/<int:pk>/", floor_session),
    path("bench/floor/projects/<int:pk>/", floor_project),
    path("bench/floor/projects/", floor_projects),
    path("", include("backend.urls")),
]
handler404 = "backend.api.errors.page_not_found"
handler500 = "backend.api.errors.server_error"
