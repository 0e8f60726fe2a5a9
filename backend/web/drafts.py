"""Nothing typed is lost when a session ends under a half-written form.

A form sent by someone whose session has expired is kept in their (new, anonymous) session
before they are sent to sign in; once signed in, they land on a page that shows what they had
typed and sends it on with one button, to the page it was meant for, or lets them drop it.
Nothing is sent without that click: the kept form carries no CSRF token of its own, the page
posts it with a fresh one. Django's ``login`` keeps an anonymous session's data (it only
changes its key), so the kept form survives the sign-in. One form is kept, the last; it is
dropped after a day, and on sign-out with the rest of the session."""

import datetime

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

SESSION_KEY = "web.kept_form"
KEPT_FOR = datetime.timedelta(days=1)
NOT_KEPT = {"csrfmiddlewaretoken"}
RESUME_URL = "web:resume_form"


def keep(request) -> str:
    """Keep the POSTed form of ``request``; the address to come back to after sign-in."""
    request.session[SESSION_KEY] = {
        "path": request.get_full_path(),
        "fields": [[name, value] for name, value in request.POST.lists() if name not in NOT_KEPT],
        "at": timezone.now().isoformat(),
    }
    return reverse(RESUME_URL)


def kept(request) -> dict | None:
    form = request.session.get(SESSION_KEY)
    if not form:
        return None
    if timezone.now() - datetime.datetime.fromisoformat(form["at"]) > KEPT_FOR:
        del request.session[SESSION_KEY]
        return None
    if not url_has_allowed_host_and_scheme(form["path"], allowed_hosts=None):
        return None
    return form


@require_http_methods(["GET", "POST"])
def resume_form(request):
    """(Signed-in staff, see ``access``.) What was being sent, to send or to drop."""
    form = kept(request)
    if request.method == "POST":  # « Abandonner »
        request.session.pop(SESSION_KEY, None)
        return redirect("web:dashboard")
    if form is None:
        return redirect("web:dashboard")
    fields = [(name, value) for name, values in form["fields"] for value in values]
    request.session.pop(SESSION_KEY)  # shown once: sent or dropped from this page
    return render(
        request,
        "web/resume_form.html",
        {
            "title": _("Reprendre votre saisie"),
            "target": form["path"],
            "fields": fields,
            "shown": [(name, value) for name, value in fields if str(value).strip()],
        },
    )
