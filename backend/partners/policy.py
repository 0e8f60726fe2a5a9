"""Who may change a partner organisation or a contact: the one rule the API and the pages
share (``backend.partners.services`` applies it).

An organisation serves its territories; a contact serves its organisation's. Staff change an
organisation or a contact only when every territory it serves is theirs: a social worker of
Gier-Ondaine-Pilat does not rename, re-attach or re-address an organisation the Roannais works
with too (its contacts receive the Roannais' invitations). Directors and administrators
change any. An organisation is attached only to territories of the person who saves it.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from backend.partners.models import Contact, Organisation
from backend.territories.models import Territory


def _names(territories: Iterable[Territory]) -> str:
    return ", ".join(sorted(t.name for t in territories))


def _not_theirs(user, territories: Iterable[Territory]) -> list[Territory]:
    if user.sees_all_territories:
        return []
    mine = user.territory_ids()
    return [t for t in territories if t.pk not in mine]


def can_change_organisation(user, organisation: Organisation) -> bool:
    """Whether ``user`` may change the organisation and its contacts."""
    return not _not_theirs(user, organisation.territories.all())


def check_organisation_change(
    user, organisation: Organisation | None, territories: Iterable[Territory] | None = None
) -> None:
    """Raise PermissionDenied (403) unless ``user`` may save ``organisation`` (None: a new
    one) with ``territories`` (None: unchanged)."""
    if organisation is not None:
        others = _not_theirs(user, organisation.territories.all())
        if others:
            raise PermissionDenied(
                _(
                    "Cette organisation sert aussi d'autres territoires que les vôtres "
                    "(%(territories)s) : seules la direction et l'administration la modifient, "
                    "ainsi que ses interlocuteurs."
                )
                % {"territories": _names(others)}
            )
    if territories is not None:
        others = _not_theirs(user, territories)
        if others:
            raise PermissionDenied(
                _(
                    "Vous ne rattachez une organisation qu'à vos territoires : "
                    "%(territories)s n'en fait pas partie."
                )
                % {"territories": _names(others)}
            )


def check_contact_change(
    user, contact: Contact | None, organisation: Organisation | None = None
) -> None:
    """Raise PermissionDenied (403) unless ``user`` may change ``contact`` (None: a new one)
    and, when it moves, place it in ``organisation``.

    A new contact may join an organisation shared with other territories (the field already
    limits it to organisations of the user's territories): no one receives anything at its
    address yet. Changing an existing one needs every territory it serves."""
    if contact is not None:
        others = _not_theirs(user, contact.organisation.territories.all())
        if others:
            raise PermissionDenied(
                _(
                    "Cet interlocuteur sert aussi d'autres territoires que les vôtres "
                    "(%(territories)s), par son organisation : seules la direction et "
                    "l'administration le modifient."
                )
                % {"territories": _names(others)}
            )
        if organisation is not None and organisation.pk != contact.organisation_id:
            check_organisation_change(user, organisation)
