"""A webhook's page, for administrators: where it sends, whether it is on, since when it fails
and why it was switched off, its latest attempts; and switching it on again (what it had
pending then leaves). The « webhook désactivé » e-mail links here: an administrator opens it
with their staff account, whether or not they may enter the Django admin.

The service is the API's (``webhooks.endpoints.update_endpoint``)."""

from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.web.access import staff_required
from backend.web.commands import run_command
from backend.web.pages.actions import redirect_303
from webhooks.endpoints import update_endpoint
from webhooks.models import Attempt, Endpoint

ATTEMPTS_SHOWN = 20


def _refused(request):
    """Administrators only (as the API's webhooks): a 403 page for other staff."""
    if request.user.is_admin:
        return None
    return render(request, "web/forbidden.html", status=403)


@staff_required
@require_http_methods(["GET", "HEAD"])
def webhook_detail(request, pk):
    refused = _refused(request)
    if refused:
        return refused
    endpoint = get_object_or_404(Endpoint.objects.select_related("owner"), pk=pk)
    attempts = (
        Attempt.objects.filter(endpoint=endpoint)
        .select_related("delivery")
        .order_by("-at", "-id")[:ATTEMPTS_SHOWN]
    )
    context = {"endpoint": endpoint, "attempts": attempts, "title": _("Webhook")}
    return render(request, "web/webhooks/detail.html", context)


@staff_required
@require_POST
def webhook_switch_on(request, pk):
    refused = _refused(request)
    if refused:
        return refused
    endpoint = get_object_or_404(Endpoint, pk=pk)
    if not endpoint.active:
        success = _("Webhook réactivé : les événements en attente vont lui être envoyés.")
        run_command(request, update_endpoint, endpoint, active=True, success=success)
    return redirect_303(reverse("web:webhook_detail", args=[pk]))


urlpatterns = [
    path("webhooks/<int:pk>/", webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/reactiver/", webhook_switch_on, name="webhook_switch_on"),
]
