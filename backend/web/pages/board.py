"""The board pages: the sessions of the conseil d'administration, and one session's page
(agenda building, publication, holding, closing, documents, decisions).

Every change goes through the services the API uses (``backend/api/board_views.py``):
``backend.board.transitions`` for the session, the action's ``schedule`` transition and
``backend.board.agenda`` for the agenda, ``backend.board.decisions.record_decisions`` for the
decisions. A territory-bound user sees only their territories' agenda points, as in the API.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts.models import StaffRole
from backend.actions import services as action_services
from backend.api import scoping
from backend.board import agenda
from backend.board import decisions as board_decisions
from backend.board.decisions import DecisionInput, record_decisions
from backend.board.models import AgendaItem, BoardSession, BoardSessionState, Outcome
from backend.board.transitions import SESSION_SERVICES
from backend.partners.models import Contact
from backend.web.access import staff_required
from backend.web.commands import refusal_of, run_command
from backend.web.forms.commands import AgendaForm, DecisionForm, MoveForm
from backend.web.forms.fields import DateTimeField, first_errors
from workflows.engine import explain
from workflows.role import OPEN_ROLE_STATES

SESSION_TRANSITIONS = {
    "publish_agenda": _("Publier l'ordre du jour"),
    "hold": _("Tenir la séance"),
    "close": _("Clore la séance"),
}
MOVES = {"up": -1, "down": 1}


# --- scoping ----------------------------------------------------------------------------------


def _visible_items(session_or_id, user):
    """The agenda points a user may see, as in ``board-sessions/`` (``backend.api.scoping``)."""
    return scoping.agenda_items_for(user).filter(session=session_or_id)


# --- the list of sessions ---------------------------------------------------------------------


class SessionForm(forms.ModelForm):
    date = DateTimeField(
        label=_("Date et heure"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Heure de Paris, par exemple 14/01/2027 14:00."),
    )

    class Meta:
        model = BoardSession
        fields = ["date", "title", "location"]
        labels = {"title": _("Intitulé"), "location": _("Lieu")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["aria-describedby"] = "id_date-hint"

    def full_clean(self):
        """Each field in error says so and points to its message (aria-describedby)."""
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                described = f"{attrs.get('aria-describedby', '')} id_{name}-error".strip()
                attrs.update({"aria-invalid": "true", "aria-describedby": described})


def _may_create(user) -> bool:
    return user.has_role(StaffRole.BOARD_SECRETARY)  # the API's write_roles


@staff_required
@require_http_methods(["GET", "POST"])
def board_list(request):
    user = request.user
    form = None
    status = 200
    if _may_create(user):
        form = SessionForm(request.POST or None)
        if request.method == "POST":
            if form.is_valid():
                session = form.save()
                messages.success(request, _t("La séance est planifiée."))
                return redirect("web:board_detail", pk=session.pk, permanent=False)
            status = 400
    elif request.method == "POST":
        return render(request, "web/forbidden.html", status=403)

    if user.sees_all_territories:
        points = Count("agenda_items")
    else:
        visible = scoping.agenda_items_for(user).values("pk")
        points = Count("agenda_items", filter=Q(agenda_items__in=visible))
    sessions = list(BoardSession.objects.annotate(points=points).order_by("date"))
    now = timezone.now()
    context = {
        "title": _("Conseil d'administration"),
        "nav": "board",
        "upcoming": [s for s in sessions if s.date >= now],
        "past": sorted((s for s in sessions if s.date < now), key=lambda s: s.date, reverse=True),
        "form": form,
    }
    return render(request, "web/board/list.html", context, status=status)


# --- one session ------------------------------------------------------------------------------


def _session_or_404(pk: int) -> BoardSession:
    return get_object_or_404(BoardSession, pk=pk)


def _agenda_items(session: BoardSession, user) -> list[AgendaItem]:
    items = (
        _visible_items(session, user)
        .select_related(
            "action__project__territory",
            "action__commune",
            "action__neighbourhood",
            "action__board_session",
            "project__territory",
        )
        .annotate(
            open_roles=Count(
                "action__roles",
                filter=Q(action__roles__state__in=OPEN_ROLE_STATES),
                distinct=True,
            ),
            accepted_roles=Count(
                "action__roles", filter=Q(action__roles__state="accepted"), distinct=True
            ),
            project_actions=Count("project__actions", distinct=True),
        )
        .order_by("position", "id")
    )
    return list(items)


class Point:
    """An agenda point as the page shows it: its subject, its decision, its decision form."""

    def __init__(self, item: AgendaItem, decision, values: dict, errors: dict):
        self.item = item
        self.subject = item.action if item.action_id else item.project
        self.is_action = bool(item.action_id)
        self.title = item.action.title if item.action_id else item.project.title
        self.territory = item.action.project.territory if self.is_action else item.project.territory
        self.decision = decision
        self.values = values
        self.errors = errors

    @property
    def prefix(self) -> str:
        return f"point-{self.item.pk}"


def _subject(row) -> tuple:
    """The subject of an agenda item or a decision: an action or a project."""
    return ("action", row.action_id) if row.action_id else ("project", row.project_id)


def _points(session, user, values=None, errors=None) -> list[Point]:
    decisions = {_subject(decision): decision for decision in session.decisions.all()}
    points = []
    for item in _agenda_items(session, user):
        key = _subject(item)
        points.append(
            Point(
                item,
                decisions.get(key),
                (values or {}).get(item.pk, {}),
                (errors or {}).get(item.pk, {}),
            )
        )
    return points


def _render_detail(request, session, *, status=200, values=None, errors=None, summary=None):
    user = request.user
    session = BoardSession.objects.prefetch_related(
        Prefetch("members", queryset=Contact.objects.select_related("organisation")),
        "staff_invited",
        Prefetch("decisions", queryset=scoping.decisions_for(user)),
    ).get(pk=session.pk)
    points = _points(session, user, values, errors)
    planned = session.state == BoardSessionState.PLANNED
    can_schedule = session.open_for_scheduling and user.has_role(
        StaffRole.TERRITORY_MANAGER, StaffRole.BOARD_SECRETARY
    )
    ready_actions = []
    draft_projects = []
    if can_schedule:
        ready_actions = list(
            scoping.actions_for(user)
            .filter(state="ready_for_board")
            .select_related("project__territory", "commune")
            .order_by("project__territory__name", "title")
        )
        year = timezone.localtime(session.date).year
        draft_projects = list(
            scoping.projects_for(user)
            .filter(state="draft", year=year)
            .select_related("territory")
            .order_by("territory__name")
        )
    transitions = []
    for name, label in SESSION_TRANSITIONS.items():
        availability = explain(session, name, user)
        transitions.append(
            {
                "name": name,
                "label": label,
                "allowed": availability.allowed,
                "reason": availability.reason,
                "url": reverse("web:board_transition", args=[session.pk, name]),
            }
        )
    context = {
        "title": session.title,
        "nav": "board",
        "session": session,
        "points": points,
        "hidden_points": not user.sees_all_territories
        and len(points) < AgendaItem.objects.filter(session=session).count(),
        "transitions": transitions,
        "can_reorder": planned and user.has_role(StaffRole.BOARD_SECRETARY),
        "can_take_off": planned
        and user.has_role(StaffRole.TERRITORY_MANAGER, StaffRole.BOARD_SECRETARY),
        "can_schedule": can_schedule,
        "ready_actions": ready_actions,
        "draft_projects": draft_projects,
        "can_decide": session.state == BoardSessionState.HELD
        and user.has_role(StaffRole.BOARD_SECRETARY),
        "undecided": [p for p in points if p.decision is None],
        "outcomes": Outcome.choices,
        "error_summary": summary or [],
    }
    return render(request, "web/board/detail.html", context, status=status)


@staff_required
def board_detail(request, pk: int):
    return _render_detail(request, _session_or_404(pk))


def _back(session, status: int):
    """POST/redirect/GET: back to the session's page (its messages tell what happened)."""
    response = redirect("web:board_detail", pk=session.pk)
    response.status_code = 303
    response["X-Command-Status"] = str(status)
    return response


