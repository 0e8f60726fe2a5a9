from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from backend.api import (
    analytics_views,
    attendance_views,
    board_documents,
    board_members,
    board_views,
    consultation_views,
    evaluation_link_views,
    evaluation_views,
    export_views,
    notification_views,
    preference_views,
    views,
    webhook_views,
)

router = DefaultRouter()
router.register("staff", views.StaffViewSet, basename="staff")
router.register("territories", views.TerritoryViewSet, basename="territory")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("actions", views.ActionViewSet, basename="action")
router.register("roles", views.RoleViewSet, basename="role")
router.register("board-members", board_members.BoardMemberViewSet, basename="board-member")
router.register("board-sessions", board_views.BoardSessionViewSet, basename="board-session")
router.register("evaluations", evaluation_views.EvaluationViewSet, basename="evaluation")
router.register("notifications", notification_views.NotificationViewSet, basename="notification")
router.register("webhooks", webhook_views.WebhookViewSet, basename="webhook")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "roles/<int:pk>/respond/",
        consultation_views.RoleRespondView.as_view(),
        name="role-respond",
    ),
    path(
        "respond/<str:token>/",
        consultation_views.RespondByLinkView.as_view(),
        name="respond-by-link",
    ),
    path(
        "notifications/preferences/",
        preference_views.PreferenceView.as_view(),
        name="notification-preferences",
    ),
    path(
        "evaluations/report/<str:token>/",
        evaluation_link_views.ReportByLinkView.as_view(),
        name="evaluation-report-by-link",
    ),
    *board_documents.urlpatterns,
    *attendance_views.urlpatterns,
    *export_views.urlpatterns,
    *analytics_views.urlpatterns,
    path("", include(router.urls)),
]
