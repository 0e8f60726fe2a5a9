"""Each person chooses, per kind: immediately, in the daily digest, or not at all. Kinds that
carry a deadline or a decision always go out immediately."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from notifications.models import MANDATORY_KINDS, Delivery, Notification, Preference


def delivery_for(row: Notification) -> str:
    if row.kind in MANDATORY_KINDS:
        return Delivery.IMMEDIATE
    owner = {"user_id": row.user_id} if row.user_id else {"contact_id": row.contact_id}
    chosen = Preference.objects.filter(kind=row.kind, **owner).values_list("delivery", flat=True)
    return next(iter(chosen), Delivery.IMMEDIATE)


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
