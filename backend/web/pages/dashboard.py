"""The dashboard: what needs me now, the pipeline of actions by state (columns, or a paged
list at ``?view=list``) with filters kept in the URL, and the counts per territory.

Everything is scoped to the caller's territories (``backend.accounts.scoping``), and the page runs
the same number of queries whatever the number of actions: each column shows its most urgent
cards (one windowed query for every column), the rest is counted in SQL.
"""

from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from backend.accounts import scoping
from backend.accounts.models import StaffRole
from backend.actions.models import Action
from backend.web.access import staff_required
from backend.web.forms.dashboard import Filters, Options
from backend.web.selectors.dashboard import (
    FINISHED,
    TERRITORY_COLUMNS,
    S,
    columns_of,
    counts_of,
    page_of,
    per_state,
    territory_counts,
    todo_of,
)

# The roles the API lets create actions (directors and administrators always).
CREATORS = (StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER)


# --- the view -------------------------------------------------------------------------------


def _htmx_partial(request) -> bool:
    """An htmx request for the board only (a history restore wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _scoped(user, options):
    """The caller's actions (``scoping.actions_for``), named by their projects' ids (already
    read for the filters) rather than through a join on the projects: PostgreSQL then estimates
    them from the actions' own statistics. The few projects and territories have none unless
    someone runs ANALYZE (autovacuum waits for 50 changed rows), and through the join it
    expected a territory to hold 1/130 of the actions, then probed the roles of each."""
    if user.sees_all_territories:
        return scoping.actions_for(user)
    return Action.objects.filter(project__in=[project.pk for project in options.projects])


@staff_required
def dashboard(request):
    user = request.user
    today = timezone.localdate()
    options = Options.load(user)
    filters = Filters.read(request.GET, options)
    # The final states have no column: asking for one of them shows the list.
    view = "list" if request.GET.get("view") == "list" or filters.state in FINISHED else "board"
    scoped = _scoped(user, options)
    actions = filters.apply(scoped, user, today)

    full_page = not _htmx_partial(request)
    # The full page counts every action of the caller's territories per territory and state
    # once: its table, and the columns' counts when no filter narrows them.
    counts = counts_of(scoped, today) if full_page else None
    context = {
        "title": _("Tableau de bord"),
        "nav": "dashboard",
        "today": today,
        "options": options,
        "filters": filters,
        "view": view,
        "states": [(s, label) for s, label in S.choices],
        "board_url": "?" + filters.query(state="" if filters.state in FINISHED else filters.state),
        "list_url": "?" + filters.query(view="list"),
    }
    if view == "list":
        context["page"] = page_of(actions, request, today)
        context["total"] = context["page"].paginator.count
        context["page_query"] = filters.query(view="list")
    else:
        known = per_state(counts) if counts is not None and not filters.active else None
        columns, finished, total = columns_of(actions, filters, today, known)
        context.update(columns=columns, finished=finished, total=total)

    if not full_page:
        context["oob"] = True
        response = render(request, "web/dashboard/pipeline.html", context)
    else:
        context.update(
            todo=todo_of(user, scoped, today),
            may_create=user.has_role(*CREATORS),
            all_territories=user.sees_all_territories,
            territory_columns=[label for _key, label, _states in TERRITORY_COLUMNS],
            overdue_url="?" + Filters().query(view="list", overdue="1"),
            ready_url="?" + Filters().query(view="list", state=S.READY_FOR_BOARD),
            create_url=reverse("web:action_create"),
        )
        context["territory_rows"], context["territory_totals"] = territory_counts(counts, options)
        response = render(request, "web/dashboard/dashboard.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


urlpatterns = [
    path("tableau-de-bord/", dashboard, name="dashboard"),
]
