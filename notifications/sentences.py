"""What a notification says in the pages and the API: who did what, on what
(« Ville de Saint-Chamond a accepté son rôle de pilote sur « … » »), not only its kind.

``describe(rows)`` reads what the sentences need for a page of rows at once: the roles the
answers are about (with their organisations), the decisions, the subjects of the other kinds
(sessions, evaluations): at most three queries, whatever the number of rows.
"""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.actions.models import RoleAssignment, RoleKind
from backend.board.models import BoardDecision, BoardSession, Outcome
from backend.core.moments import day
from backend.evaluations.models import Evaluation
from notifications.models import Kind, Notification

ANSWERS = {
    "accepted": gettext_lazy("%(organisation)s a accepté son rôle de %(role)s sur « %(action)s »"),
    "declined": gettext_lazy("%(organisation)s a refusé son rôle de %(role)s sur « %(action)s »"),
    "changes_requested": gettext_lazy(
        "%(organisation)s demande des modifications de son rôle de %(role)s sur « %(action)s »"
    ),
}
DECISIONS = {
    Outcome.APPROVED: gettext_lazy("Le conseil d'administration a approuvé « %(action)s »"),
    Outcome.APPROVED_WITH_CONDITIONS: gettext_lazy(
        "Le conseil d'administration a approuvé sous conditions « %(action)s »"
    ),
    Outcome.REJECTED: gettext_lazy("Le conseil d'administration a rejeté « %(action)s »"),
    Outcome.DEFERRED: gettext_lazy("Le conseil d'administration a ajourné « %(action)s »"),
}


def describe(rows: list[Notification]) -> dict[int, str]:
    """{row id: its sentence}, in the active language (rows with their action joined)."""
    role_type = ContentType.objects.get_for_model(RoleAssignment).pk
    role_ids = {r.subject_id for r in rows if r.subject_type_id == role_type}
    roles = RoleAssignment.objects.select_related("organisation").in_bulk(role_ids)
    decided = {r.action_id for r in rows if r.kind == Kind.BOARD_DECISION and r.action_id}
    decisions: dict[int, list] = {pk: [] for pk in decided}
    for decision in BoardDecision.objects.filter(action_id__in=decided).order_by("id"):
        decisions[decision.action_id].append(decision)
    subjects = _subjects(rows)
    return {row.pk: _sentence(row, roles, decisions, subjects) for row in rows}


def _subjects(rows) -> dict:
    """The sessions and evaluations some rows are about: one query each (if any)."""
    found = {}
    for model in (BoardSession, Evaluation):
        type_id = ContentType.objects.get_for_model(model).pk
        ids = {r.subject_id for r in rows if r.subject_type_id == type_id}
        if ids:
            for pk, subject in model.objects.in_bulk(ids).items():
                found[(type_id, pk)] = subject
    return found


def _sentence(row: Notification, roles, decisions, subjects) -> str:
    action = row.action.title if row.action_id else ""
    subject = subjects.get((row.subject_type_id, row.subject_id))
    if row.kind == Kind.ANSWER_RECEIVED and row.subject_id in roles and row.answer in ANSWERS:
        role = roles[row.subject_id]
        kind = RoleKind(role.kind).label if role.kind in RoleKind.values else role.kind
        return str(ANSWERS[row.answer]) % {
            "organisation": role.organisation.name,
            "role": kind,
            "action": action,
        }
    if row.kind == Kind.BOARD_DECISION and decisions.get(row.action_id):
        listed = decisions[row.action_id]
        decision = listed[min(max(row.decision_number, 1), len(listed)) - 1]
        sentence = str(DECISIONS[decision.outcome]) % {"action": action}
        return _("%(sentence)s (délibération %(reference)s)") % {
            "sentence": sentence,
            "reference": decision.reference,
        }
    if row.kind == Kind.ESCALATION and action:
        return _(
            "La date limite de consultation du %(date)s est dépassée sur « %(action)s » : "
            "des partenaires attendent une relance ou une décision"
        ) % {"date": day(row.date or row.action.consultation_deadline), "action": action}
    if row.kind == Kind.CONSULTATION_COMPLETE and action:
        return _(
            "Tous les partenaires ont accepté leur rôle sur « %(action)s » : "
            "la consultation est terminée"
        ) % {"action": action}
    if row.kind == Kind.AGENDA_PUBLISHED and isinstance(subject, BoardSession):
        return _("L'ordre du jour de la séance « %(session)s » du %(date)s est publié") % {
            "session": subject.title,
            "date": day(timezone.localdate(subject.date)),
        }
    if row.kind in (Kind.EVALUATION_DUE, Kind.EVALUATION_OVERDUE) and action:
        due = subject.due_date if isinstance(subject, Evaluation) else row.date
        if row.kind == Kind.EVALUATION_OVERDUE:
            return _("L'évaluation de « %(action)s », attendue le %(date)s, est en retard") % {
                "action": action,
                "date": day(due),
            }
        return _("L'évaluation de « %(action)s » est attendue le %(date)s") % {
            "action": action,
            "date": day(due),
        }
    if row.kind == Kind.DIGEST:
        return _("Récapitulatif du %(date)s") % {"date": day(row.date)}
    label = capfirst(str(Kind(row.kind).label)) if row.kind in Kind.values else row.kind
    return f"{label} : « {action} »" if action else label
