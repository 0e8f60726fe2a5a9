"""Personal links: how a partner answers its role without an account.

A link carries ``{SITE_URL}/respond/<token>/``, a signed token (``backend.core.signed_links``)
naming one assignment that dies when the role's nonce changes (re-invitation, revocation) or
is cleared. It also stops working once the role is answered or withdrawn, once the
consultation is over, and 30 days after the deadline at the latest.
"""

import datetime
from enum import StrEnum

from django.utils import timezone

from backend.actions.models import ActionState, RoleAssignment, RoleState
from backend.actions.role_machine import new_nonce
from backend.core.signed_links import InvalidToken, RevokedToken, SignedLink

__all__ = ["LinkError", "LinkProblem", "new_nonce", "personal_link", "role_for_token", "token_for"]

SALT = "backend.actions.links.role-response"
RESPONSE_LINK = SignedLink(salt=SALT, path="respond")
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
    return RESPONSE_LINK.token(role)


def personal_link(role: RoleAssignment) -> str:
    return RESPONSE_LINK.url(role)


def role_for_token(token: str, *, for_update: bool = False) -> RoleAssignment:
    """The role a token names, if the link still works; raises LinkError otherwise."""
    roles = RoleAssignment.objects.select_related(
        "action__project__territory", "organisation", "contact"
    )
    try:
        role = RESPONSE_LINK.row(token, roles, for_update=for_update)
    except InvalidToken:
        raise LinkError(LinkProblem.INVALID) from None
    except RevokedToken as revoked:
        raise LinkError(LinkProblem.REVOKED, revoked.row) from None
    if role.state != RoleState.INVITED:
        raise LinkError(LinkProblem.ANSWERED, role)
    if role.action.state != ActionState.CONSULTATION or link_expired(role):
        raise LinkError(LinkProblem.EXPIRED, role)
    return role


def link_expired(role: RoleAssignment, today: datetime.date | None = None) -> bool:
    deadline = role.action.consultation_deadline
    today = today or timezone.localdate()
    return deadline is not None and today > deadline + GRACE_AFTER_DEADLINE
