from django.contrib import admin

from backend.territories.models import (
    Axis,
    Commune,
    Diagnostic,
    Finding,
    Neighbourhood,
    Territory,
    TerritoryProject,
)


class CommuneInline(admin.TabularInline):
    model = Commune
    extra = 0


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CommuneInline]


class NeighbourhoodInline(admin.TabularInline):
    model = Neighbourhood
    extra = 0


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "insee_code", "territory"]
    list_filter = ["territory"]
    search_fields = ["name", "insee_code"]
    inlines = [NeighbourhoodInline]


class AxisInline(admin.StackedInline):
    model = Axis
    extra = 0


@admin.register(TerritoryProject)
class TerritoryProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "territory", "year"]
    list_filter = ["territory", "year"]
    search_fields = ["title"]
    inlines = [AxisInline]


class FindingInline(admin.StackedInline):
    model = Finding
    extra = 0
    autocomplete_fields = ["commune"]


@admin.register(Diagnostic)
class DiagnosticAdmin(admin.ModelAdmin):
    list_display = ["project", "established_on"]
    list_filter = ["project__territory", "project__year"]
    inlines = [FindingInline]
