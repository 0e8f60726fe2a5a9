"""Partner organisations and the people who answer for them."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.models import AppendOnlyError


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("commune")
    INTERCOMMUNALITY = "intercommunality", _("intercommunalité")
    ASSOCIATION = "association", _("association")
    SOCIAL_CENTRE = "social_centre", _("centre social")
    HOUSING_PROVIDER = "housing_provider", _("bailleur social")
    DEPARTMENT = "department", _("département")
    STATE_SERVICE = "state_service", _("service de l'État")
    SCHOOL = "school", _("établissement scolaire")
    CAF = "caf", _("CAF")
    OTHER = "other", _("autre")


class Organisation(models.Model):
    name = models.CharField(_("nom"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=32, choices=OrganisationKind.choices)
    territories = models.ManyToManyField(
        "territories.Territory",
        related_name="organisations",
        verbose_name=_("territoires"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=32, blank=True)
    address = models.TextField(_("adresse"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation partenaire")
        verbose_name_plural = _("organisations partenaires")

    def __str__(self) -> str:
        return self.name


class ContactCategory(models.TextChoices):
    ELECTED_OFFICIAL = "elected_official", _("élu")
    TECHNICIAN = "technician", _("technicien")
    ASSOCIATION = "association", _("membre d'association")
    RESIDENT = "resident", _("habitant")
    CAF_STAFF = "caf_staff", _("personnel CAF")
    OTHER = "other", _("autre")


class Contact(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("téléphone"), max_length=32, blank=True)
    category = models.CharField(_("catégorie"), max_length=32, choices=ContactCategory.choices)
    position = models.CharField(_("fonction"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("langue"), max_length=8, choices=[("fr", "Français"), ("en", "English")], default="fr"
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"], name="unique_contact_email_per_organisation"
            )
        ]
        verbose_name = _("interlocuteur")
        verbose_name_plural = _("interlocuteurs")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.organisation})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ContactAnonymisation(models.Model):
    """The trace of a contact anonymised by the retention rule (``backend.partners.retention``):
    one row per contact, written in the same transaction, never changed nor deleted."""

    contact = models.OneToOneField(
        Contact,
        on_delete=models.PROTECT,
        related_name="anonymisation",
        verbose_name=_("interlocuteur"),
    )
    anonymised_at = models.DateTimeField(_("anonymisé le"), default=timezone.now)
    last_action_ended_at = models.DateTimeField(_("fin de sa dernière action"))
    actions = models.PositiveIntegerField(_("actions concernées"))
    retention_years = models.PositiveSmallIntegerField(_("durée de conservation (années)"))

    class Meta:
        ordering = ["-anonymised_at", "-id"]
        verbose_name = _("anonymisation d'un interlocuteur")
        verbose_name_plural = _("anonymisations des interlocuteurs")

    def __str__(self) -> str:
        return f"#{self.contact_id} ({self.anonymised_at:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The anonymisation record is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The anonymisation record is append-only.")
