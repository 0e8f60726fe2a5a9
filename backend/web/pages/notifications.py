"""The notification centre (what the signed-in person received, read or not) and the
notification preferences (per kind: immediately, in the daily digest, or not at all).

The pages call the same services as the API: ``notifications.inbox`` (received, mark_read,
mark_all_read) and ``notifications.delivery.unsubscribe.set_delivery`` (which refuses to turn
off a kind that carries a deadline or a decision)."""

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from backend.web.access import staff_required
from backend.web.commands import run_command
from backend.web.forms.commands import NextForm
from notifications.delivery.unsubscribe import set_delivery
from notifications.inbox import mark_all_read, mark_read, received
from notifications.models import MANDATORY_KINDS, Delivery
from notifications.planning.preferences import LISTED_KINDS, preferences_of
from notifications.sentences import describe

PAGE_SIZE = 20
UNREAD_PARAM = "non-lues"

# Where a notification without an action leads: the page of its subject, by model.
SUBJECT_PAGES = {
    ("board", "boardsession"): ("web:board_detail", _("Voir la séance du conseil")),
    ("evaluations", "evaluation"): ("web:evaluation_detail", _("Voir l'évaluation")),
    ("territories", "territoryproject"): ("web:project_detail", _("Voir le projet de territoire")),
}


# --- the notification centre -----------------------------------------------------------------


def _link_of(notification) -> tuple[str, str, str] | None:
    """(url, text, prefix) of the page a notification is about; None when there is none."""
    if notification.action_id:
        url = reverse("web:action_detail", args=[notification.action_id])
        return url, notification.action.title, _("Action :")
    subject_type = ContentType.objects.get_for_id(notification.subject_type_id)  # cached
    page = SUBJECT_PAGES.get((subject_type.app_label, subject_type.model))
    if page is None:
        return None
    name, text = page
    return reverse(name, args=[notification.subject_id]), text, ""


def _safe_next(request, fallback: str) -> str:
    form = NextForm(request.POST)
    target = form.cleaned_data["next"] if form.is_valid() else ""
    centre = reverse("web:notification_centre")
    if target.startswith(centre) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@staff_required
def notification_centre(request):
    unread_only = request.GET.get(UNREAD_PARAM) == "1"
    rows = received(request.user).select_related("action")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    texts = describe(list(page.object_list))  # who did what, read for the whole page
    items = [
        {
            "notification": notification,
            "link": _link_of(notification),
            "text": texts[notification.pk],
        }
        for notification in page.object_list
    ]
    unread = received(request.user).filter(read_at__isnull=True).count()
    return render(
        request,
        "web/notifications/centre.html",
        {
            "title": _("Mes notifications"),
            "nav": "notifications",
            "items": items,
            "page": page,
            "unread_only": unread_only,
            "unread": unread,
            "filter_query": f"{UNREAD_PARAM}=1&" if unread_only else "",
        },
    )


@require_POST
@staff_required
def read_one(request, pk: int):
    notification = received(request.user).filter(pk=pk).first()
    if notification is None:  # someone else's, or not received: not found
        raise Http404
    run_command(request, mark_read, notification, success=_("Notification marquée comme lue."))
    return redirect(_safe_next(request, reverse("web:notification_centre")), permanent=False)


@require_POST
@staff_required
def read_all(request):
    count, _status = run_command(request, mark_all_read, request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "Une notification marquée comme lue.",
                "%(count)d notifications marquées comme lues.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("Aucune notification non lue."))
    return redirect(_safe_next(request, reverse("web:notification_centre")))


# --- the preferences -------------------------------------------------------------------------


class PreferencesForm(forms.Form):
    """One radio group per kind of message. Every delivery is accepted here: the service says
    which kinds cannot be delayed or turned off (a forged POST gets its refusal)."""

    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        for kind in LISTED_KINDS:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                required=kind not in MANDATORY_KINDS,  # disabled radios are not posted
                initial=current[kind.value],
            )

    def changes(self) -> dict[str, str]:
        """The kinds whose delivery the person changed (a missing mandatory kind: unchanged)."""
        return {
            kind: delivery
            for kind, delivery in self.cleaned_data.items()
            if delivery and delivery != self.current[kind]
        }

    def save(self, user) -> bool:
        """Apply the changes through the service, all or nothing; False with field errors."""
        refused = {}
        with transaction.atomic():
            for kind, delivery in self.changes().items():
                try:
                    set_delivery(user, kind, delivery)
                except ValidationError as exc:
                    refused[kind] = exc.messages
            if refused:
                transaction.set_rollback(True)
        for kind, reasons in refused.items():
            for reason in reasons:
                self.add_error(kind, reason)
        return not refused


def _groups(form) -> list[dict]:
    """The fieldsets of the page: one per kind, with its radios."""
    groups = []
    for kind in LISTED_KINDS:
        field = form[kind.value]
        mandatory = kind in MANDATORY_KINDS
        value = field.value() or Delivery.IMMEDIATE
        choices = [(Delivery.IMMEDIATE.value, Delivery.IMMEDIATE.label)]
        if not mandatory:
            choices = list(Delivery.choices)
        groups.append(
            {
                "name": kind.value,
                "label": kind.label,
                "mandatory": mandatory,
                "errors": field.errors,
                "value": Delivery.IMMEDIATE.value if mandatory else value,
                "choices": [
                    {"value": v, "label": label, "id": f"pref-{kind.value}-{v}"}
                    for v, label in choices
                ],
            }
        )
    return groups


@staff_required
def preferences(request):
    current = {row["kind"]: row["delivery"] for row in preferences_of(request.user)}
    form = PreferencesForm(request.POST or None, current=current)
    status = 200
    if request.method == "POST":
        if form.is_valid() and form.save(request.user):
            messages.success(request, _("Vos préférences de notification sont enregistrées."))
            return redirect("web:preferences")
        status = 400
    groups = _groups(form)
    return render(
        request,
        "web/notifications/preferences.html",
        {
            "title": _("Préférences de notification"),
            "nav": "notifications",
            "form": form,
            "optional": [g for g in groups if not g["mandatory"]],
            "mandatory": [g for g in groups if g["mandatory"]],
            "errors": [g for g in groups if g["errors"]],
        },
        status=status,
    )


urlpatterns = [
    path("mes-notifications/", notification_centre, name="notification_centre"),
    path("mes-notifications/tout-lu/", read_all, name="notifications_read_all"),
    path("mes-notifications/<int:pk>/lue/", read_one, name="notification_read"),
    path("mes-notifications/preferences/", preferences, name="preferences"),
]
