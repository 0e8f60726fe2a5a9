"""The board session, evaluation and territory project state machines as tables (no database)."""

import pytest
from django_fsm import can_proceed

from backend.board.machine import BoardSessionState
from backend.board.models import BoardSession
from backend.evaluations.machine import EvaluationState
from backend.evaluations.models import Evaluation
from backend.territories.machine import ProjectState
from backend.territories.models import TerritoryProject
from workflows.engine import transitions_of

TABLES = {
    BoardSession: {
        "publish_agenda": {"planned": "agenda_published"},
        "hold": {"agenda_published": "held"},
        "close": {"held": "closed"},
        "cancel": {"planned": "cancelled", "agenda_published": "cancelled"},
    },
    Evaluation: {
        "fall_due": {"planned": "due"},
        "submit_report": {"planned": "submitted", "due": "submitted"},
        "validate": {"submitted": "validated"},
    },
    TerritoryProject: {
        "submit": {"draft": "submitted"},
        "approve": {"submitted": "approved"},
        "return_to_draft": {"submitted": "draft"},
    },
}
STATES = {
    BoardSession: BoardSessionState,
    Evaluation: EvaluationState,
    TerritoryProject: ProjectState,
}


def test_states_are_the_contract():
    assert [s.value for s in BoardSessionState] == [
        "planned",
        "agenda_published",
        "held",
        "closed",
        "cancelled",
    ]
    assert [s.value for s in EvaluationState] == ["planned", "due", "submitted", "validated"]


@pytest.mark.parametrize("model", list(TABLES), ids=lambda m: m.__name__)
def test_transition_table(model):
    table = {
        name: {source: t.target for source, t in by_source.items()}
        for name, by_source in transitions_of(model).items()
    }
    assert table == TABLES[model]


@pytest.mark.parametrize("model", list(TABLES), ids=lambda m: m.__name__)
def test_each_transition_only_from_its_sources(model):
    for state in STATES[model]:
        instance = model(state=state.value)
        for name, sources in TABLES[model].items():
            allowed = can_proceed(getattr(instance, name), check_conditions=False)
            assert allowed is (state.value in sources), (model.__name__, state, name)
