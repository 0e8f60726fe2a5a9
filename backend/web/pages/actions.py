"""The action page (summary, findings, role matrix, timeline, reminders, transitions) and the
forms that create and edit an action. The roles' pages live in ``backend.web.pages.roles``;
their routes are served from here too, so ``backend.web.urls`` needs no change.

Views hold no business logic: they call the services the API calls
(``backend.actions.services``) through ``run_command``."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from backend.accounts import scoping
from backend.actions.machine import STAFF_TRANSITIONS, ActionState
from backend.actions.models import Action
from backend.actions.services import (
    EDITORS,
    action_edit_refusal,
    create_action,
    fire_action_transition,
    update_action,
)
from backend.actions.summary import consultation_summary
from backend.board.models import BoardSession
from backend.web.access import staff_required
from backend.web.commands import refuse_form, run_command, run_form_command
from backend.web.forms import versions
from backend.web.forms.actions import ActionForm
from backend.web.forms.commands import AgendaForm, TransitionForm
from backend.web.selectors.actions import action_queryset, role_rows, timeline
from backend.web.selectors.deliveries import failures_of
from notifications.models import Notification
from workflows.engine import Refusal, explain, transition_label

ROLES_AT_WORK = {ActionState.DRAFT, ActionState.CONSULTATION}


def redirect_303(url: str) -> HttpResponseRedirect:
    """POST/redirect/GET: the browser follows with a GET."""
    return HttpResponseRedirect(url, status=303)


def detail_url(action_or_pk) -> str:
    pk = getattr(action_or_pk, "pk", action_or_pk)
    return reverse("web:action_detail", args=[pk])


def edit_refusal(action: Action, user) -> str:
    """Why ``user`` may not edit ``action`` (or its roles) now; empty when they may (the rule
    ``update_action`` enforces, asked before showing a form)."""
    refusal = action_edit_refusal(action, user)
    return "" if refusal is None else str(refusal)


# --- the action page -----------------------------------------------------------------------


def _transitions(action: Action, user) -> list[dict]:
    """The transitions possible from the action's state, each allowed or with its reason."""
    rows = []
    for name in STAFF_TRANSITIONS:
        availability = explain(action, name, user)
        if availability.refusal is Refusal.STATE:
            continue
        rows.append(
            {
                "name": name,
                "label": capfirst(transition_label(Action, name)),
                "allowed": availability.allowed,
                "reason": availability.reason,
                "url": reverse("web:action_transition", args=[action.pk, name]),
            }
        )
    return rows


@staff_required
def action_detail(request, pk):
    action = get_object_or_404(action_queryset(request.user), pk=pk)
    user = request.user
    refusal = edit_refusal(action, user)
    roles = {role.pk: role for role in action.roles.all()}
    notifications = list(
        Notification.objects.filter(action=action)
        .select_related("user", "contact__organisation")
        .order_by("due_at", "id")
    )
    transitions = _transitions(action, user)
    sessions = []
    if any(t["name"] == "schedule" and t["allowed"] for t in transitions):
        sessions = list(BoardSession.objects.open_for_scheduling().order_by("date"))
    evaluation = getattr(action, "evaluation", None)
    summary = consultation_summary(action)
    decision = action.decisions.select_related("session").order_by("-recorded_at", "-id").first()
    return render(
        request,
        "web/actions/detail.html",
        {
            "title": action.title,
            "nav": "projects",
            "action": action,
            "edit_refusal": refusal,
            "role_rows": role_rows(action, user, editable=not refusal),
            "summary": summary,
            "days_overdue": -summary.days_left if summary.overdue else None,
            "findings": list(action.findings.all()),
            "timeline": timeline(action, roles, notifications),
            "notifications": notifications,
            "failures": failures_of(notifications, user),
            "transitions": transitions,
            "sessions": sessions,
            "evaluation": evaluation,
            "decision": decision,
            # The roles are the work at hand while they are prepared and answered; after that,
            # their section is folded like the history and the e-mails.
            "roles_open": action.state in ROLES_AT_WORK,
        },
    )


