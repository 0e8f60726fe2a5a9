"""What action transitions do to the action's roles, inside the transition's transaction."""

from backend.actions.models import Action, RoleState
from workflows.services import effect, perform_locked_transitions, perform_transition


@effect(Action, "submit")
def invite_proposed_roles(action, *, actor, comment, source):
    """Opening the consultation invites every proposed role (locked in one query, in the
    order of their ids, and invited in one statement)."""
    roles = _locked(action, [RoleState.PROPOSED])
    perform_locked_transitions(roles, "invite", actor=actor, automatic=actor is None)


@effect(Action, "revise")
def withdraw_open_invitations(action, *, actor, comment, source):
    """Back to draft: invitations still open are withdrawn (their links stop working)."""
    open_invitations = [RoleState.INVITED, RoleState.CHANGES_REQUESTED]
    perform_locked_transitions(
        _locked(action, open_invitations), "withdraw_invitation", actor=actor
    )


def _locked(action, states) -> list:
    """The action's roles in these states, locked in one query in the order of their ids (two
    transactions after the same roles queue instead of deadlocking), each with the action
    already read (its project too, for the permission checks)."""
    roles = list(
        action.roles.filter(state__in=states)
        .select_for_update(of=("self",))
        .select_related("contact")
        .order_by("pk")
    )
    for role in roles:
        role.action = action
    return roles


def invite_role(role, *, actor):
    """Invite (or re-invite) a partner: a fresh personal link replaces any older one."""
    return perform_transition(role, "invite", actor=actor, automatic=actor is None)
