"""Who may hold a partner's personal link, and the trace each use leaves.

The link lets whoever holds it answer as the partner, so it is read or replaced only by the
action's social worker, the territory manager of its territory, the director and the
administrators; the board secretary and the territory's other social workers may not. Every
read and every replacement leaves a row in the action's history (the role's log: who, when,
which partner), without changing the role's state.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import StaffRole
from backend.actions.links import new_nonce, personal_link
from backend.actions.models import Action, RoleAssignment, RoleState
from workflows.concurrency import retried_once
from workflows.errors import TransitionConflict
from workflows.services import log_transition

# The names of these rows in the history (``transition``; source and target stay the same).
READ_LINK = "read_link"
REVOKE_LINK = "revoke_link"


def link_refusal(action, user) -> str:
    """Why ``user`` may not read or replace the personal links of the action's partners;
    empty when they may."""
    if not getattr(user, "is_staff_member", False) or not user.works_in(
        action.project.territory_id
    ):
        return str(_("Cette action n'appartient pas à l'un de vos territoires."))
    if user.sees_all_territories or user.role == StaffRole.TERRITORY_MANAGER:
        return ""
    if user.role == StaffRole.SOCIAL_WORKER and action.social_worker_id == user.pk:
        return ""
    return str(
        _(
            "Seuls le travailleur social référent de l'action, le responsable de territoire "
            "et la direction ont accès au lien personnel du partenaire."
        )
    )


def _locked(role: RoleAssignment, user, no_link) -> RoleAssignment:
    # The action, then its role: the order every change to an action or its roles locks in.
    Action.objects.select_for_update(of=("self",)).filter(pk=role.action_id).first()
    role = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("action__project", "organisation")
        .get(pk=role.pk)
    )
    refusal = link_refusal(role.action, user)
    if refusal:
        raise PermissionDenied(refusal)
    if role.state != RoleState.INVITED or not role.link_nonce:
        raise TransitionConflict(no_link)
    return role


def _trace(role: RoleAssignment, name: str, user, what) -> None:
    # The log says what was true then, in the product's language (not the reader's).
    with translation.override(settings.LANGUAGE_CODE):
        comment = str(what) % {
            "organisation": role.organisation.name,
            "kind": role.get_kind_display(),
        }
    log_transition(role, name, role.state, role.state, actor=user, comment=comment)


@retried_once()
@transaction.atomic
def read_link(role: RoleAssignment, *, user) -> str:
    """The personal link of a role waiting for its answer (to send it another way)."""
    role = _locked(role, user, _("Ce rôle n'attend pas de réponse : il n'a pas de lien personnel."))
    _trace(role, READ_LINK, user, _("Lien personnel de %(organisation)s (%(kind)s) consulté."))
    return personal_link(role)


@retried_once()
@transaction.atomic
def revoke_link(role: RoleAssignment, *, user) -> RoleAssignment:
    """The partner's current link stops working; a new one replaces it."""
    role = _locked(role, user, _("Seul un rôle en attente de réponse a un lien personnel."))
    role.link_nonce = new_nonce()
    role.save(update_fields=["link_nonce", "updated_at"])
    _trace(role, REVOKE_LINK, user, _("Lien personnel de %(organisation)s (%(kind)s) remplacé."))
    return role
