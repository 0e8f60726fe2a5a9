"""The action page (summary, findings, role matrix, timeline, reminders, transitions) and the
forms that create and edit an action. The roles' pages live in ``backend.web.pages.roles``;
their routes are served from here too, so ``backend.web.urls`` needs no change.

Views hold no business logic: they call the services the API calls
(``backend.actions.services``) through ``run_command``."""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from backend.actions.link_access import READ_LINK, REVOKE_LINK, link_refusal
from backend.actions.models import Action, ActionState, RoleAssignment, RoleKind, RoleState
from backend.actions.services import (
    EDITABLE_ACTION_STATES,
    EDITABLE_ROLE_STATES,
    EDITORS,
    create_action,
    fire_action_transition,
    require_editor,
    update_action,
)
from backend.actions.summary import consultation_summary
from backend.api import scoping
from backend.board.models import BoardSession
from backend.territories.models import Finding
from backend.web.access import staff_required
from backend.web.commands import refuse_form, run_command
from backend.web.forms.actions import ActionForm
from backend.web.forms.commands import AgendaForm, TransitionForm
from notifications.models import Notification
from workflows.diagram import TRANSITION_LABELS
from workflows.engine import Refusal, explain, state_label
from workflows.models import TransitionLog
from workflows.role import OPEN_ROLE_STATES

# The transitions staff fire from the action page (the API's list, in the same order).
TRANSITIONS = {
    "submit": _("Ouvrir la consultation"),
    "revise": _("Revenir au brouillon"),
    "complete_consultation": _("Clore la consultation"),
    "schedule": _("Inscrire au conseil"),
    "start": _("Démarrer l'action"),
    "evaluate": _("Passer en évaluation"),
    "close": _("Clôturer l'action"),
    "withdraw": _("Retirer l'action"),
}
# Transitions the board fires (decisions) or that are automatic: named in the timeline only.
OTHER_TRANSITIONS = {
    "unschedule": _("Retirée de l'ordre du jour"),
    "approve": _("Approuvée par le conseil"),
    "reject": _("Rejetée par le conseil"),
    "defer": _("Ajournée par le conseil"),
}
ROLE_TRANSITIONS = {
    "invite": _("invité"),
    "accept": _("a accepté"),
    "decline": _("a refusé"),
    "request_changes": _("demande des modifications"),
    "withdraw_invitation": _("invitation retirée"),
    "withdraw": _("retiré"),
    "contact_email_changed": _("adresse e-mail de l'interlocuteur modifiée"),
    READ_LINK: _("lien personnel consulté"),
    REVOKE_LINK: _("lien personnel remplacé"),
}
KIND_ORDER = {kind: position for position, kind in enumerate(RoleKind.values)}


def redirect_303(url: str) -> HttpResponseRedirect:
    """POST/redirect/GET: the browser follows with a GET."""
    return HttpResponseRedirect(url, status=303)


def detail_url(action_or_pk) -> str:
    pk = getattr(action_or_pk, "pk", action_or_pk)
    return reverse("web:action_detail", args=[pk])


def action_queryset(user):
    roles = RoleAssignment.objects.select_related("organisation", "contact")
    return (
        scoping.actions_for(user)
        .select_related(
            "project__territory",
            "axis",
            "commune",
            "neighbourhood",
            "board_session",
            "social_worker",
            "evaluation",
        )
        .prefetch_related(
            Prefetch("roles", queryset=roles),
            Prefetch("findings", queryset=Finding.objects.order_by("kind", "id")),
        )
    )


def edit_refusal(action: Action, user) -> str:
    """Why ``user`` may not edit ``action`` (or its roles) now; empty when they may.
    The same checks as ``update_action`` / ``create_role``, asked before showing a form."""
    try:
        require_editor(user, action.project.territory_id)
    except PermissionDenied as exc:
        return str(exc)
    if action.state not in EDITABLE_ACTION_STATES:
        return str(
            _("L'action ne se modifie plus dans l'état « %(state)s ».")
            % {"state": action.get_state_display()}
        )
    return ""


def run_form_command(request, form, command, *args, success: str = "", **kwargs):
    """``run_command``, except that a ValidationError of the service lands on the form's
    fields (next to what the user typed) instead of a message. Returns ``(result, status)``."""
    invalid = object()

    def attempt():
        try:
            return command(*args, **kwargs)
        except ValidationError as exc:
            form.add_error(None, exc)
            return invalid

    result, status = run_command(request, attempt)
    if result is invalid:
        return None, 400
    if result is not None and success:
        messages.success(request, success)
    return result, status


# --- the action page -----------------------------------------------------------------------


def _transitions(action: Action, user) -> list[dict]:
    """The transitions possible from the action's state, each allowed or with its reason."""
    rows = []
    for name, label in TRANSITIONS.items():
        availability = explain(action, name, user)
        if availability.refusal is Refusal.STATE:
            continue
        rows.append(
            {
                "name": name,
                "label": label,
                "allowed": availability.allowed,
                "reason": availability.reason,
                "url": reverse("web:action_transition", args=[action.pk, name]),
            }
        )
    return rows


