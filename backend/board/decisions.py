"""Recording the board's decisions: several at once, all or nothing.

Each decision runs the service of its action's transition (approve, reject, defer) or fires
its project's (approve, return_to_draft), is logged by the engine, and is kept with its
deliberation reference (unique per year).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.actions.transitions import approve_action, defer_action, reject_action
from backend.board.models import BoardDecision, BoardSession, BoardSessionState, Outcome
from workflows.errors import TransitionConflict
from workflows.services import perform_transition

ACTION_SERVICES = {
    Outcome.APPROVED: approve_action,
    Outcome.APPROVED_WITH_CONDITIONS: approve_action,
    Outcome.REJECTED: reject_action,
    Outcome.DEFERRED: defer_action,
}
PROJECT_TRANSITIONS = {
    Outcome.APPROVED: "approve",
    Outcome.APPROVED_WITH_CONDITIONS: "approve",
    Outcome.REJECTED: "return_to_draft",
    Outcome.DEFERRED: "return_to_draft",
}


@dataclass
class DecisionInput:
    outcome: str
    reference: str
    action: object = None
    project: object = None
    conditions: str = ""


def validate_decisions(session: BoardSession, items: list[DecisionInput]) -> dict[int, dict]:
    """What is wrong with each decision (by its index: field -> message), before any is
    recorded: a point not on the agenda or decided twice, a deliberation reference already
    used this year, conditions or a reason missing. Empty when all is well. A blank reference
    is the edges' to refuse (a required field of the API and of the page's form)."""
    year = timezone.localtime(session.date).year
    errors: dict[int, dict] = {}
    on_agenda = {(item.action_id, item.project_id) for item in session.agenda_items.all()}
    seen_references, seen_subjects = set(), set()
    for index, item in enumerate(items):
        problems = {}
        subject = (getattr(item.action, "pk", None), getattr(item.project, "pk", None))
        if subject not in on_agenda:
            problems["action" if item.action else "project"] = _(
                "Ce point n'est pas à l'ordre du jour de la séance."
            )
        if subject in seen_subjects:
            problems["action"] = _("Une seule décision par point de l'ordre du jour.")
        seen_subjects.add(subject)
        reference = item.reference.strip()
        if reference and reference in seen_references:
            problems["reference"] = _(
                "Ce numéro de délibération est donné à un autre point de cette saisie."
            )
        elif reference and BoardDecision.objects.filter(year=year, reference=reference).exists():
            problems["reference"] = _("Ce numéro de délibération est déjà utilisé en %(year)d.") % {
                "year": year
            }
        seen_references.add(reference)
        needs_text = item.outcome in (Outcome.APPROVED_WITH_CONDITIONS, Outcome.REJECTED)
        if needs_text and not item.conditions.strip():
            problems["conditions"] = (
                _("Indiquez les conditions de l'approbation.")
                if item.outcome == Outcome.APPROVED_WITH_CONDITIONS
                else _("Indiquez le motif du rejet.")
            )
        if problems:
            errors[index] = problems
    return errors


def _check(session: BoardSession, items: list[DecisionInput]) -> None:
    errors = validate_decisions(session, items)
    if errors:
        if len(items) == 1:
            raise ValidationError(errors[0])
        raise ValidationError(
            {
                f"decisions[{index}].{field}": message
                for index, problems in errors.items()
                for field, message in problems.items()
            }
        )


@transaction.atomic
def record_decisions(session: BoardSession, items: list[DecisionInput], *, user):
    session = BoardSession.objects.select_for_update().get(pk=session.pk)
    if session.state != BoardSessionState.HELD:
        raise TransitionConflict(
            _("Les décisions s'enregistrent sur une séance tenue (état actuel : %(state)s).")
            % {"state": session.get_state_display()}
        )
    _check(session, items)
    year = timezone.localtime(session.date).year
    decisions = []
    for item in items:
        comment = f"{item.reference} : {Outcome(item.outcome).label}"
        if item.conditions:
            comment += f" - {item.conditions}"
        if item.action is not None:
            ACTION_SERVICES[item.outcome](item.action, actor=user, comment=comment)
        else:
            perform_transition(
                item.project, PROJECT_TRANSITIONS[item.outcome], actor=user, comment=comment
            )
        decisions.append(
            BoardDecision.objects.create(
                session=session,
                action=item.action,
                project=item.project,
                outcome=item.outcome,
                conditions=item.conditions.strip(),
                reference=item.reference.strip(),
                year=year,
                recorded_by=user,
            )
        )
    return decisions
