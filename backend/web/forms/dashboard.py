"""The dashboard's filters, read from the query string and kept in the URL: only values from
the caller's territories count; an unknown or foreign one is ignored (and the page says so)."""

from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from backend.accounts import scoping
from backend.actions.filters import ActionFilter
from backend.actions.models import ActionState
from backend.territories.models import Territory
from backend.web.forms.filters import id_or_none

S = ActionState


# --- filters --------------------------------------------------------------------------------


@dataclass
class Options:
    """The filter choices, only from the caller's territories (four small queries)."""

    territories: list
    projects: list
    axes: list
    communes: list

    @classmethod
    def load(cls, user):
        territories = Territory.objects.all()
        if not user.sees_all_territories:
            territories = territories.filter(pk__in=user.territory_ids())
        return cls(
            territories=list(territories),
            projects=list(scoping.projects_for(user).select_related("territory")),
            axes=list(
                scoping.axes_for(user)
                .select_related("project__territory")
                .order_by("-project__year", "project__territory__name", "position", "id")
            ),
            communes=list(scoping.communes_for(user).select_related("territory")),
        )

    def grouped_axes(self):
        return _grouped(self.axes, lambda axis: str(axis.project))

    def grouped_communes(self):
        return _grouped(
            sorted(self.communes, key=lambda c: (c.territory.name, c.name)),
            lambda commune: commune.territory.name,
        )


def _grouped(items, key):
    groups: list[tuple[str, list]] = []
    for item in items:
        name = key(item)
        if not groups or groups[-1][0] != name:
            groups.append((name, []))
        groups[-1][1].append(item)
    return groups


@dataclass
class Filters:
    """The filters read from the query string; an unknown or foreign value is ignored."""

    territory: Territory | None = None
    project: int | None = None
    axis: int | None = None
    commune: int | None = None
    state: str = ""
    mine: bool = False
    overdue: bool = False
    ignored: list = field(default_factory=list)

    @classmethod
    def read(cls, query: QueryDict, options: Options):
        filters = cls()
        slug = query.get("territory", "")
        if slug:
            filters.territory = next((t for t in options.territories if t.slug == slug), None)
            if filters.territory is None:
                filters.ignored.append(_("territoire"))
        for name, label, items in (
            ("project", _("projet"), options.projects),
            ("axis", _("axe"), options.axes),
            ("commune", _("commune"), options.communes),
        ):
            raw = query.get(name, "")
            if not raw:
                continue
            known = {item.pk for item in items}
            value = id_or_none(raw)
            if value in known:
                setattr(filters, name, value)
            else:
                filters.ignored.append(label)
        state = query.get("state", "")
        if state in S.values:
            filters.state = state
        elif state:
            filters.ignored.append(_("état"))
        filters.mine = query.get("mine") in ("1", "on", "true")
        filters.overdue = query.get("overdue") in ("1", "on", "true")
        return filters

    @property
    def active(self) -> bool:
        return bool(
            self.territory
            or self.project
            or self.axis
            or self.commune
            or self.state
            or self.mine
            or self.overdue
        )

    def apply(self, actions, user, today):
        """The API's filters (``ActionFilter``) with these values; « mine » is the page's own."""
        data = {
            "territory": self.territory.slug if self.territory else "",
            "project": self.project or "",
            "axis": self.axis or "",
            "commune": self.commune or "",
            "state": [self.state] if self.state else [],
            "overdue": "true" if self.overdue else "",
        }
        actions = ActionFilter(data, queryset=actions).qs
        if self.mine:
            actions = actions.filter(social_worker=user)
        return actions

    def query(self, view: str = "", **changes) -> str:
        """The query string of these filters (some changed), the view first."""
        params = {
            "view": view,
            "territory": self.territory.slug if self.territory else "",
            "project": self.project or "",
            "axis": self.axis or "",
            "commune": self.commune or "",
            "state": self.state,
            "mine": "1" if self.mine else "",
            "overdue": "1" if self.overdue else "",
        }
        params.update(changes)
        query = QueryDict(mutable=True)
        for key, value in params.items():
            if value not in ("", None):
                query[key] = value
        return query.urlencode()
