"""The evaluation's state machine: planned -> due -> submitted -> validated."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from backend.accounts.models import StaffRole
from backend.accounts.permissions import StaffPermission
from workflows.engine import Guard

SW, TM = StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER


class EvaluationState(models.TextChoices):
    PLANNED = "planned", _("prévue")
    DUE = "due", _("attendue")
    SUBMITTED = "submitted", _("remise")
    VALIDATED = "validated", _("validée")


E = EvaluationState

due_date_reached = Guard(
    lambda evaluation: evaluation.due_date <= timezone.localdate(),
    _("L'échéance de l'évaluation n'est pas encore atteinte."),
)
has_indicators = Guard(
    lambda evaluation: evaluation.indicators.exists(),
    _("Le plan d'évaluation n'a pas encore d'indicateur."),
)


class EvaluationWorkflow(FSMModelMixin, models.Model):
    state = FSMField(_("état"), default=E.PLANNED, choices=EvaluationState.choices, protected=True)

    class Meta:
        abstract = True

    @transition(
        field=state,
        source=E.PLANNED,
        target=E.DUE,
        conditions=[due_date_reached],
        permission=StaffPermission(SW, TM, automatic=True),
        custom={"label": _("arriver à échéance")},
    )
    def fall_due(self):
        """The due date has come: the report is expected."""

    @transition(
        field=state,
        source=[E.PLANNED, E.DUE],
        target=E.SUBMITTED,
        conditions=[has_indicators],
        permission=StaffPermission(SW, TM, automatic=True),
        custom={"label": _("remettre le rapport")},
    )
    def submit_report(self):
        """The results are in (from the social worker or the pilot partner's link)."""
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=E.SUBMITTED,
        target=E.VALIDATED,
        permission=StaffPermission(TM),
        custom={"label": _("valider le rapport")},
    )
    def validate(self):
        """The territory manager validates the report: the action may be closed."""
        self.validated_at = timezone.now()
