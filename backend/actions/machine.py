"""The action's state machine, declared: states, transitions, guards and permissions.

The concrete model (``backend.actions.models.Action``) inherits it. Transition methods only
change the instance; the services in ``backend.actions.transitions`` perform them.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_fsm import FSMField, FSMModelMixin, transition

from backend.accounts.models import StaffRole
from backend.accounts.permissions import StaffPermission
from backend.actions.role_machine import OPEN_ROLE_STATES
from backend.core.business_days import add_business_days
from workflows.engine import Guard, shared_by_guards

DEFAULT_CONSULTATION_BUSINESS_DAYS = 10

SW, TM, BS = StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER, StaffRole.BOARD_SECRETARY


class ActionState(models.TextChoices):
    DRAFT = "draft", _("brouillon")
    CONSULTATION = "consultation", _("consultation des partenaires")
    READY_FOR_BOARD = "ready_for_board", _("prête pour le conseil")
    SCHEDULED = "scheduled", _("inscrite au conseil")
    APPROVED = "approved", _("approuvée")
    IN_PROGRESS = "in_progress", _("en cours")
    EVALUATION = "evaluation", _("en évaluation")
    CLOSED = "closed", _("clôturée")
    REJECTED = "rejected", _("rejetée")
    WITHDRAWN = "withdrawn", _("retirée")


S = ActionState

# The transitions staff fire from the action (its page's buttons, the API's ``transitions/``),
# in that order; the others are the board's decisions and the agenda's ``unschedule``.
STAFF_TRANSITIONS = (
    "submit",
    "revise",
    "complete_consultation",
    "schedule",
    "start",
    "evaluate",
    "close",
    "withdraw",
)


# --- guards ---------------------------------------------------------------------------------


def _open_roles(action) -> list[tuple[str, str, int | None]]:
    """(kind, state, contact id) of every open role: one query for all the guards."""
    return shared_by_guards(action, "open_roles", lambda: list(_open_roles_of(action.pk)))


def _open_roles_of(action_id: int):
    from backend.actions.models import RoleAssignment  # the model inherits this module

    roles = RoleAssignment.objects.filter(action_id=action_id, state__in=OPEN_ROLE_STATES)
    return roles.order_by().values_list("kind", "state", "contact_id")


def _has_pilot(action) -> bool:
    return any(kind == "pilot" for kind, _, _ in _open_roles(action))


def _roles_have_contacts(action) -> bool:
    return all(contact is not None for _, _, contact in _open_roles(action))


def _deadline_not_past(action) -> bool:
    deadline = action.consultation_deadline
    return deadline is None or deadline > timezone.localdate()


def _pending_roles(action) -> int:
    return sum(state != "accepted" for _, state, _ in _open_roles(action))


def _all_roles_accepted(action) -> bool:
    roles = _open_roles(action)
    return bool(roles) and all(state == "accepted" for _, state, _ in roles)


def _all_roles_accepted_reason(action) -> str:
    pending = _pending_roles(action)
    if not pending:
        return str(_("Aucun rôle partenaire n'est défini."))
    return ngettext(
        "Un rôle partenaire n'est pas encore accepté.",
        "%(count)d rôles partenaires ne sont pas encore acceptés.",
        pending,
    ) % {"count": pending}


def _has_future_session(action) -> bool:
    from backend.board.models import BoardSession

    return BoardSession.objects.open_for_scheduling().exists()


def _evaluation_validated(action) -> bool:
    evaluation = getattr(action, "evaluation", None)
    return evaluation is not None and evaluation.state == "validated"


has_pilot = Guard(_has_pilot, _("Au moins un partenaire doit avoir le rôle de pilote."))
roles_have_contacts = Guard(
    _roles_have_contacts,
    _("Chaque rôle doit nommer l'interlocuteur qui répondra pour l'organisation."),
)
deadline_not_past = Guard(
    _deadline_not_past, _("La date limite de consultation doit être dans le futur.")
)
all_roles_accepted = Guard(_all_roles_accepted, _all_roles_accepted_reason)
future_session_exists = Guard(
    _has_future_session,
    _("Aucune séance du conseil à venir n'est planifiée."),
)
session_not_held = Guard(  # a cancelled session's actions go back to waiting, too
    lambda action: (
        action.board_session is None or action.board_session.state in ("planned", "cancelled")
    ),
    _("L'ordre du jour est publié : seule une décision du conseil peut ajourner l'action."),
)
evaluation_validated = Guard(
    _evaluation_validated,
    _("Le rapport d'évaluation doit être remis et validé avant la clôture."),
)


# --- the machine ----------------------------------------------------------------------------


class ActionWorkflow(FSMModelMixin, models.Model):
    state = FSMField(
        _("état"), default=S.DRAFT, choices=ActionState.choices, protected=True, db_index=True
    )

    class Meta:
        abstract = True

    @transition(
        field=state,
        source=S.DRAFT,
        target=S.CONSULTATION,
        conditions=[has_pilot, roles_have_contacts, deadline_not_past],
        permission=StaffPermission(SW, TM),
        custom={"label": _("ouvrir la consultation")},
    )
    def submit(self):
        """Open the partner consultation (default deadline: 10 business days ahead)."""
        if self.consultation_deadline is None:
            self.consultation_deadline = add_business_days(
                timezone.localdate(), DEFAULT_CONSULTATION_BUSINESS_DAYS
            )

    @transition(
        field=state,
        source=S.CONSULTATION,
        target=S.DRAFT,
        permission=StaffPermission(SW, TM),
        custom={"label": _("revenir au brouillon")},
    )
    def revise(self):
        """Back to draft to rework the action."""

    @transition(
        field=state,
        source=S.CONSULTATION,
        target=S.READY_FOR_BOARD,
        conditions=[all_roles_accepted],
        permission=StaffPermission(SW, TM, automatic=True),
        custom={"label": _("clore la consultation")},
    )
    def complete_consultation(self):
        """Every partner agreed: the action can go to the board."""

    @transition(
        field=state,
        source=S.READY_FOR_BOARD,
        target=S.SCHEDULED,
        conditions=[future_session_exists],
        permission=StaffPermission(TM, BS),
        custom={"label": _("inscrire au conseil")},
    )
    def schedule(self, board_session=None):
        """Put the action on the agenda of a planned board session."""
        self.board_session = board_session

    @transition(
        field=state,
        source=S.SCHEDULED,
        target=S.READY_FOR_BOARD,
        conditions=[session_not_held],
        # automatic: when its session is cancelled (``backend.board.transitions``)
        permission=StaffPermission(TM, BS, automatic=True),
        custom={"label": _("retirer de l'ordre du jour"), "done": _("retirée de l'ordre du jour")},
    )
    def unschedule(self):
        """Taken off the agenda before the session: waits for another session."""
        self.board_session = None

    @transition(
        field=state,
        source=S.SCHEDULED,
        target=S.APPROVED,
        permission=StaffPermission(BS),
        custom={
            "label": _("approuver"),
            "done": _("approuvée par le conseil"),
            "board_decision": True,
        },
    )
    def approve(self):
        """The board approved the action."""

    @transition(
        field=state,
        source=S.SCHEDULED,
        target=S.REJECTED,
        permission=StaffPermission(BS),
        custom={"label": _("rejeter"), "done": _("rejetée par le conseil"), "board_decision": True},
    )
    def reject(self):
        """The board rejected the action."""

    @transition(
        field=state,
        source=S.SCHEDULED,
        target=S.READY_FOR_BOARD,
        permission=StaffPermission(BS),
        custom={
            "label": _("ajourner"),
            "done": _("ajournée par le conseil"),
            "board_decision": True,
        },
    )
    def defer(self):
        """The board postponed its decision: the action waits for the next session."""
        self.board_session = None

    @transition(
        field=state,
        source=S.APPROVED,
        target=S.IN_PROGRESS,
        permission=StaffPermission(SW, TM),
        custom={"label": _("démarrer l'action")},
    )
    def start(self):
        """The action is being carried out."""

    @transition(
        field=state,
        source=S.IN_PROGRESS,
        target=S.EVALUATION,
        permission=StaffPermission(SW, TM, automatic=True),
        custom={"label": _("passer en évaluation")},
    )
    def evaluate(self):
        """The action is being evaluated."""

    @transition(
        field=state,
        source=S.EVALUATION,
        target=S.CLOSED,
        conditions=[evaluation_validated],
        permission=StaffPermission(TM),
        custom={"label": _("clôturer l'action")},
    )
    def close(self):
        """The action is over and evaluated."""

    @transition(
        field=state,
        source=[S.DRAFT, S.CONSULTATION, S.READY_FOR_BOARD, S.APPROVED, S.IN_PROGRESS],
        target=S.WITHDRAWN,
        permission=StaffPermission(SW, TM),
        custom={"label": _("retirer l'action"), "comment_required": True},
    )
    def withdraw(self):
        """The action is abandoned (a comment says why)."""
