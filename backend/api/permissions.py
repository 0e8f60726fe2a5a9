from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsStaffMember(BasePermission):
    """Any active CAF staff account (a role, or a superuser)."""

    message = _("Réservé au personnel de la CAF.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff_member)


class IsAdminRole(IsStaffMember):
    message = _("Réservé aux administrateurs.")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.user.is_admin


class ReadOnlyOrRoles(IsStaffMember):
    """Reading for every staff member; writing for the roles the view names in
    ``write_roles`` (directors and administrators always)."""

    message = _("Votre rôle ne permet pas cette modification.")

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or request.user.has_role(*view.write_roles)
