"""What the figures are computed over: the caller's territories (all for directors and
administrators), narrowed by a territory, a project year, a project or an axis."""

from dataclasses import dataclass
from functools import cached_property

from backend.accounts import scoping
from backend.actions.models import Action


@dataclass(frozen=True)
class Scope:
    user: object
    territory: object = None  # a Territory the user works in
    year: int | None = None
    project: object = None  # a TerritoryProject the user may see
    axis: object = None  # an Axis the user may see

    @cached_property
    def project_ids(self) -> list[int] | None:
        """The projects whose actions are counted (one query), or None: every project (a
        director without a filter on territory, year or project). The territories and the
        year come down to a few projects: the database then filters the actions on their
        own column (its statistics know how many each project has; through the projects'
        territory they do not, and it would choose an index probe per action)."""
        narrowed = any(value is not None for value in (self.territory, self.year, self.project))
        if self.user.sees_all_territories and not narrowed:
            return None
        projects = scoping.projects_for(self.user)
        if self.territory is not None:
            projects = projects.filter(territory=self.territory)
        if self.year is not None:
            projects = projects.filter(year=self.year)
        if self.project is not None:
            projects = projects.filter(pk=self.project.pk)
        return list(projects.values_list("pk", flat=True))

    @property
    def restricted(self) -> bool:
        """Whether some actions are left out (else every action counts: no filter)."""
        return self.project_ids is not None or self.axis is not None

    def actions(self):
        """The actions counted (a queryset, for the ORM's queries)."""
        if self.project_ids is None:
            actions = scoping.actions_for(self.user)
        else:  # the projects are the user's already
            actions = Action.objects.filter(project_id__in=self.project_ids)
        if self.axis is not None:
            actions = actions.filter(axis=self.axis)
        return actions

    def sql(self, action: str = "a") -> tuple[str, list]:
        """The same selection as a SQL condition on ``actions_action {action}``, with its
        parameters (for the queries the ORM cannot write: an aggregate over an aggregate, a
        join on a generic key)."""
        conditions, params = ["TRUE"], []
        if self.project_ids is not None:
            ids = self.project_ids or [0]
            conditions.append(f"{action}.project_id IN ({', '.join(['%s'] * len(ids))})")
            params += ids
        if self.axis is not None:
            conditions.append(f"{action}.axis_id = %s")
            params.append(getattr(self.axis, "pk", self.axis))
        return " AND ".join(conditions), params
