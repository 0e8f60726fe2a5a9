"""The territory project pages: the list of the projects a person may see, and one project
with its diagnostic (resources and needs), its axes and their actions, the needs no action
answers yet, and its own workflow (put on a board agenda, taken off it, approved by the board).

The project's transitions are fired by the board's agenda service
(``backend.board.agenda``), exactly as ``POST /board-sessions/{id}/agenda/`` and
``DELETE /board-sessions/{id}/agenda/{item}/`` do: ``submit`` puts the project on the agenda
of a planned session, ``return_to_draft`` takes it off; ``approve`` is a board decision
recorded on the session's page.
"""

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.accounts import scoping
from backend.accounts.models import StaffRole
from backend.actions.models import Action, ActionState
from backend.board import agenda
from backend.board.models import AgendaItem, BoardSession, BoardSessionState
from backend.territories.machine import ProjectState
from backend.territories.models import (
    Diagnostic,
    Finding,
    FindingKind,
    Territory,
    TerritoryProject,
)
from backend.web.access import staff_required
from backend.web.commands import run_command
from backend.web.forms.commands import SessionChoiceForm
from backend.web.forms.filters import ProjectFilterForm
from workflows.engine import explain, transition_label

# Actions that no longer answer anything: the needs they named are open again.
ENDED = (ActionState.WITHDRAWN, ActionState.REJECTED)
# Actions the board approved (carried out, evaluated or closed since).
APPROVED = (
    ActionState.APPROVED,
    ActionState.IN_PROGRESS,
    ActionState.EVALUATION,
    ActionState.CLOSED,
)
EDITORS = (StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER)
EXPORT_FORMATS = (("csv", "CSV"), ("xlsx", "XLSX"), ("ods", "ODS"))
# What the page lists of long lists: the first actions of an axis, of a need's answers; the
# rest through a link to the dashboard's list.
ACTIONS_PER_AXIS = 10
ANSWERING_SHOWN = 5


def _with_counts(projects: list) -> list:
    """Each project's number of actions, of approved actions and of needs no live action
    answers: two grouped queries for the whole list (a correlated count per project joined to
    every action took minutes on 100,000 actions)."""
    ids = [project.pk for project in projects]
    actions = (
        Action.objects.filter(project__in=ids)
        .values("project")
        .annotate(total=Count("id"), approved=Count("id", filter=Q(state__in=APPROVED)))
        .order_by()
    )
    counts = {row["project"]: row for row in actions}
    answered = Action.findings.through.objects.filter(finding_id=OuterRef("pk")).exclude(
        action__state__in=ENDED
    )
    needs = (
        Finding.objects.filter(diagnostic__project__in=ids, kind=FindingKind.NEED)
        .exclude(Exists(answered))
        .values("diagnostic__project")
        .annotate(n=Count("pk"))
        .order_by()
    )
    unanswered = {row["diagnostic__project"]: row["n"] for row in needs}
    for project in projects:
        row = counts.get(project.pk, {})
        project.action_count = row.get("total", 0)
        project.approved_count = row.get("approved", 0)
        project.unanswered_count = unanswered.get(project.pk, 0)
    return projects


# --- the list --------------------------------------------------------------------------------


@staff_required
def project_list(request):
    visible = scoping.projects_for(request.user)
    years = sorted(set(visible.values_list("year", flat=True)), reverse=True)
    territories = list(
        Territory.objects.filter(pk__in=visible.values("territory_id")).order_by("name")
    )
    year, chosen_territory = ProjectFilterForm(request.GET).chosen()
    chosen_year = str(year) if year is not None else ""
    projects = visible
    if year is not None:
        projects = projects.filter(year=year)
    if chosen_territory:
        projects = projects.filter(territory__slug=chosen_territory)
    projects = _with_counts(
        list(projects.select_related("territory").order_by("-year", "territory__name"))
    )
    return render(
        request,
        "web/projects/list.html",
        {
            "title": _("Projets de territoire"),
            "nav": "projects",
            "projects": projects,
            "years": years,
            "territories": territories,
            "chosen_year": chosen_year,
            "chosen_territory": chosen_territory,
            "filtered": bool(chosen_year or chosen_territory),
        },
    )


