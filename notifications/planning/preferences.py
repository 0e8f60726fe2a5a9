"""Each person chooses, per kind: immediately, in the daily digest, or not at all. Kinds that
carry a deadline or a decision always go out immediately."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.partners.models import Contact
from notifications.models import (
    MANDATORY_KINDS,
    PARTNER_KINDS,
    Delivery,
    Kind,
    Notification,
    Preference,
)

# The kinds a person chooses for (the digest is not a kind of message but a way to receive
# them; the partners' own kinds are not a staff member's; a webhook switched off only concerns its
# administrator), and those of them that may be delayed or turned off.
LISTED_KINDS = [
    kind
    for kind in Kind
    if kind not in (Kind.DIGEST, Kind.WEBHOOK_DISABLED) and kind not in PARTNER_KINDS
]
OPTIONAL_KINDS = tuple(kind for kind in LISTED_KINDS if kind not in MANDATORY_KINDS)
# What only the staff receive (a partner's answer, the end of a consultation, the alert after
# the deadline): a partner is never offered them.
STAFF_ONLY_KINDS = frozenset({Kind.ESCALATION, Kind.ANSWER_RECEIVED, Kind.CONSULTATION_COMPLETE})


def optional_kinds_for(owner) -> tuple:
    """The optional kinds this person can receive: a contact (a partner, a board member)
    receives none of the staff's."""
    if isinstance(owner, Contact):
        return tuple(kind for kind in OPTIONAL_KINDS if kind not in STAFF_ONLY_KINDS)
    return OPTIONAL_KINDS


def deliveries_for(rows: list[Notification]) -> dict[int, str]:
    """{row id: how it goes out}, for a batch of rows in one query (none if all are
    mandatory)."""
    optional = [row for row in rows if row.kind not in MANDATORY_KINDS]
    chosen = {}
    if optional:
        owners = Q(user_id__in={r.user_id for r in optional if r.user_id}) | Q(
            contact_id__in={r.contact_id for r in optional if not r.user_id}
        )
        preferences = Preference.objects.filter(owners, kind__in={r.kind for r in optional})
        for user_id, contact_id, kind, delivery in preferences.values_list(
            "user_id", "contact_id", "kind", "delivery"
        ):
            owner = f"user:{user_id}" if user_id else f"contact:{contact_id}"
            chosen[(owner, kind)] = delivery
    return {
        row.pk: Delivery.IMMEDIATE
        if row.kind in MANDATORY_KINDS
        else chosen.get((_owner_key(row), row.kind), Delivery.IMMEDIATE)
        for row in rows
    }


def _owner_key(row: Notification) -> str:
    return f"user:{row.user_id}" if row.user_id else f"contact:{row.contact_id}"


def set_preference(*, kind: str, delivery: str, user=None, contact=None) -> Preference:
    if kind in MANDATORY_KINDS and delivery != Delivery.IMMEDIATE:
        raise ValidationError(
            {
                "delivery": _(
                    "Ce message porte une échéance ou une décision : il est toujours envoyé."
                )
            }
        )
    owner = {"user": user} if user is not None else {"contact": contact}
    preference, _created = Preference.objects.update_or_create(
        kind=kind, **owner, defaults={"delivery": delivery}
    )
    return preference


def preferences_of(user) -> list[dict]:
    """How each listed kind reaches ``user``, and what they may choose (the API's
    ``notifications/preferences/`` and the preferences page)."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "delivery"))
    return [
        {
            "kind": kind.value,
            "label": kind.label,
            "delivery": Delivery.IMMEDIATE
            if kind in MANDATORY_KINDS
            else chosen.get(kind, Delivery.IMMEDIATE),
            "can_change": kind in OPTIONAL_KINDS,
            "choices": list(Delivery.values) if kind in OPTIONAL_KINDS else [Delivery.IMMEDIATE],
        }
        for kind in LISTED_KINDS
    ]
