"""The board session's state machine, declared: planned -> agenda_published -> held -> closed;
planned or agenda_published -> cancelled (with a reason)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_fsm import FSMField, FSMModelMixin, transition

from backend.accounts.models import StaffRole
from backend.accounts.permissions import StaffPermission
from workflows.engine import Guard

BS = StaffRole.BOARD_SECRETARY


class BoardSessionState(models.TextChoices):
    PLANNED = "planned", _("planifiée")
    AGENDA_PUBLISHED = "agenda_published", _("ordre du jour publié")
    HELD = "held", _("tenue")
    CLOSED = "closed", _("close")
    CANCELLED = "cancelled", _("annulée")


B = BoardSessionState

# The session's transitions in the order they happen (its page's buttons, the API's);
# ``cancel`` asks for a reason: the page has a form of its own for it.
SESSION_TRANSITIONS = ("publish_agenda", "hold", "close")
CANCEL = "cancel"
# Until it is held, a session's date, time and place may change (``backend.board.sessions``).
MOVABLE_STATES = (BoardSessionState.PLANNED, BoardSessionState.AGENDA_PUBLISHED)


def _has_agenda(session) -> bool:
    return session.agenda_items.exists()


def _still_to_come(session) -> bool:
    return session.date > timezone.now()


def _day_has_come(session) -> bool:
    return timezone.localdate(session.date) <= timezone.localdate()


def _undecided(session) -> int:
    return session.agenda_items.filter(action__isnull=False, action__state="scheduled").count()


def _undecided_reason(session) -> str:
    count = _undecided(session)
    return ngettext(
        "Une action de l'ordre du jour attend sa décision.",
        "%(count)d actions de l'ordre du jour attendent leur décision.",
        count,
    ) % {"count": count}


has_agenda = Guard(_has_agenda, _("L'ordre du jour est vide."))
still_to_come = Guard(_still_to_come, _("La séance est déjà passée."))
day_has_come = Guard(_day_has_come, _("La séance ne peut être tenue avant sa date."))
all_decided = Guard(lambda session: _undecided(session) == 0, _undecided_reason)


class BoardSessionWorkflow(FSMModelMixin, models.Model):
    state = FSMField(
        _("état"), default=B.PLANNED, choices=BoardSessionState.choices, protected=True
    )

    class Meta:
        abstract = True

    @transition(
        field=state,
        source=B.PLANNED,
        target=B.AGENDA_PUBLISHED,
        conditions=[has_agenda, still_to_come],
        permission=StaffPermission(BS),
        custom={"label": _("publier l'ordre du jour")},
    )
    def publish_agenda(self):
        """The agenda is final and sent to the members and partners."""

    @transition(
        field=state,
        source=B.AGENDA_PUBLISHED,
        target=B.HELD,
        conditions=[day_has_come],
        permission=StaffPermission(BS),
        custom={"label": _("tenir la séance")},
    )
    def hold(self):
        """The session takes place: decisions can be recorded."""

    @transition(
        field=state,
        source=B.HELD,
        target=B.CLOSED,
        conditions=[all_decided],
        permission=StaffPermission(BS),
        custom={"label": _("clore la séance")},
    )
    def close(self):
        """Every action on the agenda has its decision."""

    @transition(
        field=state,
        source=list(MOVABLE_STATES),
        target=B.CANCELLED,
        permission=StaffPermission(BS),
        custom={
            "label": _("annuler la séance"),
            "done": _("annulée"),
            "comment_required": True,
        },
    )
    def cancel(self):
        """The session will not take place (a comment says why): its actions wait for
        another session, everyone convened is told."""
