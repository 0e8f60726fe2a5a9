"""Placeholder pages, to be replaced by the real ones."""

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from backend.web.access import staff_required


@staff_required
def help(request, **kwargs):
    return render(request, "web/stub.html", {"title": _("Aide")})


urlpatterns = [
    path("aide/", help, name="help"),
]
