"""Notifications are rows: planned in the transaction that causes them, cancelled in the one
that makes them moot, claimed and sent by the sweep. One row per subject, kind, recipient and
occasion (the invitation round, the answer, the days before a deadline, the decision, the
date): a second copy cannot exist."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    INVITATION = "invitation", _("invitation à répondre")
    REMINDER = "reminder", _("relance avant la date limite")
    ESCALATION = "escalation", _("alerte : date limite dépassée")
    ANSWER_RECEIVED = "answer_received", _("réponse d'un partenaire")
    CONSULTATION_COMPLETE = "consultation_complete", _("consultation terminée")
    AGENDA_PUBLISHED = "agenda_published", _("ordre du jour publié")
    SESSION_MOVED = "session_moved", _("séance déplacée")
    SESSION_CANCELLED = "session_cancelled", _("séance annulée")
    CONVOCATION = "convocation", _("convocation au conseil")
    ATTENDANCE_REMINDER = "attendance_reminder", _("relance : présence au conseil")
    BOARD_DECISION = "board_decision", _("décision du conseil")
    EVALUATION_DUE = "evaluation_due", _("évaluation à venir")
    EVALUATION_OVERDUE = "evaluation_overdue", _("évaluation en retard")
    REPORT_REQUESTED = "report_requested", _("compte rendu d'évaluation à remettre")
    ROLE_WITHDRAWN = "role_withdrawn", _("rôle retiré")
    CONSULTATION_REVISED = "consultation_revised", _("consultation suspendue")
    ACTION_WITHDRAWN = "action_withdrawn", _("action abandonnée")
    DIGEST = "digest", _("récapitulatif quotidien")
    WEBHOOK_DISABLED = "webhook_disabled", _("webhook désactivé après des échecs")


# Kinds that carry a deadline or a decision: they cannot be turned off or put in the digest.
MANDATORY_KINDS = frozenset(
    {
        Kind.INVITATION,
        Kind.REMINDER,
        Kind.ESCALATION,
        Kind.AGENDA_PUBLISHED,
        Kind.SESSION_MOVED,
        Kind.SESSION_CANCELLED,
        Kind.CONVOCATION,
        Kind.ATTENDANCE_REMINDER,
        Kind.BOARD_DECISION,
        Kind.EVALUATION_DUE,
        Kind.EVALUATION_OVERDUE,
        Kind.REPORT_REQUESTED,
        Kind.ROLE_WITHDRAWN,
        Kind.CONSULTATION_REVISED,
        Kind.ACTION_WITHDRAWN,
        Kind.WEBHOOK_DISABLED,
    }
)

# Kinds only partners receive (staff see the action's page): not in the staff's preferences.
PARTNER_KINDS = frozenset(
    {
        Kind.REPORT_REQUESTED,
        Kind.ROLE_WITHDRAWN,
        Kind.CONSULTATION_REVISED,
        Kind.ACTION_WITHDRAWN,
        Kind.CONVOCATION,  # a board member's, as the next one
        Kind.ATTENDANCE_REMINDER,
    }
)


class Status(models.TextChoices):
    PLANNED = "planned", _("prévue")
    CLAIMED = "claimed", _("en cours d'envoi")
    SENT = "sent", _("envoyée")
    IN_DIGEST = "in_digest", _("attend le récapitulatif")
    DIGESTED = "digested", _("envoyée dans le récapitulatif")
    SKIPPED = "skipped", _("non envoyée (préférence)")
    CANCELLED = "cancelled", _("annulée")
    FAILED = "failed", _("échec")
    UNCONFIRMED = "unconfirmed", _("envoi non confirmé")


# What tells one notice from another of the same kind to the same person about the same
# subject; each kind sets the fields of its occasion and leaves the others empty:
#   invitation        round
#   reminder          round, days_before, date (the consultation deadline)
#   escalation        date (the consultation deadline)
#   answer_received   answer, round
#   board_decision    decision_number
#   session_moved     round (the id of the session's change, ``board.SessionChange``)
#   convocation       round (the member's link), subject the session
#   attendance_reminder days_before, date (the session's day), subject the session
#   evaluation_due    days_before, date (the due date)
#   evaluation_overdue date (the due date)
#   report_requested  date (the due date)
#   role_withdrawn    round (the invitation round the partner knew)
#   consultation_revised round (the invitation round the partner knew)
#   action_withdrawn  (none: an action is withdrawn once)
#   digest            date (the day)
#   webhook_disabled  date (the day the endpoint was switched off)
# ``date`` is NULL for the kinds without one: the key is enforced by two partial unique
# constraints (rows with a date, rows without), which PostgreSQL and SQLite both support,
# rather than a made-up date or PostgreSQL's NULLS NOT DISTINCT (not in SQLite).
KEY = (
    "subject_type",
    "subject_id",
    "kind",
    "recipient_key",
    "round",
    "answer",
    "days_before",
    "decision_number",
    "date",
)


class Notification(models.Model):
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    round = models.CharField(_("tour d'invitation"), max_length=12, blank=True)
    answer = models.CharField(_("réponse du partenaire"), max_length=32, blank=True)
    days_before = models.PositiveSmallIntegerField(_("jours avant l'échéance"), default=0)
    decision_number = models.PositiveSmallIntegerField(_("décision n°"), default=0)
    date = models.DateField(
        _("date"),
        null=True,
        blank=True,
        help_text=_("L'échéance de la relance ou de l'alerte, ou le jour du récapitulatif."),
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.BigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    action = models.ForeignKey(
        "actions.Action",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("action"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("destinataire (personnel)"),
    )
    contact = models.ForeignKey(
        "partners.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("destinataire (partenaire)"),
    )
    recipient_key = models.CharField(max_length=32, editable=False)
    email = models.EmailField(_("adresse"))
    due_at = models.DateTimeField(_("à envoyer le"))
    status = models.CharField(
        _("état"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    claimed_at = models.DateTimeField(_("réservée le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    # What the e-mail must say that its subject no longer knows once it is sent: what an
    # amended role was before, why a role or an action was withdrawn.
    details = models.JSONField(_("détails"), default=dict, blank=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=KEY,
                condition=Q(date__isnull=False),
                name="one_dated_notification_per_key",
            ),
            models.UniqueConstraint(
                fields=[name for name in KEY if name != "date"],
                condition=Q(date__isnull=True),
                name="one_undated_notification_per_key",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(contact__isnull=False),
                name="notification_has_a_recipient",
            ),
        ]
        indexes = [
            # The sweep's query: the due planned rows, oldest first (partial index).
            models.Index(
                fields=["due_at"],
                name="notification_due_planned",
                condition=Q(status="planned"),
            ),
            models.Index(fields=["status", "claimed_at"], name="notification_claims"),
            # The analytics' reminders sent before an answer, in the order of their subjects.
            models.Index(
                fields=["subject_type", "subject_id"],
                include=["sent_at"],
                name="notification_sent_reminders",
                condition=Q(kind=Kind.REMINDER, status=Status.SENT),
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} -> {self.email} ({self.get_status_display()})"

    @property
    def recipient(self):
        return self.user or self.contact

    @property
    def language(self) -> str:
        if self.contact_id:
            return self.contact.preferred_language or "fr"
        return "fr"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("tout de suite")
    DIGEST = "digest", _("dans le récapitulatif quotidien")
    NONE = "none", _("jamais")


class Preference(models.Model):
    """How one person wants one kind of message (the default: immediately)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_preferences",
    )
    contact = models.ForeignKey(
        "partners.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    delivery = models.CharField(_("envoi"), max_length=16, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_user_kind"),
            models.UniqueConstraint(
                fields=["contact", "kind"], name="one_preference_per_contact_kind"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) ^ Q(contact__isnull=False),
                name="preference_has_one_owner",
            ),
        ]
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")

    def __str__(self) -> str:
        return f"{self.user or self.contact} : {self.get_kind_display()} -> {self.delivery}"


class ReminderPolicy(models.Model):
    """When reminders fall due, as data (one row per kind of deadline)."""

    CONSULTATION = "consultation"
    EVALUATION = "evaluation"
    BOARD_SESSION = "board_session"

    name = models.CharField(
        _("échéance"),
        max_length=32,
        unique=True,
        choices=[
            (CONSULTATION, _("consultation des partenaires")),
            (EVALUATION, _("évaluation")),
            (BOARD_SESSION, _("présence à une séance du conseil")),
        ],
    )
    reminder_offsets = models.JSONField(
        _("relances (jours avant l'échéance)"),
        help_text=_("Par exemple [5, 1]."),
    )
    business_days = models.BooleanField(_("en jours ouvrés"), default=True)
    escalation_offset = models.PositiveSmallIntegerField(
        _("alerte (jours après l'échéance)"), null=True, blank=True
    )
    send_from = models.TimeField(_("envoi à partir de"), default="08:30")
    send_until = models.TimeField(_("envoi jusqu'à"), default="18:00")

    class Meta:
        verbose_name = _("règle de relance")
        verbose_name_plural = _("règles de relance")

    def __str__(self) -> str:
        return self.get_name_display()
