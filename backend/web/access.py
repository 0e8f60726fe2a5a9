"""Who may open a staff page: a signed-in, active staff member. Anyone else is sent to the
sign-in page (anonymous) or gets a 403 page (a signed-in account without a staff role).

What each person sees inside a page is scoped by ``backend.accounts.scoping`` (their territories),
exactly as in the API, so a page never shows what the API would hide."""

from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse_lazy

from backend.web import drafts

LOGIN_URL = reverse_lazy("web:login")


def _refusal(request):
    if not request.user.is_authenticated:
        if request.method == "POST":  # a form sent after the session expired: kept
            return redirect_to_login(drafts.keep(request), LOGIN_URL)
        return redirect_to_login(request.get_full_path(), LOGIN_URL)
    if not request.user.is_staff_member:
        return render(request, "web/forbidden.html", status=403)
    return None


def staff_required(view):
    """Decorator for function views."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return _refusal(request) or view(request, *args, **kwargs)

    return wrapper


class StaffRequiredMixin(AccessMixin):
    """Mixin for class-based views (put it first in the bases)."""

    def dispatch(self, request, *args, **kwargs):
        return _refusal(request) or super().dispatch(request, *args, **kwargs)
