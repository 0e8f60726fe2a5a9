"""The rows of the exports: one per action (its roles, last board decision, evaluation), and
one per evaluation indicator.

Values keep their type (int, Decimal, date, str, None): each writer decides how to show them.
The number of queries does not depend on the number of actions: one for the actions (with
their territory, project, place and evaluation), one for their roles, one for their
decisions; one more for the indicators.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from backend.accounts import scoping
from backend.actions.models import Action, RoleAssignment, RoleKind, RoleState
from backend.board.models import BoardDecision, Convocation
from backend.evaluations.models import Indicator


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text, int, decimal, date


ACTION_COLUMNS = (
    Column("id", "N° action", "int"),
    Column("territory", "Territoire"),
    Column("year", "Année", "int"),
    Column("project", "Projet de territoire"),
    Column("axis", "Axe d'intervention"),
    Column("title", "Action"),
    Column("commune", "Commune"),
    Column("neighbourhood", "Quartier"),
    Column("state", "État"),
    Column("planned_start", "Début prévu", "date"),
    Column("planned_end", "Fin prévue", "date"),
    Column("budget", "Budget prévisionnel (€)", "decimal"),
    Column("roles_count", "Nombre de rôles", "int"),
    Column("roles", "Rôles des partenaires"),
    Column("decision", "Dernière décision du conseil"),
    Column("decision_reference", "N° de délibération"),
    Column("decision_date", "Date de la séance", "date"),
    Column("decision_conditions", "Conditions ou motif"),
    Column("evaluation_state", "Évaluation"),
    Column("evaluation_due", "Échéance de l'évaluation", "date"),
    Column("participants", "Participants", "int"),
)

INDICATOR_COLUMNS = (
    Column("action", "N° action", "int"),
    Column("territory", "Territoire"),
    Column("action_title", "Action"),
    Column("label", "Indicateur"),
    Column("baseline", "Valeur de départ", "decimal"),
    Column("target", "Cible", "decimal"),
    Column("unit", "Unité"),
    Column("result", "Résultat", "decimal"),
)

ATTENDANCE_COLUMNS = (
    Column("session_date", "Date de la séance", "date"),
    Column("session", "Séance"),
    Column("session_state", "État de la séance"),
    Column("member", "Administrateur"),
    Column("answer", "Réponse"),
    Column("proxy", "Pouvoir donné à"),
    Column("answered_at", "Répondu le", "date"),
    Column("actual", "Présence constatée"),
    Column("actual_proxy", "Pouvoir constaté"),
)

KIND_ORDER = {kind: index for index, kind in enumerate(RoleKind.values)}


@dataclass(frozen=True)
class Selection:
    """Which actions: the user's scope, narrowed by territory and year."""

    user: object
    territory: object = None  # a Territory
    year: int | None = None

    def actions(self):
        actions = scoping.actions_for(self.user)
        if self.territory is not None:
            actions = actions.filter(project__territory=self.territory)
        if self.year is not None:
            actions = actions.filter(project__year=self.year)
        return actions


def roles_summary(roles: Iterable[RoleAssignment]) -> str:
    """« Pilote : Org A (accepté) ; Financeur : Org B (invité), Org C (refusé) »."""
    by_kind: dict[str, list[str]] = {}
    for role in sorted(roles, key=lambda r: (KIND_ORDER.get(r.kind, 99), r.organisation.name)):
        by_kind.setdefault(role.get_kind_display().capitalize(), []).append(
            f"{role.organisation.name} ({role.get_state_display()})"
        )
    return " ; ".join(f"{kind} : {', '.join(names)}" for kind, names in by_kind.items())


def _actions(selection: Selection):
    roles = (
        RoleAssignment.objects.exclude(state=RoleState.WITHDRAWN)
        .select_related("organisation")
        .order_by("id")
    )
    decisions = BoardDecision.objects.select_related("session").order_by("recorded_at", "id")
    return (
        selection.actions()
        .select_related("project__territory", "axis", "commune", "neighbourhood", "evaluation")
        .prefetch_related(
            Prefetch("roles", queryset=roles), Prefetch("decisions", queryset=decisions)
        )
        .order_by("project__territory__name", "project__year", "id")
    )


def _evaluation(action: Action):
    try:
        return action.evaluation
    except Action.evaluation.RelatedObjectDoesNotExist:
        return None


def action_row(action: Action) -> dict:
    roles = list(action.roles.all())
    decisions = list(action.decisions.all())
    last = decisions[-1] if decisions else None
    evaluation = _evaluation(action)
    return {
        "id": action.pk,
        "territory": action.project.territory.name,
        "year": action.project.year,
        "project": action.project.title,
        "axis": action.axis.title if action.axis else None,
        "title": action.title,
        "commune": action.commune.name if action.commune else None,
        "neighbourhood": action.neighbourhood.name if action.neighbourhood else None,
        "state": action.get_state_display(),
        "planned_start": action.planned_start,
        "planned_end": action.planned_end,
        "budget": action.budget,
        "roles_count": len(roles),
        "roles": roles_summary(roles),
        "decision": last.get_outcome_display() if last else None,
        "decision_reference": last.reference if last else None,
        "decision_date": timezone.localdate(last.session.date) if last else None,
        "decision_conditions": last.conditions if last else None,
        "evaluation_state": evaluation.get_state_display() if evaluation else None,
        "evaluation_due": evaluation.due_date if evaluation else None,
        "participants": evaluation.participants if evaluation else None,
    }


def action_rows(selection: Selection) -> list[dict]:
    return [action_row(action) for action in _actions(selection)]


def indicator_rows(selection: Selection) -> list[dict]:
    indicators = (
        Indicator.objects.filter(evaluation__action__in=selection.actions().values("pk"))
        .select_related("evaluation__action__project__territory")
        .order_by(
            "evaluation__action__project__territory__name",
            "evaluation__action__project__year",
            "evaluation__action_id",
            "position",
            "id",
        )
    )
    return [
        {
            "action": indicator.evaluation.action_id,
            "territory": indicator.evaluation.action.project.territory.name,
            "action_title": indicator.evaluation.action.title,
            "label": indicator.label,
            "baseline": indicator.baseline,
            "target": indicator.target,
            "unit": indicator.unit,
            "result": indicator.result,
        }
        for indicator in indicators
    ]


def attendance_rows(selection: Selection) -> list[dict]:
    """One row per member convened to a session (of the selection's year, if any): the answer
    and the attendance confirmed at the session. Sessions concern every territory."""
    convocations = Convocation.objects.select_related(
        "session", "member", "proxy", "actual_proxy"
    ).order_by("session__date", "session_id", "member__last_name", "member__first_name", "id")
    if selection.year is not None:
        convocations = convocations.filter(session__date__year=selection.year)
    return [
        {
            "session_date": timezone.localdate(row.session.date),
            "session": row.session.title,
            "session_state": row.session.get_state_display(),
            "member": row.member.full_name,
            "answer": row.get_attendance_display(),
            "proxy": row.proxy.full_name if row.proxy else None,
            "answered_at": timezone.localdate(row.answered_at) if row.answered_at else None,
            "actual": row.get_actual_display() if row.actual else None,
            "actual_proxy": row.actual_proxy.full_name if row.actual_proxy else None,
        }
        for row in convocations
    ]
