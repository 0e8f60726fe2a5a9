"""What action transitions do to the action's roles, inside the transition's transaction."""

from backend.actions.models import Action, RoleState
from workflows.services import effect, perform_transition


@effect(Action, "submit")
def invite_proposed_roles(action, *, actor, comment, source):
    """Opening the consultation invites every proposed role."""
    for role in action.roles.filter(state=RoleState.PROPOSED):
        invite_role(role, actor=actor)


@effect(Action, "revise")
def withdraw_open_invitations(action, *, actor, comment, source):
    """Back to draft: invitations still open are withdrawn (their links stop working)."""
    for role in action.roles.filter(state__in=[RoleState.INVITED, RoleState.CHANGES_REQUESTED]):
        perform_transition(role, "withdraw_invitation", actor=actor)


def invite_role(role, *, actor):
    """Invite (or re-invite) a partner: a fresh personal link replaces any older one."""
    return perform_transition(role, "invite", actor=actor, automatic=actor is None)
