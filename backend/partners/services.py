"""Saving partner organisations and contacts (the API and the pages call these), under the
rule of ``backend.partners.policy``."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.actions.links import new_nonce
from backend.actions.models import ActionState, RoleAssignment, RoleState
from backend.actions.role_machine import OPEN_ROLE_STATES
from backend.core.versions import check_version
from backend.evaluations.models import Evaluation
from backend.partners.models import Contact, Organisation
from backend.partners.policy import check_contact_change, check_organisation_change
from notifications.models import Kind, Notification, Status
from notifications.planning.rows import send_again
from workflows.services import log_transition

# The log row written on each open role of a contact whose address changed (no state change).
EMAIL_CHANGED = "contact_email_changed"
FINISHED_ACTIONS = (ActionState.CLOSED, ActionState.REJECTED, ActionState.WITHDRAWN)


def _check_unique_name(name: str, exclude_pk=None) -> None:
    if Organisation.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": _("Une organisation porte déjà ce nom.")})


@transaction.atomic
def save_organisation(
    *, user, data: dict, instance: Organisation | None = None, expected_versions=None
) -> Organisation:
    """``expected_versions``: the versions (``backend.core.versions``) the editor read of
    ``instance``; it changed since (``StaleVersion``): nothing is written."""
    if instance is not None:
        instance = Organisation.objects.select_for_update().get(pk=instance.pk)
    territories = data.pop("territories", None)
    check_organisation_change(user, instance, territories)
    if instance is not None:
        check_version(instance, expected_versions)
    if "name" in data:
        _check_unique_name(data["name"], exclude_pk=getattr(instance, "pk", None))
    organisation = instance or Organisation()
    for name, value in data.items():
        setattr(organisation, name, value)
    organisation.save()
    if territories is not None:
        organisation.territories.set(territories)
    return organisation


@transaction.atomic
def save_contact(
    *, user, data: dict, instance: Contact | None = None, expected_versions=None
) -> Contact:
    if instance is not None:
        instance = Contact.objects.select_for_update().get(pk=instance.pk)
    check_contact_change(user, instance, data.get("organisation"))
    if instance is not None:
        check_version(instance, expected_versions)
    organisation = data.get("organisation", getattr(instance, "organisation", None))
    email = data.get("email", getattr(instance, "email", ""))
    clash = Contact.objects.filter(organisation=organisation, email__iexact=email)
    if clash.exclude(pk=getattr(instance, "pk", None)).exists():
        raise ValidationError({"email": _("Cet interlocuteur existe déjà dans l'organisation.")})
    old_email = getattr(instance, "email", "")
    contact = instance or Contact()
    for name, value in data.items():
        setattr(contact, name, value)
    contact.save()
    if instance is not None and old_email.strip().lower() != contact.email.strip().lower():
        email_changed(contact, old_email, user=user)
    return contact


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower() or "?"


def email_changed(contact: Contact, old_email: str, *, user) -> list[RoleAssignment]:
    """What follows a new address for a contact, in the caller's transaction:

    - each of its open roles on an unfinished action gets a history row (who changed it; the
      domains only, not the addresses: the log is kept after the contact is anonymised);
    - the personal links sent to the old address stop working (a fresh one goes out with the
      next reminder, or staff send it: GET roles/{id}/link/); evaluation report links too;
    - the e-mails still planned for the contact go to the new address.
    """
    roles = list(
        RoleAssignment.objects.select_for_update(of=("self",))
        .filter(contact=contact, state__in=OPEN_ROLE_STATES)
        .exclude(action__state__in=FINISHED_ACTIONS)
        .order_by("pk")
    )
    comment = gettext(
        "Adresse e-mail de l'interlocuteur modifiée (domaine « %(old)s » → « %(new)s ») ; "
        "les liens personnels envoyés à l'ancienne adresse ne fonctionnent plus."
    ) % {"old": _domain(old_email), "new": _domain(contact.email)}
    for role in roles:
        if role.state == RoleState.INVITED:
            role.link_nonce = new_nonce()
            role.save(update_fields=["link_nonce", "updated_at"])
        log_transition(role, EMAIL_CHANGED, role.state, role.state, actor=user, comment=comment)
    Evaluation.objects.filter(reporting_role__contact=contact).exclude(link_nonce="").update(
        link_nonce=""
    )
    Notification.objects.filter(
        contact=contact, status__in=[Status.PLANNED, Status.IN_DIGEST]
    ).update(email=contact.email)
    return roles


@transaction.atomic
def correct_email_and_resend(*, user, contact: Contact, email: str) -> list[int]:
    """An address refused for good, corrected in one step: the contact's address changes
    under the usual rule (``save_contact``: who may change a shared contact; the links sent to
    the old address stop working, a history row on each open role), then every message that
    failed for this contact is planned again to the new address, through the outbox (the
    same address: sent again as it is, say after a full mailbox was emptied). An invitation
    or a reminder about a role no longer awaiting an answer (withdrawn since) is moot: it is
    cancelled, not sent. Returns the ids of the rows planned again."""
    contact = save_contact(user=user, data={"email": email}, instance=contact)
    failed = Notification.objects.filter(contact=contact, status=Status.FAILED)
    moot = failed.filter(
        kind__in=(Kind.INVITATION, Kind.REMINDER),
        subject_type=ContentType.objects.get_for_model(RoleAssignment),
        subject_id__in=RoleAssignment.objects.filter(contact=contact)
        .exclude(state=RoleState.INVITED)
        .values("pk"),
    )
    moot.update(status=Status.CANCELLED)
    return send_again(failed, email=contact.email)
