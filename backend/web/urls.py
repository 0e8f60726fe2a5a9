"""The staff pages, under the ``web`` namespace. Each area's module keeps its own routes."""

from django.urls import path

from backend.web import drafts
from backend.web.access import staff_required
from backend.web.pages import (
    accessibility,
    actions,
    auth,
    board,
    dashboard,
    deliveries,
    evaluations,
    help,
    notifications,
    pilotage,
    projects,
    webhooks,
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
    *accessibility.urlpatterns,
    path("reprendre/", staff_required(drafts.resume_form), name="resume_form"),
    *pilotage.urlpatterns,
    *webhooks.urlpatterns,
]
