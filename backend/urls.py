from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from backend.core.health import healthz

admin.site.site_header = _("CAF de la Loire - projets de territoire")
admin.site.site_title = _("Projets de territoire")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("backend.api.urls")),
    path("respond/", include("backend.respond.urls")),
    path("report/", include("backend.evaluations.report_urls")),
    path("", include("notifications.urls")),
]
