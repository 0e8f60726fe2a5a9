from django.contrib import admin

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

    list_display = ["at", "action", "transition", "source", "target", "actor_label", "automatic"]
    list_filter = ["transition", "automatic", "subject_type"]
    search_fields = ["action__title", "actor_label", "comment"]
    date_hierarchy = "at"
