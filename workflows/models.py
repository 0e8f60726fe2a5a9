"""The transition log: one append-only row for every state change of every workflow."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class TransitionLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The transition log is append-only.")

    def delete(self):
        raise AppendOnlyError("The transition log is append-only.")

    def anonymise_actor_label(self, label: str) -> int:
        """The one change the log accepts: the author's label of these rows replaced, for the
        personal-data retention (what was done stays: the transition, the states, the time).
        Inside the caller's transaction; on PostgreSQL the trigger checks that nothing else
        changes, and only while this transaction says it is anonymising."""
        connection = connections[self.db]
        if connection.vendor != "postgresql":
            return super().update(actor_label=label)
        if connection.get_autocommit():
            raise AppendOnlyError("Anonymising the log needs the caller's transaction.")
        with connection.cursor() as cursor:
            cursor.execute(_ANONYMISING, ["on"])
            updated = super().update(actor_label=label)
            cursor.execute(_ANONYMISING, ["off"])
        return updated


# A setting of the current transaction only: the database forgets it at its end.
_ANONYMISING = "SELECT set_config('workflows.anonymising', %s, true)"


class TransitionLog(models.Model):
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.BigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    # The action every logged subject belongs to (an action, or one of its roles), so that an
    # action's history is one indexed query.
    action = models.ForeignKey(
        "actions.Action",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transition_logs",
        verbose_name=_("action"),
    )
    transition = models.CharField(_("transition"), max_length=64)
    source = models.CharField(_("état de départ"), max_length=32)
    target = models.CharField(_("état d'arrivée"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    actor_label = models.CharField(_("auteur (libellé)"), max_length=200)
    automatic = models.BooleanField(_("automatique"), default=False)
    comment = models.TextField(_("commentaire"), blank=True)
    # What a row that records a fact says besides (a role amended: {field: [before, after]}).
    details = models.JSONField(_("détails"), null=True, blank=True)
    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    objects = TransitionLogQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"])]
        verbose_name = _("journal des transitions")
        verbose_name_plural = _("journal des transitions")

    def __str__(self) -> str:
        return f"{self.transition}: {self.source} -> {self.target} ({self.actor_label})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The transition log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The transition log is append-only.")


class StateStay(models.Model):
    """One passage of a subject through a state: from the transition that brought it there
    (``entered_at``, its log row's time) to the next transition that changed its state
    (``left_at``; empty while the subject is there). Written by the engine in the
    transaction of the transition's log rows (``workflows.stays``), for the models that
    declare ``workflow_stays = True``; what the log says, kept in the shape the time spent
    in each state is read from (one row per passage instead of a window over the log)."""

    # No index of its own: the indexes below begin with it.
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    subject_id = models.BigIntegerField()
    state = models.CharField(_("état"), max_length=32)
    entered_at = models.DateTimeField(_("entrée"))
    left_at = models.DateTimeField(_("sortie"), null=True, blank=True)

    class Meta:
        constraints = [
            # One passage under way per subject: the one the next transition ends.
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=models.Q(left_at__isnull=True),
                name="workflows_one_open_stay",
            )
        ]
        indexes = [
            # The finished passages through a state, in the order of their subjects (their
            # days summed per subject as the index is read: the time in each state).
            models.Index(
                fields=["subject_type", "state", "subject_id"],
                include=["entered_at", "left_at"],
                condition=models.Q(left_at__isnull=False),
                name="workflows_stay_finished",
            ),
            # The passages under way in a state (the subjects there now).
            models.Index(
                fields=["subject_type", "state"],
                include=["subject_id", "entered_at"],
                condition=models.Q(left_at__isnull=True),
                name="workflows_stay_current",
            ),
        ]
        verbose_name = _("séjour dans un état")
        verbose_name_plural = _("séjours dans un état")

    def __str__(self) -> str:
        return f"{self.state}: {self.entered_at} -> {self.left_at or '…'}"
