from django.contrib import admin

from workflows.models import TransitionLog


@admin.register(TransitionLog)
class TransitionLogAdmin(admin.ModelAdmin):
    """The log is append-only: it can be read, never changed."""

    list_display = ["at", "action", "transition", "source", "target", "actor_label", "automatic"]
    list_filter = ["transition", "automatic", "subject_type"]
    search_fields = ["action__title", "actor_label", "comment"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
