"""Placeholder pages, to be replaced by the real ones."""

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from backend.web.access import staff_required


@staff_required
def evaluation_detail(request, **kwargs):
    return render(request, "web/stub.html", {"title": _("Évaluation")})


urlpatterns = [
    path("evaluations/<int:pk>/", evaluation_detail, name="evaluation_detail"),
]
