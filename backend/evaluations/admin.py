from django.contrib import admin

from backend.evaluations.models import Evaluation


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["action", "due_date", "state"]
    list_filter = ["state"]
