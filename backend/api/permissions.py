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
    """Reading for every staff member; creating and editing for the roles the view names in
    ``write_roles`` (directors and administrators always). Workflow endpoints (transitions,
    withdrawals) are decided by each transition's own permission."""

    message = _("Votre rôle ne permet pas cette modification.")
    edits = {"create", "update", "partial_update"}

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS or getattr(view, "action", None) not in self.edits:
            return True
        return request.user.has_role(*view.write_roles)
