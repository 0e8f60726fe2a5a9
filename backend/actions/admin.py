from django.contrib import admin

from backend.actions.models import Action, RoleAssignment
from workflows.models import TransitionLog


class RoleInline(admin.StackedInline):
    model = RoleAssignment
    extra = 0
    readonly_fields = ["state", "invited_at", "responded_at", "response_comment"]
    autocomplete_fields = ["organisation", "contact"]


class TransitionLogInline(admin.TabularInline):
    model = TransitionLog
    fk_name = "action"
    extra = 0
    can_delete = False
    fields = ["at", "transition", "source", "target", "actor_label", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    """States change only through transitions (the API, the service): read-only here."""

    list_display = ["title", "project", "commune", "state", "consultation_deadline"]
    list_filter = ["state", "project__territory", "project__year"]
    search_fields = ["title", "summary"]
    readonly_fields = ["state", "board_session", "created_at", "updated_at"]
    filter_horizontal = ["findings"]
    inlines = [RoleInline, TransitionLogInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["action", "organisation", "kind", "contact", "state"]
    list_filter = ["kind", "state", "action__project__territory"]
    search_fields = ["action__title", "organisation__name"]
    readonly_fields = ["state", "invited_at", "responded_at", "response_comment"]
    autocomplete_fields = ["organisation", "contact"]
