"""Placeholder pages, to be replaced by the real ones."""

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from backend.web.access import staff_required


@staff_required
def notification_centre(request, **kwargs):
    return render(request, "web/stub.html", {"title": _("Mes notifications")})


@staff_required
def preferences(request, **kwargs):
    return render(request, "web/stub.html", {"title": _("Préférences de notification")})


urlpatterns = [
    path("mes-notifications/", notification_centre, name="notification_centre"),
    path("mes-notifications/preferences/", preferences, name="preferences"),
]
