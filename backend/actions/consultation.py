"""Partners answering their roles, and what the answers do to the action.

All answers to one action are serialised on the action's row: when the last open role is
accepted, exactly one answer sees it and moves the action to ready_for_board (an automatic
transition in the log), even when partners answer at the same moment. Staff changing the
roles lock the same row first, so an answer and a withdrawal of its role queue: the partner
learns either that its answer counted (200) or that it did not (409, saying why).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.actions.links import role_for_token
from backend.actions.models import Action, ActionState, RoleAssignment, RoleState
from backend.actions.transitions import complete_consultation
from backend.core.moments import day
from notifications.planning.notices import plan_answer_notices
from workflows.concurrency import retried_once
from workflows.errors import InvalidTransitionInput, TransitionConflict
from workflows.services import perform_transition

DECISIONS = ("accept", "decline", "request_changes")
ANSWERED = (RoleState.ACCEPTED, RoleState.DECLINED, RoleState.CHANGES_REQUESTED)
ANSWER_NOT_SAVED = _("Votre réponse n'a pas pu être enregistrée, réessayez.")
ROLE_WITHDRAWN = _("Ce rôle a été retiré : votre réponse n'a pas été prise en compte.")


def responder_label(role: RoleAssignment, responder) -> str:
    name = responder.full_name if hasattr(responder, "full_name") else str(responder)
    return f"{name} ({role.organisation.name})"


@retried_once(ANSWER_NOT_SAVED)
@transaction.atomic
def answer_role(role_id: int, *, decision: str, responder, comment: str = "") -> RoleAssignment:
    """``responder``: the role's Contact (proven by a personal link) or a User linked to it."""
    if decision not in DECISIONS:
        raise InvalidTransitionInput(
            _("Réponse inconnue : choisissez accept, decline ou request_changes."),
            field="decision",
        )
    action_id = RoleAssignment.objects.values_list("action_id", flat=True).get(pk=role_id)
    action = Action.objects.select_for_update().get(pk=action_id)
    role = RoleAssignment.objects.select_related("organisation", "contact").get(pk=role_id)
    if role.state == RoleState.WITHDRAWN:
        raise TransitionConflict(ROLE_WITHDRAWN)
    if role.state in ANSWERED:
        raise TransitionConflict(
            _("Ce rôle a déjà reçu une réponse (%(state)s) le %(date)s.")
            % {
                "state": role.get_state_display(),
                "date": day(role.responded_at) or "?",
            }
        )
    if action.state != ActionState.CONSULTATION:
        raise TransitionConflict(_("La consultation de cette action est terminée."))
    comment = (comment or "").strip()
    if decision != "accept" and not comment:
        raise InvalidTransitionInput(
            _("Dites en quelques mots ce qui ne vous convient pas."), field="comment"
        )
    role = perform_transition(
        role,
        decision,
        actor=responder,
        comment=comment,
        actor_display=responder_label(role, responder),
    )
    role.responded_at = timezone.now()
    role.response_comment = comment
    role.save(update_fields=["responded_at", "response_comment", "updated_at"])
    plan_answer_notices(role)
    if decision == "accept" and not action.open_roles().exclude(state=RoleState.ACCEPTED).exists():
        complete_consultation(
            action, actor=None, comment=str(_("Tous les partenaires ont accepté leur rôle."))
        )
    return role


def answer_by_link(token: str, *, decision: str, comment: str = "") -> RoleAssignment:
    """Raises backend.actions.links.LinkError when the link does not work (any more)."""
    role = role_for_token(token)
    return answer_role(role.pk, decision=decision, comment=comment, responder=role.contact)
