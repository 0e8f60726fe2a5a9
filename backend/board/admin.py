from django.contrib import admin

from backend.board.models import BoardSession


@admin.register(BoardSession)
class BoardSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "location", "state"]
    list_filter = ["state"]
    readonly_fields = ["state"]
