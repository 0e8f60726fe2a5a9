from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import Notification, Preference, ReminderPolicy, Status


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Failed and unconfirmed sends are surfaced here (filter by state) and on the action."""

    list_display = ["due_at", "kind", "email", "action", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["email", "action__title"]
    date_hierarchy = "due_at"
    readonly_fields = [
        f.name for f in Notification._meta.fields if f.name not in ("status", "due_at")
    ]
    actions = ["send_again"]

    @admin.action(description=_("Renvoyer (après vérification)"))
    def send_again(self, request, queryset):
        count = queryset.filter(status__in=[Status.FAILED, Status.UNCONFIRMED]).update(
            status=Status.PLANNED, claimed_at=None
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d notification replanifiée.",
                "%(count)d notifications replanifiées.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "reminder_offsets",
        "business_days",
        "escalation_offset",
        "send_from",
        "send_until",
    ]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "contact", "kind", "delivery"]
    list_filter = ["kind", "delivery"]
