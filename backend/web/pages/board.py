"""Placeholder pages, to be replaced by the real ones."""

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from backend.web.access import staff_required


@staff_required
def board_list(request, **kwargs):
    return render(request, "web/stub.html", {"title": _("Conseil d'administration")})


@staff_required
def board_detail(request, **kwargs):
    return render(request, "web/stub.html", {"title": _("Séance du conseil")})


urlpatterns = [
    path("conseil/", board_list, name="board_list"),
    path("conseil/<int:pk>/", board_detail, name="board_detail"),
]
