"""Failed deliveries, from the action page: staff correct the address of a contact whose
e-mails were refused for good, and the failed messages go again, in one step.

The view calls one service (``backend.partners.services.correct_email_and_resend``): the rule
for changing a shared contact, the old links that stop working, the history row and the
messages planned again through the outbox are all there. Nothing is sent from here."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from backend.partners.models import Contact
from backend.partners.services import correct_email_and_resend
from backend.web.access import staff_required
from backend.web.commands import refuse_form, run_command
from backend.web.forms.commands import CorrectEmailForm
from backend.web.pages.actions import detail_url, redirect_303
from backend.web.selectors.actions import action_queryset
from notifications.models import Status

ANCHOR = "#envois-en-echec"


@staff_required
@require_POST
def correct_and_resend(request, pk, contact_pk):
    action = get_object_or_404(action_queryset(request.user), pk=pk)
    failed = action.notifications.filter(contact_id=contact_pk, status=Status.FAILED)
    if not failed.exists():  # only a contact whose messages about this action failed
        raise Http404
    contact = get_object_or_404(Contact.objects.select_related("organisation"), pk=contact_pk)
    form = CorrectEmailForm(request.POST)
    if not form.is_valid():
        refuse_form(request, form)
        return redirect_303(detail_url(action) + ANCHOR)
    resent, _status = run_command(
        request, correct_email_and_resend, user=request.user, contact=contact, **form.cleaned_data
    )
    if resent is not None:
        message = ngettext(
            "Adresse de %(name)s enregistrée : %(count)d message renvoyé à %(email)s.",
            "Adresse de %(name)s enregistrée : %(count)d messages renvoyés à %(email)s.",
            len(resent),
        )
        values = {
            "name": contact.full_name,
            "count": len(resent),
            "email": form.cleaned_data["email"],
        }
        messages.success(request, message % values)
    return redirect_303(detail_url(action) + ANCHOR)


urlpatterns = [
    path(
        "actions/<int:pk>/envois-en-echec/<int:contact_pk>/",
        correct_and_resend,
        name="correct_and_resend",
    ),
]
