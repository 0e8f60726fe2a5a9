"""What a staff member may see: their territories (everything for directors and admins)."""

from backend.actions.models import Action, RoleAssignment
from backend.partners.models import Contact, Organisation
from backend.territories.models import Axis, Commune, Finding, Neighbourhood, TerritoryProject


def _territories(user) -> set[int] | None:
    """None: every territory; otherwise the ids the user works in (none for non-staff)."""
    if not getattr(user, "is_staff_member", False):
        return set()
    return None if user.sees_all_territories else user.territory_ids()


def projects_for(user):
    qs = TerritoryProject.objects.all()
    ids = _territories(user)
    return qs if ids is None else qs.filter(territory_id__in=ids)


def actions_for(user):
    qs = Action.objects.all()
    ids = _territories(user)
    return qs if ids is None else qs.filter(project__territory_id__in=ids)


def roles_for(user):
    qs = RoleAssignment.objects.all()
    ids = _territories(user)
    return qs if ids is None else qs.filter(action__project__territory_id__in=ids)


def organisations_for(user):
    qs = Organisation.objects.all()
    ids = _territories(user)
    return qs if ids is None else qs.filter(territories__in=ids).distinct()


def contacts_for(user):
    qs = Contact.objects.all()
    ids = _territories(user)
    if ids is None:
        return qs
    return qs.filter(organisation__in=organisations_for(user).values("pk"))


def axes_for(user):
    return Axis.objects.filter(project__in=projects_for(user).values("pk"))


def findings_for(user):
    return Finding.objects.filter(diagnostic__project__in=projects_for(user).values("pk"))


def communes_for(user):
    qs = Commune.objects.all()
    ids = _territories(user)
    return qs if ids is None else qs.filter(territory_id__in=ids)


def neighbourhoods_for(user):
    return Neighbourhood.objects.filter(commune__in=communes_for(user).values("pk"))