@staff_required
@require_POST
def action_transition(request, pk, name):
    action = get_object_or_404(scoping.actions_for(request.user), pk=pk)
    if name not in STAFF_TRANSITIONS:
        raise Http404
    form = TransitionForm(request.POST)
    if not form.is_valid():
        refuse_form(request, form)
        return redirect_303(detail_url(action))
    data = {"comment": form.cleaned_data["comment"]}
    if name == "schedule":
        data["board_session"] = form.cleaned_data["board_session"]
    result, _status = run_command(
        request, fire_action_transition, action, name, user=request.user, data=data
    )
    if result is not None:
        messages.success(
            request,
            _("« %(transition)s » : l'action est maintenant « %(state)s ».")
            % {
                "transition": capfirst(transition_label(Action, name)),
                "state": result.get_state_display(),
            },
        )
    return redirect_303(detail_url(action))


# --- creating and editing an action ----------------------------------------------------------


def _chosen_project(request):
    """The project posted, or else the one in the query string (``?project=``)."""
    for data in (request.POST, request.GET):
        form = AgendaForm(data)
        pk = form.cleaned_data["project"] if form.is_valid() else None
        if pk is not None:
            return (
                scoping.projects_for(request.user).select_related("territory").filter(pk=pk).first()
            )
    return None


@staff_required
def action_create(request):
    user = request.user
    if not user.has_role(*EDITORS):
        return render(request, "web/forbidden.html", status=403)
    project = _chosen_project(request)
    projects = (
        scoping.projects_for(user).select_related("territory").order_by("-year", "territory__name")
    )
    form = ActionForm(request.POST or None, user=user, project=project)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            action, status = run_form_command(
                request,
                form,
                create_action,
                user=user,
                data=form.service_data(),
                success=_("L'action est créée. Ajoutez maintenant les rôles des partenaires."),
            )
            if action is not None:
                return redirect_303(detail_url(action))
    choose_project = form.project is None and request.method == "GET" and projects.count() > 1
    form.describe_fields()
    return render(
        request,
        "web/actions/action_form.html",
        {
            "title": _("Nouvelle action"),
            "nav": "projects",
            "form": form,
            "choose_project": choose_project,
            "projects": projects,
        },
        status=status,
    )


def _initial(action) -> dict:
    return {
        "title": action.title,
        "summary": action.summary,
        "axis": action.axis_id,
        "commune": action.commune_id,
        "neighbourhood": action.neighbourhood_id,
        "findings": [finding.pk for finding in action.findings.all()],
        "consultation_deadline": action.consultation_deadline,
        "planned_start": action.planned_start,
        "planned_end": action.planned_end,
        "budget": action.budget,
    }


@staff_required
def action_edit(request, pk):
    user = request.user
    action = get_object_or_404(action_queryset(user), pk=pk)
    refusal = edit_refusal(action, user)
    if refusal:
        messages.error(request, refusal)
        return redirect_303(detail_url(action))
    form = ActionForm(request.POST or None, user=user, action=action, initial=_initial(action))
    versions.track(form, action, _initial(action))  # opened on this version
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result, status = run_form_command(
                request,
                form,
                update_action,
                action,
                user=user,
                data=form.service_data(),
                expected_versions=versions.expected_versions(form),
                success=_("L'action est modifiée."),
            )
            if result is not None:
                return redirect_303(detail_url(action))
            if status == 412:  # saved by someone else meanwhile: what changed, typing kept
                action = get_object_or_404(action_queryset(user), pk=pk)
                versions.tell_changes(form, action, _initial(action))
    form.describe_fields()
    return render(
        request,
        "web/actions/action_form.html",
        {"title": _("Modifier l'action"), "nav": "projects", "form": form, "action": action},
        status=status,
    )


from backend.web.pages import roles  # noqa: E402  (its views use the helpers above)

urlpatterns = [
    path("actions/nouvelle/", action_create, name="action_create"),
    path("actions/<int:pk>/", action_detail, name="action_detail"),
    path("actions/<int:pk>/modifier/", action_edit, name="action_edit"),
    path(
        "actions/<int:pk>/transitions/<slug:name>/",
        action_transition,
        name="action_transition",
    ),
    *roles.urlpatterns,
]