@staff_required
@require_POST
def board_transition(request, pk: int, name: str):
    session = _session_or_404(pk)
    if name not in SESSION_TRANSITIONS:
        raise Http404
    messages_for = {
        "publish_agenda": _t("L'ordre du jour est publié."),
        "hold": _t("La séance est tenue : les décisions peuvent être enregistrées."),
        "close": _t("La séance est close."),
    }
    _, status = run_command(
        request, SESSION_SERVICES[name], session, actor=request.user, success=messages_for[name]
    )
    return _back(session, status)


@staff_required
@require_POST
def agenda_add(request, pk: int):
    """Put an action (its ``schedule`` transition) or a territory project on the agenda."""
    session = _session_or_404(pk)
    user = request.user
    form = AgendaForm(request.POST)
    if not form.is_valid():
        raise Http404  # an id that is not one
    action_id, project_id = form.cleaned_data["action"], form.cleaned_data["project"]
    if action_id:
        action = get_object_or_404(scoping.actions_for(user), pk=action_id)
        _, status = run_command(
            request,
            action_services.fire_action_transition,
            action,
            "schedule",
            user=user,
            data={"board_session": session.pk},
            success=_t("« %(title)s » est inscrite à l'ordre du jour.") % {"title": action.title},
        )
    elif project_id:
        project = get_object_or_404(scoping.projects_for(user), pk=project_id)
        _, status = run_command(
            request,
            agenda.put_project_on_agenda,
            session,
            project,
            user=user,
            success=_t("« %(title)s » est inscrit à l'ordre du jour.") % {"title": project.title},
        )
    else:
        messages.error(request, _t("Choisissez une action ou un projet de territoire."))
        status = 400
    return _back(session, status)


