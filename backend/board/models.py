"""Board sessions (séances du conseil d'administration): members, agenda, decisions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.board.machine import BoardSessionState, BoardSessionWorkflow

__all__ = [
    "AgendaItem",
    "Attendance",
    "BoardDecision",
    "BoardMembership",
    "BoardSession",
    "BoardSessionState",
    "Convocation",
    "Outcome",
    "SessionChange",
]


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


class SessionChange(models.Model):
    """A session's date, time or place changed: what it was, what it became, who changed it.

    Append-only, like the transition log: the calendar's SEQUENCE counts these rows with the
    session's state changes (``backend.board.ics.sequence``), and the e-mail that tells
    everyone convened of the change reads its row (old -> new)."""

    session = models.ForeignKey(BoardSession, on_delete=models.CASCADE, related_name="changes")
    old_date = models.DateTimeField(_("ancienne date"))
    new_date = models.DateTimeField(_("nouvelle date"))
    old_location = models.CharField(_("ancien lieu"), max_length=200, blank=True)
    new_location = models.CharField(_("nouveau lieu"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("modifiée le"), default=timezone.now)

    class Meta:
        ordering = ["session", "id"]
        verbose_name = _("changement de date ou de lieu")
        verbose_name_plural = _("changements de date ou de lieu")

    def __str__(self) -> str:
        old, new = f"{self.old_date} {self.old_location}", f"{self.new_date} {self.new_location}"
        return f"{self.session_id}: {old} -> {new}"

    @property
    def date_changed(self) -> bool:
        return self.old_date != self.new_date

    @property
    def location_changed(self) -> bool:
        return self.old_location != self.new_location


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


class BoardMembership(models.Model):
    """A contact of the board's organisation sits on the board from ``joined_on`` until
    ``left_on`` (a former member stays on the sessions they were convened to)."""

    contact = models.OneToOneField(
        "partners.Contact",
        on_delete=models.PROTECT,
        related_name="board_membership",
        verbose_name=_("administrateur"),
    )
    joined_on = models.DateField(_("membre depuis"), default=timezone.localdate)
    left_on = models.DateField(_("a quitté le conseil le"), null=True, blank=True)

    class Meta:
        ordering = ["contact__last_name", "contact__first_name"]
        verbose_name = _("membre du conseil")
        verbose_name_plural = _("membres du conseil")

    def __str__(self) -> str:
        return self.contact.full_name


class Attendance(models.TextChoices):
    PENDING = "pending", _("sans réponse")
    PRESENT = "present", _("présent")
    REMOTE = "remote", _("à distance")
    ABSENT = "absent", _("absent")


class Convocation(models.Model):
    """One member convened to one session: the answer given from the personal link
    (``attendance``, ``proxy``), then the attendance the secretary confirms when the session
    is held (``actual``, ``actual_proxy``)."""

    session = models.ForeignKey(BoardSession, on_delete=models.CASCADE, related_name="convocations")
    member = models.ForeignKey(
        "partners.Contact", on_delete=models.PROTECT, related_name="convocations"
    )
    attendance = models.CharField(
        _("réponse"), max_length=16, choices=Attendance.choices, default=Attendance.PENDING
    )
    proxy = models.ForeignKey(
        "partners.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proxies_received",
        verbose_name=_("pouvoir donné à"),
    )
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    actual = models.CharField(
        _("présence constatée"), max_length=16, choices=Attendance.choices, blank=True
    )
    actual_proxy = models.ForeignKey(
        "partners.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proxies_held",
        verbose_name=_("pouvoir constaté"),
    )
    link_nonce = models.CharField(_("clé du lien personnel"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("convoqué le"), default=timezone.now)

    class Meta:
        ordering = ["session", "member__last_name", "member__first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"], name="one_convocation_per_member"
            ),
            models.CheckConstraint(
                condition=Q(proxy__isnull=True) | Q(attendance="absent"),
                name="proxy_only_when_absent",
            ),
        ]
        verbose_name = _("convocation")
        verbose_name_plural = _("convocations")

    def __str__(self) -> str:
        return f"{self.member} - {self.session}"
