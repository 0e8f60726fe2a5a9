from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "get_full_name", "email", "role", "is_active"]
    list_filter = ["role", "territories", "is_active"]
    filter_horizontal = ["territories", "groups", "user_permissions"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Rôle à la CAF"), {"fields": ["role", "territories"]}),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        (_("Rôle à la CAF"), {"fields": ["email", "role", "territories"]}),
    ]
