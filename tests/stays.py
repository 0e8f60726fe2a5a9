"""The passages an action's rows say (``workflows.StateStay``) and those its log says, for
the tests that check they agree (``tests/workflows/test_state_stays.py``, the races of
``tests/reliability``)."""

from django.contrib.contenttypes.models import ContentType

from backend.actions.models import Action
from workflows.models import StateStay, TransitionLog


def stays(action) -> list[tuple]:
    rows = StateStay.objects.filter(
        subject_type=ContentType.objects.get_for_model(Action), subject_id=action.pk
    ).order_by("entered_at", "id")
    return [(row.state, row.entered_at, row.left_at) for row in rows]


def from_log(action) -> list[tuple]:
    """The passages as the log tells them: from each row that changes the state to the
    next one."""
    rows = TransitionLog.objects.filter(
        subject_type=ContentType.objects.get_for_model(Action), subject_id=action.pk
    ).order_by("at", "id")
    moves = [(row.target, row.at) for row in rows if row.source != row.target]
    return [
        (state, entered, moves[index + 1][1] if index + 1 < len(moves) else None)
        for index, (state, entered) in enumerate(moves)
    ]
