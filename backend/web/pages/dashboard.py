"""Placeholder pages, to be replaced by the real ones."""

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from backend.web.access import staff_required


@staff_required
def dashboard(request, **kwargs):
    return render(request, "web/stub.html", {"title": _("Tableau de bord")})


urlpatterns = [
    path("tableau-de-bord/", dashboard, name="dashboard"),
]
