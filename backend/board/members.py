"""The board's members: contacts of the CAF's board organisation (``settings.BOARD_ORGANISATION``)
with a current membership. The board secretary adds them, corrects them and records that one
has left; a session convenes every current member unless the secretary chooses otherwise.

The pages (``conseil/membres/``) and the API (``board-members/``) call these.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import StaffRole
from backend.board.models import BoardMembership
from backend.partners.models import Contact, ContactCategory, Organisation, OrganisationKind

MANAGERS = (StaffRole.BOARD_SECRETARY,)  # directors and administrators too (``has_role``)
MEMBER_FIELDS = ("first_name", "last_name", "email", "phone", "position", "preferred_language")


def require_planner(user) -> None:
    if not user.has_role(*MANAGERS):
        raise PermissionDenied(_("Seul le secrétariat du conseil gère les administrateurs."))


def board_organisation() -> Organisation:
    """The organisation whose contacts sit on the board (created on first use)."""
    organisation, _created = Organisation.objects.get_or_create(
        name=settings.BOARD_ORGANISATION, defaults={"kind": OrganisationKind.CAF}
    )
    return organisation


def current_members():
    """The contacts sitting on the board today, by name."""
    return (
        Contact.objects.filter(
            board_membership__isnull=False, board_membership__left_on__isnull=True
        )
        .select_related("organisation")
        .order_by("last_name", "first_name", "pk")
    )


@transaction.atomic
def add_member(*, user, data: dict) -> Contact:
    """A new member: a contact of the board organisation (or an existing one with that
    address, joining again), with a current membership."""
    require_planner(user)
    organisation = board_organisation()
    fields = {name: data[name] for name in MEMBER_FIELDS if name in data}
    contact = Contact.objects.filter(
        organisation=organisation, email__iexact=fields.get("email", "")
    ).first()
    if contact is None:
        contact = Contact.objects.create(
            organisation=organisation, category=ContactCategory.OTHER, **fields
        )
    else:
        for name, value in fields.items():
            setattr(contact, name, value)
        contact.save()
    membership = BoardMembership.objects.filter(contact=contact).first()
    if membership is None:
        BoardMembership.objects.create(contact=contact)
    elif membership.left_on is not None:
        membership.left_on = None
        membership.joined_on = timezone.localdate()
        membership.save(update_fields=["left_on", "joined_on"])
    return contact


@transaction.atomic
def update_member(contact: Contact, *, user, data: dict) -> Contact:
    require_planner(user)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    email = data.get("email", contact.email)
    clash = Contact.objects.filter(organisation=contact.organisation, email__iexact=email)
    if clash.exclude(pk=contact.pk).exists():
        raise ValidationError({"email": _("Un autre administrateur a déjà cette adresse.")})
    for name in MEMBER_FIELDS:
        if name in data:
            setattr(contact, name, data[name])
    contact.save()
    return contact


@transaction.atomic
def end_membership(contact: Contact, *, user) -> None:
    """The member leaves the board: no longer convened to new sessions (the sessions they
    were convened to keep them)."""
    require_planner(user)
    BoardMembership.objects.filter(contact=contact, left_on__isnull=True).update(
        left_on=timezone.localdate()
    )
