"""What action transitions do to the action's roles, inside the transition's transaction."""

from backend.actions.models import Action, RoleAssignment, RoleState
from backend.core.baked import Baked
from workflows.services import effect, perform_locked_transitions, perform_transition


@effect(Action, "submit")
def invite_proposed_roles(action, *, actor, comment, source):
    """Opening the consultation invites every proposed role (locked in one query, in the
    order of their ids, and invited in one statement)."""
    roles = _locked(action, _PROPOSED)
    perform_locked_transitions(roles, "invite", actor=actor, automatic=actor is None)


@effect(Action, "revise")
def withdraw_open_invitations(action, *, actor, comment, source):
    """Back to draft: invitations still open are withdrawn (their links stop working)."""
    perform_locked_transitions(
        _locked(action, _OPEN_INVITATIONS), "withdraw_invitation", actor=actor
    )


def _roles_in(*states):
    """The roles of an action in these states, to lock in one query in the order of their ids
    (two transactions after the same roles queue instead of deadlocking), with their contact."""

    def query(action_id):
        roles = RoleAssignment.objects.filter(action_id=action_id, state__in=states)
        return roles.select_for_update(of=("self",)).select_related("contact").order_by("pk")

    return Baked(query)


_PROPOSED = _roles_in(RoleState.PROPOSED)
_OPEN_INVITATIONS = _roles_in(RoleState.INVITED, RoleState.CHANGES_REQUESTED)


def _locked(action, query: Baked) -> list:
    """The roles, locked, each with the action already read (its project too, for the
    permission checks)."""
    roles = query(action.pk)
    for role in roles:
        role.action = action
    return roles


def invite_role(role, *, actor):
    """Invite (or re-invite) a partner: a fresh personal link replaces any older one."""
    return perform_transition(role, "invite", actor=actor, automatic=actor is None)
