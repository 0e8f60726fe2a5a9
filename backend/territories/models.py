"""The four territories of the Loire, their communes and neighbourhoods, and each year's
territory project with its shared diagnostic and intervention axes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.territories.machine import ProjectWorkflow


class Territory(models.Model):
    slug = models.SlugField(_("identifiant"), unique=True)
    name = models.CharField(_("nom"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="communes", verbose_name=_("territoire")
    )
    name = models.CharField(_("nom"), max_length=120)
    insee_code = models.CharField(_("code INSEE"), max_length=5, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="neighbourhoods", verbose_name=_("commune")
    )
    name = models.CharField(_("nom"), max_length=120)
    priority_area = models.BooleanField(_("quartier prioritaire (QPV)"), default=False)

    class Meta:
        ordering = ["commune__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="unique_neighbourhood_name")
        ]
        verbose_name = _("quartier")
        verbose_name_plural = _("quartiers")

    def __str__(self) -> str:
        return f"{self.commune} / {self.name}"


class TerritoryProject(ProjectWorkflow):
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="projects", verbose_name=_("territoire")
    )
    year = models.PositiveSmallIntegerField(_("année"))
    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(_("présentation"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "territory__name"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "year"], name="one_project_per_year")
        ]
        verbose_name = _("projet de territoire")
        verbose_name_plural = _("projets de territoire")

    def __str__(self) -> str:
        return f"{self.territory} {self.year}"

    @property
    def workflow_territory_id(self) -> int:
        return self.territory_id

    @property
    def log_action_id(self) -> None:
        return None


class Diagnostic(models.Model):
    """The shared diagnostic a project is built on: an analysis and its findings."""

    project = models.OneToOneField(
        TerritoryProject,
        on_delete=models.CASCADE,
        related_name="diagnostic",
        verbose_name=_("projet de territoire"),
    )
    summary = models.TextField(_("synthèse"), blank=True)
    established_on = models.DateField(_("établi le"), null=True, blank=True)

    class Meta:
        verbose_name = _("diagnostic partagé")
        verbose_name_plural = _("diagnostics partagés")

    def __str__(self) -> str:
        return f"{_('Diagnostic')} {self.project}"


class FindingKind(models.TextChoices):
    RESOURCE = "resource", _("ressource")
    NEED = "need", _("manque")


class Finding(models.Model):
    diagnostic = models.ForeignKey(
        Diagnostic, on_delete=models.CASCADE, related_name="findings", verbose_name=_("diagnostic")
    )
    kind = models.CharField(_("nature"), max_length=16, choices=FindingKind.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("commune")
    )

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("constat du diagnostic")
        verbose_name_plural = _("constats du diagnostic")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.title}"


class Axis(models.Model):
    project = models.ForeignKey(
        TerritoryProject, on_delete=models.CASCADE, related_name="axes", verbose_name=_("projet")
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=1)
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["project", "position", "id"]
        verbose_name = _("axe d'intervention")
        verbose_name_plural = _("axes d'intervention")

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"
