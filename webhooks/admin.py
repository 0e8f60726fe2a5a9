"""The administrators register the endpoints here too; the delivery log is read-only."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from webhooks.addresses import refusal
from webhooks.endpoints import new_secret, rotate_secret
from webhooks.models import ALL_EVENTS, Attempt, Delivery, Endpoint, EventType


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("adresse (URL)"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("événements"),
        choices=[(ALL_EVENTS, _("tous (*)")), *EventType.choices],
        widget=forms.CheckboxSelectMultiple,
        initial=[ALL_EVENTS],
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "event_types", "active", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["event_types"] = self.instance.event_list

    def clean_url(self):
        url = self.cleaned_data["url"]
        reason = refusal(url) if url != self.instance.url else ""
        if reason:
            raise forms.ValidationError(reason)
        return url

    def save(self, commit=True):
        self.instance.events = Endpoint.join_events(self.cleaned_data["event_types"])
        return super().save(commit)


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "events", "active", "failing_since", "disabled_at", "owner"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    readonly_fields = [
        "failing_since",
        "disabled_at",
        "disabled_reason",
        "previous_secret_expires_at",
        "created_at",
    ]
    actions = ["rotate"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.secret = new_secret()
            obj.owner = obj.owner or request.user
        elif "active" in form.changed_data and obj.active:
            obj.failing_since, obj.disabled_at, obj.disabled_reason = None, None, ""
        super().save_model(request, obj, form, change)
        if not change:
            self._show_secret(request, obj)

    @admin.action(description=_("Renouveler le secret (l'ancien signe encore 24 h)"))
    def rotate(self, request, queryset):
        for endpoint in queryset:
            self._show_secret(request, rotate_secret(endpoint))

    def _show_secret(self, request, endpoint):
        self.message_user(
            request,
            _("Secret de %(url)s, à copier maintenant (il ne sera plus affiché) : %(secret)s")
            % {"url": endpoint.url, "secret": endpoint.secret},
            messages.WARNING,
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "endpoint", "event_type", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "event_type", "endpoint"]


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ["at", "endpoint", "delivery", "number", "status_code", "succeeded", "error"]
    list_filter = ["succeeded", "endpoint"]
    date_hierarchy = "at"
