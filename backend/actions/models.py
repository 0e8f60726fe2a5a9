"""Actions of a territory project and the roles partners hold on them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.actions.machine import ActionState, ActionWorkflow
from backend.actions.role_machine import OPEN_ROLE_STATES, RoleState, RoleWorkflow

__all__ = ["COUNTED_ROLES", "Action", "ActionState", "RoleAssignment", "RoleKind", "RoleState"]


class Action(ActionWorkflow):
    # What the transition service reads along with the locked row (permission, guards).
    workflow_lock_related = ("project",)
    # The event its transitions send to the webhooks (webhooks.outbox).
    webhook_event = "action.transition"
    # Its passages through the states kept beside the log (workflows.stays): the analytics'
    # time in each state and the board's delays read them.
    workflow_stays = True

    project = models.ForeignKey(
        "territories.TerritoryProject",
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name=_("projet de territoire"),
    )
    axis = models.ForeignKey(
        "territories.Axis",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("axe d'intervention"),
    )
    title = models.CharField(_("intitulé"), max_length=200)
    summary = models.TextField(_("résumé"))
    commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("commune"),
    )
    neighbourhood = models.ForeignKey(
        "territories.Neighbourhood",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("quartier"),
    )
    findings = models.ManyToManyField(
        "territories.Finding",
        blank=True,
        related_name="actions",
        verbose_name=_("constats auxquels l'action répond"),
    )
    consultation_deadline = models.DateField(
        _("date limite de consultation"), null=True, blank=True
    )
    planned_start = models.DateField(_("début prévu"), null=True, blank=True)
    planned_end = models.DateField(_("fin prévue"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget prévisionnel (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions_followed",
        verbose_name=_("travailleur social référent"),
    )
    board_session = models.ForeignKey(
        "board.BoardSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("séance du conseil"),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The dashboard's columns: the most recently changed actions of one state first.
        indexes = [
            models.Index(fields=["state", "-updated_at"], name="action_state_recent"),
            # The actions list's order: a page is read off the index, not sorted whole.
            models.Index(fields=["-created_at", "-id"], name="action_newest_first"),
            # The dashboard's list (latest change first): a page read off the index.
            models.Index(fields=["-updated_at", "-id"], name="action_latest_change"),
        ]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.title

    @property
    def workflow_territory_id(self) -> int:
        return self.project.territory_id

    @property
    def log_action_id(self) -> int:
        return self.pk

    def open_roles(self):
        return self.roles.filter(state__in=OPEN_ROLE_STATES)


class RoleKind(models.TextChoices):
    PILOT = "pilot", _("pilote")
    CO_PILOT = "co_pilot", _("co-pilote")
    FUNDER = "funder", _("financeur")
    CONTRIBUTOR = "contributor", _("contributeur")
    HOST = "host", _("accueil / lieu")
    CONSULTED = "consulted", _("consulté")


# The roles the partners' figures count: invited at least once, and not withdrawn.
COUNTED_ROLES = Q(
    invited_at__isnull=False,
    state__in=[
        RoleState.INVITED,
        RoleState.ACCEPTED,
        RoleState.DECLINED,
        RoleState.CHANGES_REQUESTED,
    ],
)


class RoleAssignment(RoleWorkflow):
    """What one organisation commits to on one action, and who answers for it.

    Several organisations may hold the same kind of role (co-pilots, co-funders): each has
    its own assignment and agrees on its own.
    """

    # What the transition service reads along with the locked row (permission, guards).
    workflow_lock_related = ("action__project", "contact")
    webhook_event = "role.transition"

    action = models.ForeignKey(
        Action, on_delete=models.PROTECT, related_name="roles", verbose_name=_("action")
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="roles",
        verbose_name=_("organisation"),
    )
    contact = models.ForeignKey(
        "partners.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("interlocuteur"),
    )
    kind = models.CharField(_("rôle"), max_length=16, choices=RoleKind.choices)
    description = models.TextField(_("engagement"))
    time_commitment = models.CharField(_("temps consacré"), max_length=200, blank=True)
    financial_commitment = models.DecimalField(
        _("apport financier (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    venue = models.CharField(_("lieu mis à disposition"), max_length=200, blank=True)
    invited_at = models.DateTimeField(_("invité le"), null=True, blank=True)
    responded_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    response_comment = models.TextField(_("commentaire du partenaire"), blank=True)
    # The reminders sent before the answer (while there is none: so far), counted by the sweep
    # as each leaves (notifications.delivery.reminder_counts): the partners' figures read it.
    reminders_before_answer = models.PositiveIntegerField(
        _("relances avant la réponse"), default=0, editable=False
    )
    # The random half of the personal link (see backend.actions.links); empty: no valid link.
    link_nonce = models.CharField(_("clé du lien personnel"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        ordering = ["action", "kind", "organisation__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "organisation", "kind"],
                condition=~Q(state=RoleState.WITHDRAWN),
                name="one_open_role_per_kind_and_organisation",
            )
        ]
        # The dashboard's "answers received": the recent answers only, newest first.
        indexes = [
            models.Index(
                fields=["-responded_at"],
                name="role_recent_answers",
                condition=Q(responded_at__isnull=False),
            ),
            # The analytics' partners (backend.analytics.partners): the roles counted (once
            # invited, not withdrawn) with what their figures read, per organisation (the
            # figures grouped as the index is read).
            models.Index(
                fields=["organisation"],
                include=[
                    *("id", "action", "contact", "state", "invited_at", "responded_at"),
                    "reminders_before_answer",
                ],
                condition=COUNTED_ROLES,
                name="role_counted_by_organisation",
            ),
        ]
        verbose_name = _("rôle d'un partenaire")
        verbose_name_plural = _("rôles des partenaires")

    def __str__(self) -> str:
        return f"{self.organisation} - {self.get_kind_display()} ({self.action})"

    @property
    def workflow_territory_id(self) -> int:
        return self.action.project.territory_id

    @property
    def log_action_id(self) -> int:
        return self.action_id
