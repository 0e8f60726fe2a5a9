"""One service per transition of an action or of a partner's role.

Each runs the engine (``workflows.services``: lock, check, fire, save, log), then the steps of
its transition by name, in one transaction. Locks are taken in one order: the action's row,
then its roles in the order of their ids (``workflows.concurrency``).

``actor`` None means the system itself (an automatic transition).
"""

from django.db import transaction

from backend.actions.models import Action, RoleAssignment, RoleState
from backend.board.agenda import add_to_agenda, remove_from_agenda
from backend.core.limits import date_in_range, date_out_of_range_message
from backend.evaluations.models import Evaluation
from backend.evaluations.plans import plan_evaluation
from notifications.planning.notices import (
    cancel_action_notices,
    plan_action_withdrawn_notices,
    plan_approval_notices,
    plan_consultation_complete,
    plan_consultation_notices,
    plan_consultation_revised_notices,
    plan_decision_notices,
    plan_invitations,
    plan_report_request,
)
from workflows.errors import InvalidTransitionInput
from workflows.models import TransitionLog
from workflows.services import perform_locked_transitions, perform_transition, run_transition


def _fire(action, name, actor, comment, **params) -> Action:
    """The engine, inside the service's transaction."""
    return run_transition(
        action, name, actor=actor, comment=comment, params=params, automatic=actor is None
    )


# --- the consultation -----------------------------------------------------------------------


@transaction.atomic
def submit_action(action: Action, *, actor, comment: str = "") -> Action:
    """Open the partner consultation: every proposed role is invited, and told."""
    action = _fire(action, "submit", actor, comment)
    deadline = action.consultation_deadline
    if deadline is not None and not date_in_range(deadline):
        # stored before dates were bounded: its reminders could not even be computed
        raise InvalidTransitionInput(date_out_of_range_message(), field="consultation_deadline")
    invited = invite_roles(action, actor=actor)
    plan_consultation_notices(action, invited)
    return action


@transaction.atomic
def revise_action(action: Action, *, actor, comment: str = "") -> Action:
    """Back to draft: open invitations are withdrawn (their links stop working), what was
    planned for the action is cancelled, and the partners already asked are told why."""
    action = _fire(action, "revise", actor, comment)
    told = _locked_roles(action, RoleState.INVITED, RoleState.CHANGES_REQUESTED, RoleState.ACCEPTED)
    told = [role for role in told if role.contact_id]  # the states they had, before
    withdraw_invitations(action, actor=actor)
    revision = TransitionLog.objects.filter(action_id=action.pk, transition="revise").count()
    plan_consultation_revised_notices(action, told, revision=revision, comment=comment)
    return action


@transaction.atomic
def complete_consultation(action: Action, *, actor=None, comment: str = "") -> Action:
    """Every partner accepted: the action is ready for the board, its staff are told."""
    action = _fire(action, "complete_consultation", actor, comment)
    plan_consultation_complete(action)
    return action


def invite_roles(action: Action, *, actor) -> list[RoleAssignment]:
    """Every proposed role of the action, locked in one query and invited in one
    statement; returns them."""
    roles = _locked_roles(action, RoleState.PROPOSED)
    perform_locked_transitions(roles, "invite", actor=actor, automatic=actor is None)
    return roles


def withdraw_invitations(action: Action, *, actor) -> None:
    roles = _locked_roles(action, RoleState.INVITED, RoleState.CHANGES_REQUESTED)
    perform_locked_transitions(roles, "withdraw_invitation", actor=actor)


def _locked_roles(action: Action, *states) -> list[RoleAssignment]:
    """The action's roles in these states, locked in the order of their ids (two
    transactions after the same roles queue instead of deadlocking), each with its contact and
    the action already read."""
    roles = RoleAssignment.objects.filter(action_id=action.pk, state__in=states)
    roles = list(roles.select_for_update(of=("self",)).select_related("contact").order_by("pk"))
    for role in roles:
        role.action = action
    return roles


# --- the board --------------------------------------------------------------------------------


@transaction.atomic
def schedule_action(action: Action, *, actor, board_session, comment: str = "") -> Action:
    """On the agenda of a planned board session."""
    action = _fire(action, "schedule", actor, comment, board_session=board_session)
    add_to_agenda(action)
    return action


@transaction.atomic
def unschedule_action(action: Action, *, actor, comment: str = "") -> Action:
    """Off the agenda before the session: waits for another one."""
    action = _fire(action, "unschedule", actor, comment)
    remove_from_agenda(action)
    return action


@transaction.atomic
def approve_action(action: Action, *, actor, comment: str = "") -> Action:
    """The board approved: the evaluation is planned; staff, partners and reporters told."""
    action = _fire(action, "approve", actor, comment)
    evaluation = plan_evaluation(action)
    plan_approval_notices(action, evaluation)
    return action


@transaction.atomic
def reject_action(action: Action, *, actor, comment: str = "") -> Action:
    action = _fire(action, "reject", actor, comment)
    plan_decision_notices(action)
    return action


@transaction.atomic
def defer_action(action: Action, *, actor, comment: str = "") -> Action:
    action = _fire(action, "defer", actor, comment)
    plan_decision_notices(action)
    return action


# --- carrying out, evaluating, closing ------------------------------------------------------


def start_action(action: Action, *, actor, comment: str = "") -> Action:
    return perform_transition(action, "start", actor=actor, comment=comment)


@transaction.atomic
def evaluate_action(action: Action, *, actor, comment: str = "") -> Action:
    """The action is being evaluated (by hand, or its evaluation fell due): its pilot partner
    gets the plan and its personal link to report."""
    action = _fire(action, "evaluate", actor, comment)
    evaluation = (
        Evaluation.objects.filter(action_id=action.pk)
        .select_related("action", "reporting_role__contact")
        .first()
    )
    if evaluation is not None:
        plan_report_request(evaluation)
    return action


@transaction.atomic
def close_action(action: Action, *, actor, comment: str = "") -> Action:
    """Over and evaluated: whatever is still planned for it is cancelled."""
    action = _fire(action, "close", actor, comment)
    cancel_action_notices(action)
    return action


@transaction.atomic
def withdraw_action(action: Action, *, actor, comment: str = "") -> Action:
    """Abandoned (the comment says why): whatever is still planned for it is cancelled, and
    the partners already asked are told, with the reason."""
    action = _fire(action, "withdraw", actor, comment)
    plan_action_withdrawn_notices(action, comment)
    return action


ACTION_SERVICES = {
    "submit": submit_action,
    "revise": revise_action,
    "complete_consultation": complete_consultation,
    "schedule": schedule_action,
    "unschedule": unschedule_action,
    "approve": approve_action,
    "reject": reject_action,
    "defer": defer_action,
    "start": start_action,
    "evaluate": evaluate_action,
    "close": close_action,
    "withdraw": withdraw_action,
}


# --- a partner's role -------------------------------------------------------------------------


@transaction.atomic
def invite_role(role: RoleAssignment, *, actor, changes=None, answer=None) -> RoleAssignment:
    """Invite (or invite again, ``changes`` saying what was amended: {field: [before,
    after]}, after the partner's ``answer``: declined or changes_requested) a partner: a
    fresh personal link replaces any older one."""
    role = run_transition(role, "invite", actor=actor, automatic=actor is None)
    plan_invitations([role], changes, answer=answer)
    return role
