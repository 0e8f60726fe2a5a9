"""What action transitions do to the action's roles, inside the transition's transaction."""

from backend.actions.models import Action, RoleState
from workflows.services import effect, perform_locked_transitions, perform_transition


@effect(Action, "submit")
def invite_proposed_roles(action, *, actor, comment, source):
    """Opening the consultation invites every proposed role (locked in one query, in the
    order of their ids, and invited in one statement)."""
    roles = list(
        action.roles.filter(state=RoleState.PROPOSED)
        .select_for_update(of=("self",))
        .select_related("contact")
        .order_by("pk")
    )
    for role in roles:
        role.action = action  # its project is read already
    perform_locked_transitions(roles, "invite", actor=actor, automatic=actor is None)


@effect(Action, "revise")
def withdraw_open_invitations(action, *, actor, comment, source):
    """Back to draft: invitations still open are withdrawn (their links stop working)."""
    for role in action.roles.filter(state__in=[RoleState.INVITED, RoleState.CHANGES_REQUESTED]):
        perform_transition(role, "withdraw_invitation", actor=actor)


def invite_role(role, *, actor):
    """Invite (or re-invite) a partner: a fresh personal link replaces any older one."""
    return perform_transition(role, "invite", actor=actor, automatic=actor is None)
