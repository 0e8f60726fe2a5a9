from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from backend.core.health import healthz
from backend.web.pages.auth import home

admin.site.site_header = _("CAF de la Loire - projets de territoire")
admin.site.site_title = _("Projets de territoire")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("backend.web.urls")),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico on the pages that name no icon (the API's JSON, a PDF).
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("backend.api.urls")),
    path("respond/", include("backend.respond.urls")),
    path("report/", include("backend.respond.report_urls")),
    path("agenda/", include("backend.respond.agenda_urls")),
    path("attendance/", include("backend.respond.attendance_urls")),
    path("", include("notifications.urls")),
]

# A URL no route matches: JSON under /api/ (the API's error body), Django's page elsewhere.
handler404 = "backend.api.errors.page_not_found"
handler500 = "backend.api.errors.server_error"
