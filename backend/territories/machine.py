"""The yearly territory project's state machine: draft -> submitted -> approved (or back)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from backend.accounts.models import StaffRole
from backend.accounts.permissions import StaffPermission

TM, BS = StaffRole.TERRITORY_MANAGER, StaffRole.BOARD_SECRETARY


class ProjectState(models.TextChoices):
    DRAFT = "draft", _("en préparation")
    SUBMITTED = "submitted", _("soumis au conseil")
    APPROVED = "approved", _("approuvé")


P = ProjectState


class ProjectWorkflow(FSMModelMixin, models.Model):
    state = FSMField(_("état"), default=P.DRAFT, choices=ProjectState.choices, protected=True)

    class Meta:
        abstract = True

    @transition(
        field=state,
        source=P.DRAFT,
        target=P.SUBMITTED,
        permission=StaffPermission(TM, BS),
        custom={"label": _("soumettre au conseil")},
    )
    def submit(self):
        """The project is put to the board."""

    @transition(
        field=state,
        source=P.SUBMITTED,
        target=P.APPROVED,
        permission=StaffPermission(BS),
        custom={"label": _("approuver"), "board_decision": True},
    )
    def approve(self):
        """The board approved the year's project."""

    @transition(
        field=state,
        source=P.SUBMITTED,
        target=P.DRAFT,
        # automatic: when its session is cancelled (``backend.board.transitions``)
        permission=StaffPermission(TM, BS, automatic=True),
        custom={"label": _("renvoyer en préparation")},
    )
    def return_to_draft(self):
        """Back to preparation (taken off the agenda, or not approved)."""
