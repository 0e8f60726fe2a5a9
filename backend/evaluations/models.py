"""Evaluation of an approved action.

What the action workflow needs (closing requires a submitted report); indicators, the
evaluation's own state machine and reporting come with the evaluation issue.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EvaluationState(models.TextChoices):
    PLANNED = "planned", _("prévue")
    DUE = "due", _("attendue")
    SUBMITTED = "submitted", _("remise")
    VALIDATED = "validated", _("validée")


class Evaluation(models.Model):
    action = models.OneToOneField(
        "actions.Action",
        on_delete=models.PROTECT,
        related_name="evaluation",
        verbose_name=_("action"),
    )
    due_date = models.DateField(_("échéance"))
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    residents_involved = models.TextField(_("implication des habitants"), blank=True)
    summary = models.TextField(_("bilan"), blank=True)
    state = models.CharField(
        _("état"), max_length=16, choices=EvaluationState.choices, default=EvaluationState.PLANNED
    )

    class Meta:
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")

    def __str__(self) -> str:
        return f"{_('Évaluation')} : {self.action}"

    @property
    def report_submitted(self) -> bool:
        return self.state in (EvaluationState.SUBMITTED, EvaluationState.VALIDATED)
