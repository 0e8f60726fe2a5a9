"""Webhooks: the endpoints an administrator registers, and the outbox of their deliveries.

A delivery is a row written in the transaction of the transition it announces (one per
transition log row and subscribed endpoint, ``webhooks.outbox``), then sent by the worker
(``webhooks.delivery``) with retries under the same ``webhook-id``. Each try leaves an
``Attempt``: the endpoint's delivery log.

Nothing here imports the domain apps: the engine (``workflows``) writes the outbox rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    ACTION = "action.transition", _("transition d'une action")
    ROLE = "role.transition", _("transition d'un rôle de partenaire")
    BOARD_SESSION = "board_session.transition", _("transition d'une séance du conseil")
    EVALUATION = "evaluation.transition", _("transition d'une évaluation")


ALL_EVENTS = "*"  # every event type, present and future
SEPARATOR = ","  # ``Endpoint.events`` is stored as "a,b" (or "*"): matched in one statement


class Endpoint(models.Model):
    url = models.URLField(_("adresse (URL)"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.CharField(
        _("événements"),
        max_length=200,
        default=ALL_EVENTS,
        help_text=_("Les types d'événements envoyés, séparés par des virgules, ou * pour tous."),
    )
    active = models.BooleanField(_("actif"), default=True)
    secret = models.CharField(_("secret de signature"), max_length=100, editable=False)
    # During a rotation the deliveries are signed with both secrets (Standard Webhooks allows
    # several signatures), until ``previous_secret_expires_at``.
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(
        _("ancien secret valable jusqu'au"), null=True, blank=True, editable=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("administrateur responsable"),
        help_text=_("Prévenu par e-mail si le webhook est désactivé après des échecs."),
    )
    failing_since = models.DateTimeField(_("en échec depuis"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("désactivé le"), null=True, blank=True)
    disabled_reason = models.TextField(_("raison de la désactivation"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url

    @property
    def event_list(self) -> list[str]:
        return [event for event in self.events.split(SEPARATOR) if event]

    @staticmethod
    def join_events(events) -> str:
        """The stored form of a list of event types ("*" when it names them all or "*")."""
        chosen = set(events)
        if ALL_EVENTS in chosen:
            return ALL_EVENTS
        return SEPARATOR.join(event for event in EventType.values if event in chosen)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("à envoyer")
    SENDING = "sending", _("en cours d'envoi")
    DELIVERED = "delivered", _("livrée")
    FAILED = "failed", _("abandonnée")


class Delivery(models.Model):
    """One event for one endpoint: sent, and retried if need be, under one ``webhook-id``."""

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    log = models.ForeignKey(
        "workflows.TransitionLog",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("transition"),
    )
    event_type = models.CharField(_("type"), max_length=40, choices=EventType.choices)
    status = models.CharField(
        _("état"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"))
    claimed_at = models.DateTimeField(_("réservée le"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("livrée le"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("dernier code HTTP"), null=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créée le"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "log"], name="one_delivery_per_event"),
        ]
        indexes = [
            # The sweep's query: the due pending rows (partial index).
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["status", "claimed_at"], name="webhook_delivery_claims"),
        ]
        verbose_name = _("livraison")
        verbose_name_plural = _("livraisons")

    def __str__(self) -> str:
        return f"{self.webhook_id} -> {self.endpoint_id} ({self.get_status_display()})"

    @property
    def webhook_id(self) -> str:
        """The Standard Webhooks message id: one per event, the same on every retry."""
        return f"msg_{self.log_id}"


class Attempt(models.Model):
    """One try of a delivery: the endpoint's delivery log."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("livraison")
    )
    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("webhook")
    )
    number = models.PositiveSmallIntegerField(_("tentative n°"))
    at = models.DateTimeField(_("le"))
    status_code = models.PositiveSmallIntegerField(_("code HTTP"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    duration_ms = models.PositiveIntegerField(_("durée (ms)"), default=0)
    succeeded = models.BooleanField(_("réussie"), default=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["endpoint", "-at"], name="webhook_attempts_of_endpoint")]
        verbose_name = _("tentative de livraison")
        verbose_name_plural = _("tentatives de livraison")

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error[:40]}"
