"""What the figures are computed over: the caller's territories (all for directors and
administrators), narrowed by a territory, a project year, a project or an axis."""

from dataclasses import dataclass

from backend.accounts import scoping


@dataclass(frozen=True)
class Scope:
    user: object
    territory: object = None  # a Territory the user works in
    year: int | None = None
    project: object = None  # a TerritoryProject the user may see
    axis: object = None  # an Axis the user may see

    def actions(self):
        """The actions counted (a queryset, for the ORM's queries)."""
        actions = scoping.actions_for(self.user)
        if self.territory is not None:
            actions = actions.filter(project__territory=self.territory)
        if self.year is not None:
            actions = actions.filter(project__year=self.year)
        if self.project is not None:
            actions = actions.filter(project=self.project)
        if self.axis is not None:
            actions = actions.filter(axis=self.axis)
        return actions

    def sql(self, action: str = "a", project: str = "p") -> tuple[str, list]:
        """The same selection as a SQL condition on ``actions_action {action}`` joined to
        ``territories_territoryproject {project}``, with its parameters (for the queries the
        ORM cannot write: an aggregate over a window function)."""
        conditions, params = ["TRUE"], []
        if not self.user.sees_all_territories:
            ids = sorted(self.user.territory_ids()) or [0]
            conditions.append(f"{project}.territory_id IN ({', '.join(['%s'] * len(ids))})")
            params += ids
        for column, value in (
            (f"{project}.territory_id", self.territory),
            (f"{project}.year", self.year),
            (f"{action}.project_id", self.project),
            (f"{action}.axis_id", self.axis),
        ):
            if value is not None:
                conditions.append(f"{column} = %s")
                params.append(getattr(value, "pk", value))
        return " AND ".join(conditions), params
