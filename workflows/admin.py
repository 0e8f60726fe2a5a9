from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from workflows.engine import state_label, transition_done
from workflows.models import TransitionLog


class ReadOnlyAdmin(admin.ModelAdmin):
    """An append-only record (the transition log here, the anonymisations of
    ``backend.partners``): read, never changed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdmin):
    """The log is append-only: it can be read, never changed."""

    list_display = [
        "at",
        "action",
        "done",
        "source_label",
        "target_label",
        "actor_label",
        "automatic",
    ]
    list_filter = ["automatic", "subject_type", "transition"]
    search_fields = ["action__title", "actor_label", "comment"]
    date_hierarchy = "at"
    list_select_related = ["action", "subject_type"]

    # The names people read, as the machines declare them, not the codes (« soumise à la
    # consultation », « en consultation »), for each kind of subject the log holds.
    @admin.display(description=_("étape"), ordering="transition")
    def done(self, log: TransitionLog) -> str:
        return transition_done(log.subject_type.model_class(), log.transition)

    @admin.display(description=_("état de départ"), ordering="source")
    def source_label(self, log: TransitionLog) -> str:
        return _state(log, log.source)

    @admin.display(description=_("état d'arrivée"), ordering="target")
    def target_label(self, log: TransitionLog) -> str:
        return _state(log, log.target)


def _state(log: TransitionLog, state: str) -> str:
    return state_label(log.subject_type.model_class(), state)
