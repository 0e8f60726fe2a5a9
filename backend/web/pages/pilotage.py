"""The pages « Pilotage »: where the actions of the person's territories wait, in four
sections, each a page of its own that computes its own figures only: the delays per step
(``/pilotage/``: time in each state, the actions waiting longer than usual), the partners'
answers per organisation (``/pilotage/partenaires/``) and per category of contact
(``/pilotage/categories/``), and the board (``/pilotage/conseil/``: its delays and
deferrals). Each table has its chart (SVG drawn by pygal, see ``backend.web.charts``) and its
CSV. A navigation between the sections keeps the filters.

Every staff member sees it for their own territories, as everywhere (directors and
administrators: all of them). The filters (territory, year, axis) are kept in the address; a
value the person cannot see is ignored, and the page says so (as on the dashboard).
"""

from dataclasses import dataclass, field

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from backend.accounts import scoping
from backend.analytics.scope import Scope
from backend.exports import writers
from backend.territories.models import Territory
from backend.web.access import staff_required
from backend.web.forms.filters import id_or_none
from backend.web.selectors.pilotage import SECTIONS, TABLES, one_table, section_tables


@dataclass
class Choices:
    """What the person may filter on: their territories, the years of their projects, the
    axes of their projects (three queries)."""

    territories: list
    years: list
    axes: list

    @classmethod
    def load(cls, user):
        territories = Territory.objects.order_by("name")
        if not user.sees_all_territories:
            territories = territories.filter(pk__in=user.territory_ids())
        projects = scoping.projects_for(user)
        years = sorted(set(projects.values_list("year", flat=True)), reverse=True)
        axes = (
            scoping.axes_for(user)
            .select_related("project__territory")
            .order_by("-project__year", "project__territory__name", "position", "id")
        )
        return cls(list(territories), years, list(axes))


@dataclass
class Filters:
    territory: object = None
    year: int | None = None
    axis: object = None
    ignored: list = field(default_factory=list)

    @classmethod
    def read(cls, query, choices: Choices):
        filters = cls()
        slug = query.get("territory", "")
        if slug:
            filters.territory = next((t for t in choices.territories if t.slug == slug), None)
            if filters.territory is None:
                filters.ignored.append(_("territoire"))
        year = id_or_none(query.get("year", ""))
        if year in choices.years:
            filters.year = year
        elif query.get("year"):
            filters.ignored.append(_("année"))
        axis = id_or_none(query.get("axis", ""))
        filters.axis = next((a for a in choices.axes if a.pk == axis), None)
        if filters.axis is None and query.get("axis"):
            filters.ignored.append(_("axe"))
        return filters

    def scope(self, user) -> Scope:
        return Scope(user=user, territory=self.territory, year=self.year, axis=self.axis)

    def query(self) -> str:
        params = {
            "territory": self.territory.slug if self.territory else "",
            "year": self.year or "",
            "axis": self.axis.pk if self.axis else "",
        }
        return urlencode({key: value for key, value in params.items() if value})

    @property
    def active(self) -> bool:
        return bool(self.territory or self.year or self.axis)


@staff_required
def pilotage(request, section: str):
    current = next(candidate for candidate in SECTIONS if candidate.slug == section)
    choices = Choices.load(request.user)
    filters = Filters.read(request.GET, choices)
    shown, deferrals = section_tables(filters.scope(request.user), current)
    query = filters.query()
    suffix = f"?{query}" if query else ""
    return render(
        request,
        "web/pilotage/page.html",
        {
            "title": f"{current.title} - {_('Pilotage')}",
            "nav": "pilotage",
            "section": current,
            "sections": [
                {"title": s.title, "url": reverse(s.url_name) + suffix, "current": s is current}
                for s in SECTIONS
            ],
            "section_url": reverse(current.url_name),
            "choices": choices,
            "filters": filters,
            "query": query,
            "tables": shown,
            "deferrals": deferrals,
            "deferral_percent": round(100 * ((deferrals or {}).get("deferral_rate") or 0)),
        },
    )


@staff_required
def table_csv(request, slug: str):
    if slug not in TABLES:
        raise Http404
    filters = Filters.read(request.GET, Choices.load(request.user))
    table = one_table(filters.scope(request.user), slug)
    parts = ["pilotage", slug]
    if filters.territory is not None:
        parts.append(filters.territory.slug)
    if filters.year is not None:
        parts.append(str(filters.year))
    response = HttpResponse(
        writers.write_csv(table.columns, table.rows), content_type=writers.CONTENT_TYPES["csv"]
    )
    response["Content-Disposition"] = f'attachment; filename="{"-".join(parts)}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("pilotage/", pilotage, {"section": "etats"}, name="pilotage"),
    path("pilotage/partenaires/", pilotage, {"section": "partenaires"}, name="pilotage_partners"),
    path("pilotage/categories/", pilotage, {"section": "categories"}, name="pilotage_categories"),
    path("pilotage/conseil/", pilotage, {"section": "conseil"}, name="pilotage_board"),
    path("pilotage/<slug:slug>.csv", table_csv, name="pilotage_csv"),
]
