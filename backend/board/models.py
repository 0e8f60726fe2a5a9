"""Board sessions (séances du conseil d'administration).

This is the part the action workflow needs (a session to be scheduled on); the session's own
state machine, agenda and decisions come with the board issue.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BoardSessionState(models.TextChoices):
    PLANNED = "planned", _("planifiée")
    AGENDA_PUBLISHED = "agenda_published", _("ordre du jour publié")
    HELD = "held", _("tenue")
    CLOSED = "closed", _("close")


class BoardSessionQuerySet(models.QuerySet):
    def open_for_scheduling(self):
        """Planned sessions still to come: actions may be put on their agenda."""
        return self.filter(state=BoardSessionState.PLANNED, date__gt=timezone.now())


class BoardSession(models.Model):
    date = models.DateTimeField(_("date et heure"))
    title = models.CharField(_("intitulé"), max_length=200)
    location = models.CharField(_("lieu"), max_length=200, blank=True)
    state = models.CharField(
        _("état"),
        max_length=32,
        choices=BoardSessionState.choices,
        default=BoardSessionState.PLANNED,
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