def _recipient(notification: Notification) -> str:
    person = notification.user or notification.contact
    if person is None:
        return notification.email
    name = person.get_full_name() if hasattr(person, "get_full_name") else person.full_name
    return f"{name} <{notification.email}>" if name else notification.email


def _timeline(action: Action, roles: dict, notifications: list) -> list[dict]:
    """The transition log of the action and of its roles, merged with the e-mails sent,
    oldest first."""
    action_type = ContentType.objects.get_for_model(Action).pk
    role_type = ContentType.objects.get_for_model(RoleAssignment).pk
    entries = []
    for log in TransitionLog.objects.filter(action=action).order_by("at", "id"):
        if log.subject_type_id == action_type:
            what = TRANSITIONS.get(log.transition) or OTHER_TRANSITIONS.get(log.transition)
            entry = {
                "kind": "action",
                "title": what or log.transition,
                "change": (ActionState(log.source).label, ActionState(log.target).label),
            }
        elif log.subject_type_id != role_type:  # the action's evaluation, for one
            model = ContentType.objects.get_for_id(log.subject_type_id).model_class()
            labels = TRANSITION_LABELS.get(model._meta.model_name, {})
            entry = {
                "kind": model._meta.model_name,
                "title": f"{capfirst(model._meta.verbose_name)} : "
                f"{labels.get(log.transition, log.transition)}",
                "change": (state_label(model, log.source), state_label(model, log.target)),
            }
        else:
            role = roles.get(log.subject_id)
            entry = {
                "kind": "role",
                "title": _("Rôle %(kind)s de %(organisation)s : %(what)s")
                % {
                    "kind": role.get_kind_display() if role else "?",
                    "organisation": role.organisation.name if role else "?",
                    "what": ROLE_TRANSITIONS.get(log.transition, log.transition),
                },
                "change": None  # a row that records a fact, not a state change
                if log.source == log.target
                else (RoleState(log.source).label, RoleState(log.target).label),
            }
        entry.update(at=log.at, actor=log.actor_label, comment=log.comment)
        entries.append(entry)
    for notification in notifications:
        if notification.sent_at is None:
            continue
        entries.append(
            {
                "kind": "email",
                "title": _("E-mail envoyé : %(kind)s") % {"kind": notification.get_kind_display()},
                "change": None,
                "at": notification.sent_at,
                "actor": _("à %(recipient)s") % {"recipient": _recipient(notification)},
                "comment": "",
            }
        )
    entries.sort(key=lambda entry: entry["at"])
    return entries


def _role_rows(action: Action, user, editable: bool) -> list[dict]:
    """The role matrix, open roles first (pilot first), with what the user may do on each."""
    roles = sorted(
        action.roles.all(),
        key=lambda r: (r.state == RoleState.WITHDRAWN, KIND_ORDER[r.kind], r.organisation.name),
    )
    may_hold_links = not link_refusal(action, user)
    rows = []
    for role in roles:
        withdraw = explain(role, "withdraw", user) if role.state in OPEN_ROLE_STATES else None
        rows.append(
            {
                "role": role,
                "editable": editable and role.state in EDITABLE_ROLE_STATES,
                "may_withdraw": bool(withdraw and withdraw.allowed),
                "may_revoke": may_hold_links and role.state == RoleState.INVITED,
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
        .select_related("user", "contact")
        .order_by("due_at", "id")
    )
    transitions = _transitions(action, user)
    sessions = []
    if any(t["name"] == "schedule" and t["allowed"] for t in transitions):
        sessions = list(BoardSession.objects.open_for_scheduling().order_by("date"))
    evaluation = getattr(action, "evaluation", None)
    summary = consultation_summary(action)
    return render(
        request,
        "web/actions/detail.html",
        {
            "title": action.title,
            "nav": "projects",
            "action": action,
            "edit_refusal": refusal,
            "role_rows": _role_rows(action, user, editable=not refusal),
            "summary": summary,
            "days_overdue": -summary.days_left if summary.overdue else None,
            "findings": list(action.findings.all()),
            "timeline": _timeline(action, roles, notifications),
            "notifications": notifications,
            "transitions": transitions,
            "sessions": sessions,
            "evaluation": evaluation,
        },
    )


@staff_required
@require_POST
def action_transition(request, pk, name):
    action = get_object_or_404(scoping.actions_for(request.user), pk=pk)
    if name not in TRANSITIONS:
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
            % {"transition": TRANSITIONS[name], "state": result.get_state_display()},
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


@staff_required
def action_edit(request, pk):
    user = request.user
    action = get_object_or_404(action_queryset(user), pk=pk)
    refusal = edit_refusal(action, user)
    if refusal:
        messages.error(request, refusal)
        return redirect_303(detail_url(action))
    initial = {
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
    form = ActionForm(request.POST or None, user=user, action=action, initial=initial)
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
                success=_("L'action est modifiée."),
            )
            if result is not None:
                return redirect_303(detail_url(action))
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