# --- one project -----------------------------------------------------------------------------


def _project(request, pk):
    """The project if the user may see it (404 otherwise: another territory's project)."""
    return get_object_or_404(
        scoping.projects_for(request.user).select_related("territory", "diagnostic"), pk=pk
    )


def _diagnostic(project):
    try:
        return project.diagnostic
    except Diagnostic.DoesNotExist:
        return None


def _findings(project):
    """The diagnostic's findings; each need with its first live answering actions
    (``answering``) and their number (``answering_count``): a need may be answered by thousands
    of actions, the page names a few and counts the others. The number: the links of each
    finding (counted on the link table alone) less those to a withdrawn or rejected action
    (found from the few ended actions), half the time of reading every linked action's state."""
    live = Action.objects.exclude(state__in=ENDED).only("id", "title", "state")
    findings = (
        Finding.objects.filter(diagnostic__project=project)
        .select_related("commune")
        .annotate(linked=Count("actions"))
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=live.order_by("title", "id")[:ANSWERING_SHOWN],
                to_attr="answering",
            )
        )
        .order_by("kind", "id")
    )
    ended = dict(
        Action.findings.through.objects.filter(
            finding__diagnostic__project=project, action__state__in=ENDED
        )
        .values("finding")
        .annotate(n=Count("*"))
        .values_list("finding", "n")
    )
    resources, needs = [], []
    for finding in findings:
        finding.answering_count = finding.linked - ended.get(finding.pk, 0)
        finding.more_answering = finding.answering_count - len(finding.answering)
        (needs if finding.kind == FindingKind.NEED else resources).append(finding)
    return resources, needs


def _list_url(project, axis=None) -> str:
    """The dashboard's list of the project's actions (of one axis)."""
    query = f"?view=list&project={project.pk}" + (f"&axis={axis.pk}" if axis else "")
    return reverse("web:dashboard") + query


def _axes_with_actions(project):
    """Each axis with its first actions by title (``action_list``), their number and a link to
    the list of all of them; the same for the actions on no axis. Four queries whatever the
    number of actions (the first of each axis: one windowed query)."""
    actions = project.actions.select_related("commune", "neighbourhood", "evaluation").order_by(
        "title", "id"
    )
    counts = dict(project.actions.values_list("axis").annotate(n=Count("id")).order_by())
    axes = list(
        project.axes.prefetch_related(
            Prefetch("actions", queryset=actions[:ACTIONS_PER_AXIS], to_attr="action_list")
        )
    )
    without_axis = list(actions.filter(axis=None)[:ACTIONS_PER_AXIS])
    for axis in axes:
        axis.count = counts.get(axis.pk, 0)
        axis.list_url = _list_url(project, axis)
    for action in [a for axis in axes for a in axis.action_list] + without_axis:
        action.evaluation_or_none = getattr(action, "evaluation", None)
    return axes, without_axis, counts.get(None, 0), sum(counts.values())


def _workflow(project, user):
    """What the user may do with the project's workflow now, and why not otherwise."""
    items = list(
        AgendaItem.objects.filter(project=project)
        .select_related("session")
        .order_by("-session__date")
    )
    planned_item = next(
        (item for item in items if item.session.state == BoardSessionState.PLANNED), None
    )
    current_item = items[0] if items else None

    submit = explain(project, "submit", user)
    sessions = []
    submit_reason = submit.reason
    if submit.allowed:
        sessions = list(BoardSession.objects.open_for_scheduling().order_by("date"))
        if not sessions:
            submit_reason = _("Aucune séance du conseil à venir n'est planifiée.")

    back = explain(project, "return_to_draft", user)
    back_reason = back.reason
    if back.allowed and planned_item is None:
        back_reason = _(
            "L'ordre du jour de la séance est publié : seul le conseil peut renvoyer le projet "
            "en préparation."
        )

    approve = explain(project, "approve", user)
    if approve.allowed:
        approve_reason = _(
            "Le conseil approuve le projet en séance : sa décision s'enregistre sur la page "
            "de la séance."
        )
    else:
        approve_reason = approve.reason
    return {
        "agenda_item": current_item,
        "submit": {
            "label": capfirst(transition_label(TerritoryProject, "submit")),
            "allowed": submit.allowed and bool(sessions),
            "reason": submit_reason,
            "sessions": sessions,
            "url": reverse("web:project_put_on_agenda", args=[project.pk]),
        },
        "take_off": {
            "allowed": back.allowed and planned_item is not None,
            "reason": back_reason,
            "item": planned_item,
            "url": reverse("web:project_take_off_agenda", args=[project.pk]),
        },
        "approve": {
            "label": capfirst(transition_label(TerritoryProject, "approve")),
            "reason": approve_reason,
        },
    }


