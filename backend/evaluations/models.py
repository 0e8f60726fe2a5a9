"""The evaluation of an approved action: its plan (indicators, due date, who reports) and
its report (results, participants, residents involved, what worked, what to change)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.evaluations.machine import EvaluationState, EvaluationWorkflow

__all__ = ["Evaluation", "EvaluationState", "Indicator"]


class Evaluation(EvaluationWorkflow):
    # What the transition service reads along with the locked row (permission, guards).
    workflow_lock_related = ("action__project",)
    # What its version (the API's ETag, backend.core.versions) covers beside its own row.
    version_includes = ("indicators",)
    # The event its transitions send to the webhooks (webhooks.outbox).
    webhook_event = "evaluation.transition"

    action = models.OneToOneField(
        "actions.Action",
        on_delete=models.PROTECT,
        related_name="evaluation",
        verbose_name=_("action"),
    )
    due_date = models.DateField(_("échéance"))
    reporting_role = models.ForeignKey(
        "actions.RoleAssignment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partenaire pilote qui rend compte"),
    )
    reporting_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("travailleur social qui rend compte"),
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    residents_involved = models.TextField(_("implication des habitants"), blank=True)
    summary = models.TextField(_("bilan"), blank=True)
    what_worked = models.TextField(_("ce qui a fonctionné"), blank=True)
    what_to_change = models.TextField(_("ce qu'il faudrait changer"), blank=True)
    link_nonce = models.CharField(_("clé du lien personnel"), max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("remise le"), null=True, blank=True)
    validated_at = models.DateTimeField(_("validée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")

    def __str__(self) -> str:
        return f"{_('Évaluation')} : {self.action}"

    @property
    def report_submitted(self) -> bool:
        return self.state in (EvaluationState.SUBMITTED, EvaluationState.VALIDATED)

    @property
    def workflow_territory_id(self) -> int:
        return self.action.project.territory_id

    @property
    def log_action_id(self) -> int:
        return self.action_id


class Indicator(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(_("ordre"), default=1)
    label = models.CharField(_("indicateur"), max_length=200)
    baseline = models.DecimalField(
        _("valeur de départ"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(_("cible"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unité"), max_length=50, blank=True)
    result = models.DecimalField(
        _("résultat"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["evaluation", "position", "id"]
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")

    def __str__(self) -> str:
        return self.label
