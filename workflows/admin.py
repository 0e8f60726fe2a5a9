from django.contrib import admin

from backend.core.admin import ReadOnlyAdmin
from workflows.models import TransitionLog


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdmin):
    """The log is append-only: it can be read, never changed."""

    list_display = ["at", "action", "transition", "source", "target", "actor_label", "automatic"]
    list_filter = ["transition", "automatic", "subject_type"]
    search_fields = ["action__title", "actor_label", "comment"]
    date_hierarchy = "at"
