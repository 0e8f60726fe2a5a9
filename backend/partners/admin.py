from django.contrib import admin

from backend.core.admin import ReadOnlyAdmin
from backend.partners.models import Contact, ContactAnonymisation, Organisation


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


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "organisation", "category", "email"]
    list_filter = ["category", "organisation__kind"]
    search_fields = ["last_name", "first_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation"]


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
