"""Placeholder pages, to be replaced by the real ones."""

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from backend.web.access import staff_required


@staff_required
def action_create(request, **kwargs):
    return render(request, "web/stub.html", {"title": _("Nouvelle action")})


@staff_required
def action_detail(request, **kwargs):
    return render(request, "web/stub.html", {"title": _("Action")})


urlpatterns = [
    path("actions/nouvelle/", action_create, name="action_create"),
    path("actions/<int:pk>/", action_detail, name="action_detail"),
]
