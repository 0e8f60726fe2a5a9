from django.contrib import admin

from backend.partners.models import Contact, ContactAnonymisation, Organisation
from backend.partners.services import email_changed
from workflows.admin import ReadOnlyAdmin


def _log_new_address(request, form) -> None:
    """A contact's address changed here: as through the API (backend.partners.services)."""
    if form.instance.pk and "email" in form.changed_data and form.initial.get("email"):
        email_changed(form.instance, form.initial["email"], user=request.user)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind", "territories"]
    search_fields = ["name"]
    filter_horizontal = ["territories"]
    inlines = [ContactInline]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for inline in formset.forms:
            if inline not in formset.deleted_forms:
                _log_new_address(request, inline)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "organisation", "category", "email"]
    list_filter = ["category", "organisation__kind"]
    search_fields = ["last_name", "first_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            _log_new_address(request, form)


@admin.register(ContactAnonymisation)
class ContactAnonymisationAdmin(ReadOnlyAdmin):
    """What the retention rule did (``manage.py anonymise_closed``): read-only, like the log."""

    list_display = [
        "anonymised_at",
        "contact",
        "last_action_ended_at",
        "actions",
        "retention_years",
    ]
    date_hierarchy = "anonymised_at"
    list_select_related = ["contact__organisation"]