def _exports(project):
    query = f"?territory={project.territory.slug}&year={project.year}"
    links = [
        {
            "label": _("Actions et indicateurs (%(format)s)") % {"format": label}
            if fmt != "csv"
            else _("Actions (CSV)"),
            "url": reverse("export-actions", kwargs={"fmt": fmt}) + query,
        }
        for fmt, label in EXPORT_FORMATS
    ]
    links.append(
        {"label": _("Indicateurs d'évaluation (CSV)"), "url": reverse("export-indicators") + query}
    )
    return links


@staff_required
def project_detail(request, pk):
    project = _project(request, pk)
    user = request.user
    resources, needs = _findings(project)
    axes, without_axis, without_axis_count, action_count = _axes_with_actions(project)
    return render(
        request,
        "web/projects/detail.html",
        {
            "title": project.title,
            "nav": "projects",
            "project": project,
            "diagnostic": _diagnostic(project),
            "resources": resources,
            "needs": needs,
            "unanswered": [need for need in needs if not need.answering_count],
            "axes": axes,
            "without_axis": without_axis,
            "without_axis_count": without_axis_count,
            "project_list_url": _list_url(project),
            "action_count": action_count,
            "workflow": _workflow(project, user),
            "may_create_action": user.has_role(*EDITORS) and user.works_in(project.territory_id),
            "exports": _exports(project),
            "states": ProjectState,
        },
    )


# --- the project's workflow ------------------------------------------------------------------


@staff_required
@require_POST
def project_put_on_agenda(request, pk):
    project = _project(request, pk)
    form = SessionChoiceForm(request.POST)
    chosen = form.cleaned_data["session"] if form.is_valid() else None
    session = BoardSession.objects.filter(pk=chosen).first() if chosen else None
    if session is None:
        messages.error(request, _("Choisissez une séance du conseil."))
    else:
        run_command(
            request,
            agenda.put_project_on_agenda,
            session,
            project,
            user=request.user,
            success=_("Le projet est inscrit à l'ordre du jour de la séance « %(session)s ».")
            % {"session": session.title},
        )
    return _back_to(project)


@staff_required
@require_POST
def project_take_off_agenda(request, pk):
    project = _project(request, pk)
    item = (
        AgendaItem.objects.filter(project=project, session__state=BoardSessionState.PLANNED)
        .select_related("session")
        .first()
    )
    if item is None:
        messages.error(
            request, _("Le projet n'est à l'ordre du jour d'aucune séance encore modifiable.")
        )
    else:
        run_command(
            request,
            agenda.take_off_agenda,
            item.session,
            item.pk,
            user=request.user,
            success=_("Le projet est retiré de l'ordre du jour : il repasse en préparation."),
        )
    return _back_to(project)


def _back_to(project) -> HttpResponseRedirect:
    """303 See Other: the browser GETs the project page, with the message."""
    response = HttpResponseRedirect(reverse("web:project_detail", args=[project.pk]) + "#workflow")
    response.status_code = 303
    return response


urlpatterns = [
    path("projets/", project_list, name="project_list"),
    path("projets/<int:pk>/", project_detail, name="project_detail"),
    path("projets/<int:pk>/ordre-du-jour/", project_put_on_agenda, name="project_put_on_agenda"),
    path(
        "projets/<int:pk>/retrait-ordre-du-jour/",
        project_take_off_agenda,
        name="project_take_off_agenda",
    ),
]
