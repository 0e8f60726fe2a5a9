from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import StaffRole
from backend.territories.models import Diagnostic, TerritoryProject


def _require_manager(user, territory_id):
    if not user.has_role(StaffRole.TERRITORY_MANAGER) or not user.works_in(territory_id):
        raise PermissionDenied(_("Seul le responsable du territoire gère son projet."))


@transaction.atomic
def create_project(*, user, data: dict) -> TerritoryProject:
    _require_manager(user, data["territory"].pk)
    if TerritoryProject.objects.filter(territory=data["territory"], year=data["year"]).exists():
        raise ValidationError({"year": _("Ce territoire a déjà un projet pour cette année.")})
    project = TerritoryProject.objects.create(**data)
    Diagnostic.objects.create(project=project)
    return project


@transaction.atomic
def update_project(project: TerritoryProject, *, user, data: dict) -> TerritoryProject:
    _require_manager(user, project.territory_id)
    territory, year = data.get("territory", project.territory), data.get("year", project.year)
    clash = TerritoryProject.objects.filter(territory=territory, year=year).exclude(pk=project.pk)
    if clash.exists():
        raise ValidationError({"year": _("Ce territoire a déjà un projet pour cette année.")})
    for name, value in data.items():
        setattr(project, name, value)
    project.save()
    return project
