"""The agenda of a board session: actions join it when scheduled, leave it when taken off;
the territory projects of the year are put to the board too."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import StaffRole
from backend.board.models import AgendaItem, BoardSession, BoardSessionState
from workflows.errors import TransitionConflict
from workflows.services import perform_transition


def _append(session: BoardSession, **item) -> AgendaItem:
    last = session.agenda_items.aggregate(last=Max("position"))["last"] or 0
    return AgendaItem.objects.create(session=session, position=last + 1, **item)


def add_to_agenda(action) -> AgendaItem:
    """The action just scheduled joins the agenda of its session, last."""
    return _append(action.board_session, action=action)


def remove_from_agenda(action) -> None:
    """The action taken off: it leaves the agenda of its planned session."""
    items = AgendaItem.objects.filter(action=action, session__state=BoardSessionState.PLANNED)
    session_ids = list(items.values_list("session_id", flat=True))
    items.delete()
    for session_id in session_ids:
        _renumber(session_id)


def _renumber(session_id: int) -> None:
    """Positions stay 1..n on the session's agenda after a removal."""
    items = AgendaItem.objects.filter(session_id=session_id).order_by("position", "id")
    for position, item in enumerate(items, start=1):
        if item.position != position:
            AgendaItem.objects.filter(pk=item.pk).update(position=position)


def _editable(session_id: int) -> BoardSession:
    session = BoardSession.objects.select_for_update().get(pk=session_id)
    if session.state != BoardSessionState.PLANNED:
        raise TransitionConflict(
            _("L'ordre du jour de cette séance est publié : il ne change plus.")
        )
    return session


@transaction.atomic
def reorder(session: BoardSession, order: list[int], *, user) -> BoardSession:
    """``order``: the agenda item ids in their new order (every item, once)."""
    session = _editable(session.pk)
    if not user.has_role(StaffRole.BOARD_SECRETARY):
        raise PermissionDenied(_("Seul le secrétariat du conseil ordonne l'ordre du jour."))
    items = {item.pk: item for item in session.agenda_items.all()}
    if sorted(order) != sorted(items):
        raise ValidationError({"order": _("Donnez chaque point de l'ordre du jour, une fois.")})
    for position, item_id in enumerate(order, start=1):
        AgendaItem.objects.filter(pk=item_id).update(position=position)
    return session


@transaction.atomic
def put_project_on_agenda(session: BoardSession, project, *, user) -> AgendaItem:
    session = _editable(session.pk)
    project = perform_transition(project, "submit", actor=user)
    return _append(session, project=project)


@transaction.atomic
def take_off_agenda(session: BoardSession, item_id: int, *, user) -> None:
    session = _editable(session.pk)
    item = session.agenda_items.filter(pk=item_id).first()
    if item is None:
        raise ValidationError({"item": _("Ce point n'est pas à l'ordre du jour de la séance.")})
    if item.action_id:
        from backend.actions.transitions import unschedule_action  # it imports this module

        unschedule_action(item.action, actor=user)  # removes the item
    else:
        perform_transition(item.project, "return_to_draft", actor=user)
        item.delete()
        _renumber(session.pk)
