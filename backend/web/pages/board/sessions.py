"""The list of the board's sessions and one session's page, with its transitions."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts import scoping
from backend.accounts.models import StaffRole
from backend.board.machine import CANCEL, MOVABLE_STATES, SESSION_TRANSITIONS
from backend.board.models import AgendaItem, BoardSession, BoardSessionState, Outcome
from backend.board.sessions import PLANNERS, create_board_session, update_board_session
from backend.board.transitions import SESSION_SERVICES, cancel_reason, cancel_session
from backend.partners.models import Contact
from backend.web.access import staff_required
from backend.web.commands import refuse_form, run_command, run_form_command
from backend.web.forms.board import SessionForm
from backend.web.forms.commands import CommentForm
from backend.web.selectors.board import (
    agenda_items,
    convening_context,
    draft_projects_for,
    ready_for_board,
    sessions_with_points,
)
from workflows.engine import explain, transition_label


def _may_create(user) -> bool:
    return user.has_role(*PLANNERS)  # as the service requires


@staff_required
@require_http_methods(["GET", "POST"])
def board_list(request):
    user = request.user
    form = None
    status = 200
    if _may_create(user):
        form = SessionForm(request.POST or None)
        if request.method == "POST":
            status = 400
            if form.is_valid():
                session, status = run_form_command(
                    request,
                    form,
                    create_board_session,
                    user=user,
                    data=form.cleaned_data,
                    success=_t("La séance est planifiée."),
                )
                if session is not None:
                    return redirect("web:board_detail", pk=session.pk, permanent=False)
    elif request.method == "POST":
        return render(request, "web/forbidden.html", status=403)

    sessions = list(sessions_with_points(user))
    today = timezone.localdate()
    past = [s for s in sessions if is_past(s, today)]
    context = {
        "title": _("Conseil d'administration"),
        "nav": "board",
        "upcoming": [s for s in sessions if not is_past(s, today)],
        "past": sorted(past, key=lambda s: s.date, reverse=True),
        "form": form,
    }
    return render(request, "web/board/list.html", context, status=status)


def is_past(session: BoardSession, today) -> bool:
    """Held or closed, or dated before today (today's session not yet held is still to come)."""
    done = session.state in (BoardSessionState.HELD, BoardSessionState.CLOSED)
    return done or timezone.localdate(session.date) < today


# --- one session ------------------------------------------------------------------------------


def session_or_404(pk: int) -> BoardSession:
    return get_object_or_404(BoardSession, pk=pk)


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


def subject_of(row) -> tuple:
    """The subject of an agenda item or a decision: an action or a project."""
    return ("action", row.action_id) if row.action_id else ("project", row.project_id)


def points_of(session, user, values=None, errors=None) -> list[Point]:
    decisions = {subject_of(decision): decision for decision in session.decisions.all()}
    points = []
    for item in agenda_items(session, user):
        key = subject_of(item)
        points.append(
            Point(
                item,
                decisions.get(key),
                (values or {}).get(item.pk, {}),
                (errors or {}).get(item.pk, {}),
            )
        )
    return points


def render_detail(
    request, session, *, status=200, values=None, errors=None, summary=None, edit_form=None
):
    user = request.user
    session = BoardSession.objects.prefetch_related(
        Prefetch("members", queryset=Contact.objects.select_related("organisation")),
        "staff_invited",
        Prefetch("decisions", queryset=scoping.decisions_for(user)),
    ).get(pk=session.pk)
    points = points_of(session, user, values, errors)
    planned = session.state == BoardSessionState.PLANNED
    can_schedule = session.open_for_scheduling and user.has_role(
        StaffRole.TERRITORY_MANAGER, StaffRole.BOARD_SECRETARY
    )
    ready_actions, ready_count = [], 0
    draft_projects = []
    if can_schedule:
        ready_actions, ready_count = ready_for_board(user)
        draft_projects = list(draft_projects_for(user, timezone.localtime(session.date).year))
    convening = convening_context(session, user)
    transitions = []
    for name in SESSION_TRANSITIONS:
        if name == "hold" and convening["can_hold"] and convening["convocations"]:
            continue  # held from the attendance form, pre-filled from the answers
        availability = explain(session, name, user)
        transitions.append(
            {
                "name": name,
                "label": capfirst(transition_label(BoardSession, name)),
                "allowed": availability.allowed,
                "reason": availability.reason,
                "url": reverse("web:board_transition", args=[session.pk, name]),
            }
        )
    cancel = explain(session, CANCEL, user)
    may_move = session.state in MOVABLE_STATES and _may_create(user)
    if may_move and edit_form is None:
        edit_form = SessionForm(instance=session, prefix="edit")
    context = {
        "edit_form": edit_form if may_move else None,
        "title": session.title,
        "nav": "board",
        "session": session,
        "can_cancel": cancel.allowed,
        "cancelled_because": cancel_reason(session)
        if session.state == BoardSessionState.CANCELLED
        else "",
        "points": points,
        "hidden_points": not user.sees_all_territories
        and len(points) < AgendaItem.objects.filter(session=session).count(),
        "transitions": transitions,
        "can_reorder": planned and user.has_role(StaffRole.BOARD_SECRETARY),
        "can_take_off": planned
        and user.has_role(StaffRole.TERRITORY_MANAGER, StaffRole.BOARD_SECRETARY),
        "can_schedule": can_schedule,
        "ready_actions": ready_actions,
        "ready_count": ready_count,
        "ready_url": reverse("web:dashboard") + "?view=list&state=ready_for_board",
        "draft_projects": draft_projects,
        "can_decide": session.state == BoardSessionState.HELD
        and user.has_role(StaffRole.BOARD_SECRETARY),
        "undecided": [p for p in points if p.decision is None],
        "outcomes": Outcome.choices,
        "error_summary": summary or [],
        **convening,
    }
    return render(request, "web/board/detail.html", context, status=status)


@staff_required
def board_detail(request, pk: int):
    return render_detail(request, session_or_404(pk))


def back_to_session(session, status: int):
    """POST/redirect/GET: back to the session's page (its messages tell what happened)."""
    response = redirect("web:board_detail", pk=session.pk)
    response.status_code = 303
    response["X-Command-Status"] = str(status)
    return response


@staff_required
@require_POST
def board_transition(request, pk: int, name: str):
    session = session_or_404(pk)
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
    return back_to_session(session, status)


@staff_required
@require_POST
def board_cancel(request, pk: int):
    """Cancel the session, with its reason (``comment``, required by the transition)."""
    session = session_or_404(pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return back_to_session(session, refuse_form(request, form))
    _, status = run_command(
        request,
        cancel_session,
        session,
        actor=request.user,
        comment=form.cleaned_data["comment"],
        success=_t("La séance est annulée : les personnes convoquées sont prévenues."),
    )
    return back_to_session(session, status)


@staff_required
@require_POST
def board_edit(request, pk: int):
    """Change the session's date, time, title or place (until it is held): once its agenda
    is published, everyone convened gets the updated invitation."""
    session = session_or_404(pk)
    form = SessionForm(request.POST, instance=BoardSession(pk=session.pk), prefix="edit")
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("date", "title", "location")}
        updated, status = run_form_command(
            request,
            form,
            update_board_session,
            session,
            user=request.user,
            data=data,
            success=_t("La séance est modifiée."),
        )
        if updated is not None:
            return back_to_session(session, status)
    return render_detail(request, session, status=400, edit_form=form)
