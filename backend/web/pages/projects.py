"""Placeholder pages, to be replaced by the real ones."""

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from backend.web.access import staff_required


@staff_required
def project_list(request, **kwargs):
    return render(request, "web/stub.html", {"title": _("Projets de territoire")})


@staff_required
def project_detail(request, **kwargs):
    return render(request, "web/stub.html", {"title": _("Projet de territoire")})


urlpatterns = [
    path("projets/", project_list, name="project_list"),
    path("projets/<int:pk>/", project_detail, name="project_detail"),
]