@staff_required
@require_POST
def agenda_move(request, pk: int, item_id: int):
    """Move a point one place up or down (``agenda.reorder`` with the whole new order)."""
    session = _session_or_404(pk)
    item = get_object_or_404(_visible_items(session, request.user), pk=item_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _t("Indiquez s'il faut monter ou descendre le point."))
        return _back(session, 400)
    step = MOVES[form.cleaned_data["direction"]]
    order = list(
        AgendaItem.objects.filter(session=session)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    index = order.index(item.pk)
    other = index + step
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    _, status = run_command(
        request,
        agenda.reorder,
        session,
        order,
        user=request.user,
        success=_t("L'ordre du jour est réordonné."),
    )
    return _back(session, status)


@staff_required
@require_POST
def agenda_remove(request, pk: int, item_id: int):
    """Take a point off the agenda (the action goes back to ready_for_board)."""
    session = _session_or_404(pk)
    item = get_object_or_404(_visible_items(session, request.user), pk=item_id)
    _, status = run_command(
        request,
        agenda.take_off_agenda,
        session,
        item.pk,
        user=request.user,
        success=_t("Le point est retiré de l'ordre du jour."),
    )
    return _back(session, status)


# --- decisions --------------------------------------------------------------------------------

FIELD_OF = {"action": "outcome", "project": "outcome", "item": "outcome"}


def _read_decisions(request, points):
    """The rows the secretary filled in (their valid values: a refused one is blank), what
    was typed (to show again) and the form's own errors (per agenda item id)."""
    values, errors, rows = {}, {}, []
    for point in points:
        if point.decision is not None:
            continue
        form = DecisionForm(request.POST, prefix=point.prefix)
        values[point.item.pk] = form.typed()
        if form.blank:
            continue  # no decision on this point now
        if not form.is_valid():
            errors[point.item.pk] = first_errors(form)
        clean = {name: form.cleaned_data.get(name) or "" for name in form.fields}
        rows.append((point, clean))
    return values, errors, rows


def _service_errors(exc: ValidationError, rows) -> dict:
    """record_decisions' errors (``field`` for one row, ``decisions[i].field`` for several)
    put back on the agenda item and the form field they concern."""
    errors: dict[int, dict] = {}
    for key, messages_ in exc.message_dict.items():
        index, field = 0, key
        if key.startswith("decisions["):
            index = int(key[len("decisions[") : key.index("]")])
            field = key.split(".", 1)[1]
        point = rows[index][0]
        errors.setdefault(point.item.pk, {})[FIELD_OF.get(field, field)] = " ".join(messages_)
    return errors


def _inputs(rows) -> list[DecisionInput]:
    return [
        DecisionInput(
            outcome=value["outcome"],
            reference=value["reference"],
            conditions=value["conditions"],
            action=point.item.action if point.is_action else None,
            project=None if point.is_action else point.item.project,
        )
        for point, value in rows
    ]


def _dry_run(session, rows) -> dict:
    """When the form itself has errors, the service's own checks (reference used, conditions
    or reason missing…) still run on the other fields, so that every error shows at once."""
    checkable = [(p, v) for p, v in rows if v["outcome"] in Outcome.values]
    inputs = _inputs(checkable)
    for index, item in enumerate(inputs):
        # a missing reference is reported by the form; this one (too long) cannot exist
        item.reference = item.reference or f"{'-' * 33}{index}"
    try:
        board_decisions._check(session, inputs)
    except ValidationError as exc:
        return _service_errors(exc, checkable)
    return {}


@staff_required
@require_POST
def record(request, pk: int):
    """Record the decisions of a held session, all or nothing (``record_decisions``)."""
    session = _session_or_404(pk)
    user = request.user
    session_with_decisions = BoardSession.objects.prefetch_related(
        Prefetch("decisions", queryset=scoping.decisions_for(user))
    ).get(pk=session.pk)
    points = _points(session_with_decisions, user)
    values, errors, rows = _read_decisions(request, points)
    if not rows:
        return _render_detail(
            request,
            session,
            status=400,
            values=values,
            summary=[_t("Indiquez au moins une décision.")],
        )
    if errors:
        for item_id, problems in _dry_run(session, rows).items():
            for field, message in problems.items():
                errors.setdefault(item_id, {}).setdefault(field, message)
        return _invalid(request, session, values, errors)
    try:
        decisions = record_decisions(session, _inputs(rows), user=user)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            return _render_detail(request, session, status=400, values=values, summary=exc.messages)
        return _invalid(request, session, values, _service_errors(exc, rows))
    except Exception as exc:  # a domain refusal (session not held, not allowed…)
        refusal = refusal_of(exc)
        if refusal is None:
            raise
        status, reasons = refusal
        for reason in reasons:
            messages.error(request, reason)
        return _back(session, status)
    messages.success(
        request, _t("%(count)d décision(s) enregistrée(s).") % {"count": len(decisions)}
    )
    return _back(session, 200)


def _invalid(request, session, values, errors):
    summary = [_t("Aucune décision n'est enregistrée : corrigez les erreurs signalées.")]
    return _render_detail(
        request, session, status=400, values=values, errors=errors, summary=summary
    )


urlpatterns = [
    path("conseil/", board_list, name="board_list"),
    path("conseil/<int:pk>/", board_detail, name="board_detail"),
    path(
        "conseil/<int:pk>/transitions/<str:name>/",
        board_transition,
        name="board_transition",
    ),
    path("conseil/<int:pk>/ordre-du-jour/", agenda_add, name="board_agenda_add"),
    path(
        "conseil/<int:pk>/ordre-du-jour/<int:item_id>/deplacer/",
        agenda_move,
        name="board_agenda_move",
    ),
    path(
        "conseil/<int:pk>/ordre-du-jour/<int:item_id>/retirer/",
        agenda_remove,
        name="board_agenda_remove",
    ),
    path("conseil/<int:pk>/decisions/", record, name="board_decisions"),
]
