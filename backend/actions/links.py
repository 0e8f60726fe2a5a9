"""Personal links: how a partner answers its role without an account.

A link carries ``{SITE_URL}/respond/<token>/``. The token is signed (HMAC with SECRET_KEY, its
own salt) and holds the role's id and a random nonce stored on the role: it names one
assignment only, cannot be forged, and dies when the nonce changes (re-invitation, revocation)
or is cleared. It also stops working once the role is answered or withdrawn, once the
consultation is over, and 30 days after the deadline at the latest.
"""

import datetime
import secrets
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.utils import timezone

from backend.actions.models import ActionState, RoleAssignment, RoleState
from workflows.role import new_nonce

__all__ = ["LinkError", "LinkProblem", "new_nonce", "personal_link", "role_for_token", "token_for"]

SALT = "backend.actions.links.role-response"
GRACE_AFTER_DEADLINE = datetime.timedelta(days=30)


class LinkProblem(StrEnum):
    INVALID = "invalid"  # not one of our tokens, or tampered with
    REVOKED = "revoked"  # a newer link replaced it, or staff revoked it
    EXPIRED = "expired"  # the consultation is over
    ANSWERED = "answered"  # the role was already answered (or withdrawn)


class LinkError(Exception):
    def __init__(self, problem: LinkProblem, role: RoleAssignment | None = None):
        super().__init__(problem.value)
        self.problem = problem
        self.role = role


def token_for(role: RoleAssignment) -> str:
    return signing.dumps([role.pk, role.link_nonce], salt=SALT, compress=False)


def personal_link(role: RoleAssignment) -> str:
    return f"{settings.SITE_URL}/respond/{token_for(role)}/"


def role_for_token(token: str, *, for_update: bool = False) -> RoleAssignment:
    """The role a token names, if the link still works; raises LinkError otherwise."""
    try:
        role_id, nonce = signing.loads(token, salt=SALT)
        role_id = int(role_id)
    except (signing.BadSignature, TypeError, ValueError):
        raise LinkError(LinkProblem.INVALID) from None
    roles = RoleAssignment.objects.select_related(
        "action__project__territory", "organisation", "contact"
    )
    if for_update:
        roles = roles.select_for_update(of=("self",))
    role = roles.filter(pk=role_id).first()
    if role is None:
        raise LinkError(LinkProblem.INVALID)
    if not nonce or not secrets.compare_digest(str(nonce), role.link_nonce or ""):
        raise LinkError(LinkProblem.REVOKED, role)
    if role.state != RoleState.INVITED:
        raise LinkError(LinkProblem.ANSWERED, role)
    if role.action.state != ActionState.CONSULTATION or link_expired(role):
        raise LinkError(LinkProblem.EXPIRED, role)
    return role


def link_expired(role: RoleAssignment, today: datetime.date | None = None) -> bool:
    deadline = role.action.consultation_deadline
    today = today or timezone.localdate()
    return deadline is not None and today > deadline + GRACE_AFTER_DEADLINE
