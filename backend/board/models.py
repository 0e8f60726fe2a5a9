"""Board sessions (séances du conseil d'administration): members, agenda, decisions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.board.machine import BoardSessionState, BoardSessionWorkflow

__all__ = ["AgendaItem", "BoardDecision", "BoardSession", "BoardSessionState", "Outcome"]


class BoardSessionQuerySet(models.QuerySet):
    def open_for_scheduling(self):
        """Planned sessions still to come: actions may be put on their agenda."""
        return self.filter(state=BoardSessionState.PLANNED, date__gt=timezone.now())


class BoardSession(BoardSessionWorkflow):
    # The event its transitions send to the webhooks (webhooks.outbox).
    webhook_event = "board_session.transition"

    date = models.DateTimeField(_("date et heure"))
    title = models.CharField(_("intitulé"), max_length=200)
    location = models.CharField(_("lieu"), max_length=200, blank=True)
    # The board's members are contacts (of the CAF's board organisation): like partners, they
    # receive e-mails with their own language and a working unsubscribe link.
    members = models.ManyToManyField(
        "partners.Contact",
        blank=True,
        related_name="board_sessions",
        verbose_name=_("administrateurs"),
    )
    staff_invited = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="board_sessions",
        verbose_name=_("personnel invité"),
    )

    objects = BoardSessionQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("séance du conseil")
        verbose_name_plural = _("séances du conseil")

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.date):%d/%m/%Y})"

    @property
    def open_for_scheduling(self) -> bool:
        return self.state == BoardSessionState.PLANNED and self.date > timezone.now()

    @property
    def workflow_territory_id(self) -> None:
        return None  # a session concerns every territory

    @property
    def log_action_id(self) -> None:
        return None


class AgendaItem(models.Model):
    """One point of a session's agenda: an action, or a territory project of the year."""

    session = models.ForeignKey(BoardSession, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("ordre"))
    action = models.ForeignKey(
        "actions.Action", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    project = models.ForeignKey(
        "territories.TerritoryProject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["session", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "action"], name="action_once_per_agenda"),
            models.UniqueConstraint(fields=["session", "project"], name="project_once_per_agenda"),
            models.CheckConstraint(
                condition=Q(action__isnull=False) ^ Q(project__isnull=False),
                name="agenda_item_is_an_action_or_a_project",
            ),
        ]
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("ordre du jour")

    def __str__(self) -> str:
        return f"{self.position}. {self.action or self.project}"


class Outcome(models.TextChoices):
    APPROVED = "approved", _("approuvée")
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("approuvée sous conditions")
    REJECTED = "rejected", _("rejetée")
    DEFERRED = "deferred", _("ajournée")


class BoardDecision(models.Model):
    session = models.ForeignKey(BoardSession, on_delete=models.PROTECT, related_name="decisions")
    action = models.ForeignKey(
        "actions.Action",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    project = models.ForeignKey(
        "territories.TerritoryProject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    outcome = models.CharField(_("décision"), max_length=32, choices=Outcome.choices)
    conditions = models.TextField(_("conditions ou motif"), blank=True)
    reference = models.CharField(_("n° de délibération"), max_length=32)
    year = models.PositiveSmallIntegerField(_("année"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)

    class Meta:
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "reference"], name="one_reference_per_year"),
            models.CheckConstraint(
                condition=Q(action__isnull=False) ^ Q(project__isnull=False),
                name="decision_on_an_action_or_a_project",
            ),
        ]
        verbose_name = _("décision du conseil")
        verbose_name_plural = _("décisions du conseil")

    def __str__(self) -> str:
        return f"{self.reference} : {self.get_outcome_display()}"
