"""The staff pages, under the ``web`` namespace. Each area's module keeps its own routes."""

from backend.web.pages import (
    actions,
    auth,
    board,
    dashboard,
    deliveries,
    evaluations,
    help,
    notifications,
    projects,
)

app_name = "web"

urlpatterns = [
    *auth.urlpatterns,
    *dashboard.urlpatterns,
    *actions.urlpatterns,
    *deliveries.urlpatterns,
    *projects.urlpatterns,
    *evaluations.urlpatterns,
    *board.urlpatterns,
    *notifications.urlpatterns,
    *help.urlpatterns,
]
