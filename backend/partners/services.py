from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from backend.partners.models import Contact, Organisation


def _check_unique_name(name: str, exclude_pk=None) -> None:
    if Organisation.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": _("Une organisation porte déjà ce nom.")})


@transaction.atomic
def save_organisation(*, data: dict, instance: Organisation | None = None) -> Organisation:
    territories = data.pop("territories", None)
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
def save_contact(*, data: dict, instance: Contact | None = None) -> Contact:
    organisation = data.get("organisation", getattr(instance, "organisation", None))
    email = data.get("email", getattr(instance, "email", ""))
    clash = Contact.objects.filter(organisation=organisation, email__iexact=email)
    if clash.exclude(pk=getattr(instance, "pk", None)).exists():
        raise ValidationError({"email": _("Cet interlocuteur existe déjà dans l'organisation.")})
    contact = instance or Contact()
    for name, value in data.items():
        setattr(contact, name, value)
    contact.save()
    return contact
