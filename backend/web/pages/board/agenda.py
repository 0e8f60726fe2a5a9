"""Building a session's agenda: putting an action or a project on it, moving a point, taking
one off (``backend.board.agenda``, the action's ``schedule`` transition)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from backend.accounts import scoping
from backend.actions import services as action_services
from backend.board import agenda
from backend.board.models import AgendaItem
from backend.web.access import staff_required
from backend.web.commands import run_command
from backend.web.forms.commands import AgendaForm, MoveForm
from backend.web.pages.board.sessions import back_to_session, session_or_404
from backend.web.selectors.board import visible_items

MOVES = {"up": -1, "down": 1}


@staff_required
@require_POST
def agenda_add(request, pk: int):
    """Put an action (its ``schedule`` transition) or a territory project on the agenda."""
    session = session_or_404(pk)
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
    return back_to_session(session, status)


@staff_required
@require_POST
def agenda_move(request, pk: int, item_id: int):
    """Move a point one place up or down (``agenda.reorder`` with the whole new order)."""
    session = session_or_404(pk)
    item = get_object_or_404(visible_items(session, request.user), pk=item_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _t("Indiquez s'il faut monter ou descendre le point."))
        return back_to_session(session, 400)
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
    return back_to_session(session, status)


@staff_required
@require_POST
def agenda_remove(request, pk: int, item_id: int):
    """Take a point off the agenda (the action goes back to ready_for_board)."""
    session = session_or_404(pk)
    item = get_object_or_404(visible_items(session, request.user), pk=item_id)
    _, status = run_command(
        request,
        agenda.take_off_agenda,
        session,
        item.pk,
        user=request.user,
        success=_t("Le point est retiré de l'ordre du jour."),
    )
    return back_to_session(session, status)
