"""The state machine of a partner's role on an action, declared.

proposed -> invited (the consultation opens) -> accepted | declined | changes_requested;
changes_requested or declined -> invited again once staff amended the role during the
consultation; any open role -> withdrawn.
"""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from backend.accounts.models import StaffRole
from backend.accounts.permissions import ContactPermission, StaffPermission
from workflows.engine import Guard

SW, TM = StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER


class RoleState(models.TextChoices):
    PROPOSED = "proposed", _("proposé")
    INVITED = "invited", _("invité")
    ACCEPTED = "accepted", _("accepté")
    DECLINED = "declined", _("refusé")
    CHANGES_REQUESTED = "changes_requested", _("modifications demandées")
    WITHDRAWN = "withdrawn", _("retiré")


R = RoleState


def new_nonce() -> str:
    """The random half of a personal link (see backend.actions.links)."""
    return secrets.token_urlsafe(24)


OPEN_ROLE_STATES = (R.PROPOSED, R.INVITED, R.ACCEPTED, R.DECLINED, R.CHANGES_REQUESTED)

# Roles are added, edited, withdrawn or deleted only while the action is being written or
# discussed with its partners: from then on the board decides on the roles as they are.
ROLES_CHANGE_IN = ("draft", "consultation")


def roles_may_change(action) -> bool:
    return action.state in ROLES_CHANGE_IN


def roles_frozen_reason(action) -> str:
    return str(
        _(
            "Les rôles ne changent plus : l'action est « %(state)s ». Ils s'ajoutent, se "
            "modifient ou se retirent seulement en brouillon ou pendant la consultation ; "
            "pour les revoir, il faut réviser l'action."
        )
        % {"state": action.get_state_display()}
    )


action_open_for_roles = Guard(
    lambda role: roles_may_change(role.action), lambda role: roles_frozen_reason(role.action)
)


class RoleWorkflow(FSMModelMixin, models.Model):
    state = FSMField(
        _("état"), default=R.PROPOSED, choices=RoleState.choices, protected=True, db_index=True
    )

    class Meta:
        abstract = True

    @transition(
        field=state,
        source=[R.PROPOSED, R.CHANGES_REQUESTED, R.DECLINED],
        target=R.INVITED,
        permission=StaffPermission(SW, TM, automatic=True),
        custom={"label": _("inviter"), "done": _("invité")},
    )
    def invite(self):
        """The partner is asked to agree to its role (again, once amended after its request or
        its refusal), with a fresh personal link."""
        self.invited_at = timezone.now()
        self.responded_at = None
        self.link_nonce = new_nonce()

    @transition(
        field=state,
        source=R.INVITED,
        target=R.ACCEPTED,
        permission=ContactPermission(),
        custom={"label": _("accepter"), "done": _("a accepté")},
    )
    def accept(self):
        """The partner agrees to its role."""

    @transition(
        field=state,
        source=R.INVITED,
        target=R.DECLINED,
        permission=ContactPermission(),
        custom={"label": _("refuser"), "done": _("a refusé")},
    )
    def decline(self):
        """The partner declines its role."""

    @transition(
        field=state,
        source=R.INVITED,
        target=R.CHANGES_REQUESTED,
        permission=ContactPermission(),
        custom={"label": _("demander des modifications"), "done": _("demande des modifications")},
    )
    def request_changes(self):
        """The partner asks for its role to be amended."""

    @transition(
        field=state,
        source=[R.INVITED, R.CHANGES_REQUESTED],
        target=R.PROPOSED,
        permission=StaffPermission(SW, TM, automatic=True),
        custom={"label": _("annuler l'invitation"), "done": _("invitation retirée")},
    )
    def withdraw_invitation(self):
        """The action went back to draft: the open invitation (and its link) is withdrawn."""
        self.link_nonce = ""

    @transition(
        field=state,
        source=list(OPEN_ROLE_STATES),
        target=R.WITHDRAWN,
        conditions=[action_open_for_roles],
        permission=StaffPermission(SW, TM, automatic=True),
        custom={"label": _("retirer le rôle"), "done": _("retiré")},
    )
    def withdraw(self):
        """The role is taken off the action (its link stops working)."""
        self.link_nonce = ""
