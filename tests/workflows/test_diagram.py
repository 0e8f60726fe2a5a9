"""The state diagrams are drawn from the state machines themselves: every declared transition
is an arrow, every state a box, and a transition added to a model shows up in its diagram."""

import re
from xml.etree import ElementTree

import pytest
from django_fsm import transition

from backend.accounts.permissions import StaffPermission
from backend.actions.machine import ActionState, ActionWorkflow
from backend.actions.models import Action, RoleAssignment
from backend.board.models import BoardSession
from backend.evaluations.models import Evaluation
from backend.territories.models import TerritoryProject
from workflows.diagram import layers_of, machine_of, svg_of
from workflows.engine import transitions_of

MODELS = [Action, RoleAssignment, BoardSession, TerritoryProject, Evaluation]
SVG = "{http://www.w3.org/2000/svg}"


class ReopenableAction(ActionWorkflow):
    """A fake machine: the action's, plus one transition back from rejected to draft."""

    class Meta:
        app_label = "diagram_tests"  # not an installed app: no table, no migration

    @transition(
        field="state",
        source=ActionState.REJECTED,
        target=ActionState.DRAFT,
        permission=StaffPermission("territory_manager"),
        custom={"label": "rouvrir le dossier"},
    )
    def reopen(self):
        """Give a rejected action another chance."""


def drawn_edges(svg: str) -> set[str]:
    """The transition names of the arrows of a drawn diagram."""
    tree = ElementTree.fromstring(str(svg))
    names = set()
    for group in tree.iter(f"{SVG}g"):
        if "edge" in group.get("class", "").split():
            names.update(name.strip() for name in group.get("data-transitions").split(","))
    return names


def drawn_states(svg: str) -> set[str]:
    tree = ElementTree.fromstring(str(svg))
    return {g.get("data-state") for g in tree.iter(f"{SVG}g") if g.get("data-state")}


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_transition_and_state_of_the_model_is_drawn(model):
    machine = machine_of(model)
    svg = svg_of(machine, "Diagramme")

    declared = transitions_of(model)
    assert {step.name for step in machine.steps} == set(declared)
    assert {(step.name, step.source) for step in machine.steps} == {
        (name, source) for name, by_source in declared.items() for source in by_source
    }
    assert drawn_edges(svg) == set(declared)
    assert drawn_states(svg) == {value for value, _label in model._meta.get_field("state").choices}


def test_a_transition_added_to_a_model_shows_up_in_its_diagram():
    plain = machine_of(Action)
    machine = machine_of(ReopenableAction)
    svg = svg_of(machine, "Diagramme")

    added = [step for step in machine.steps if step.name == "reopen"]
    assert [(s.source, s.target, s.label) for s in added] == [
        ("rejected", "draft", "rouvrir le dossier")
    ]
    assert "reopen" in drawn_edges(svg) and "reopen" not in drawn_edges(svg_of(plain, "D"))
    assert "rouvrir le dossier" in str(svg)
    assert added[0].who == "responsable de territoire"
    assert machine.finals == plain.finals - {"rejected"}  # rejected is no longer final


def test_states_are_placed_by_their_distance_from_the_initial_state():
    layers = machine_of(Action).layers
    assert layers["draft"] == 0
    assert layers["consultation"] == 1
    assert layers["ready_for_board"] == 2
    assert layers["scheduled"] == 3
    assert layers["approved"] == layers["rejected"] == 4
    assert layers["closed"] == 7
    # every forward arrow points down; back arrows (revise, unschedule, defer) go up
    for step in machine_of(Action).steps:
        if step.name in {"revise", "unschedule", "defer"}:
            assert layers[step.target] < layers[step.source]
        else:
            assert layers[step.target] > layers[step.source]


def test_an_unreachable_state_goes_below_the_others():
    assert layers_of(["a", "b", "lost"], "a", []) == {"a": 0, "b": 1, "lost": 1}


def test_the_svg_has_a_text_alternative_and_no_style_attribute():
    svg = str(svg_of(machine_of(BoardSession), "Diagramme d'états : une séance", prefix="s"))
    tree = ElementTree.fromstring(svg)
    assert tree.get("role") == "img"
    assert tree.get("aria-labelledby") == "s-title s-desc"
    assert tree.find(f"{SVG}title").text == "Diagramme d'états : une séance"
    description = tree.find(f"{SVG}desc").text
    assert "État initial : « planifiée »" in description
    assert "publier l'ordre du jour : de « planifiée » à « ordre du jour publié »" in description
    assert "style=" not in svg and "<script" not in svg


def test_the_transitions_say_who_may_fire_them_and_on_what_condition():
    steps = {(step.name, step.source): step for step in machine_of(Action).steps}
    submit = steps[("submit", "draft")]
    assert submit.who == "travailleur social, responsable de territoire"
    assert "Au moins un partenaire doit avoir le rôle de pilote." in submit.conditions
    complete = steps[("complete_consultation", "consultation")]
    assert "automatiquement" in complete.who
    assert "Décision du conseil d'administration." in steps[("approve", "scheduled")].notes
    role = {step.name: step for step in machine_of(RoleAssignment).steps}
    assert "interlocuteur" in role["accept"].who


def test_labels_are_escaped():
    machine = machine_of(ReopenableAction)
    machine.states = [
        (value, "<script>alert(1)</script>" if value == "draft" else label)
        for value, label in machine.states
    ]
    svg = str(svg_of(machine, "<titre>"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert re.search(r"<title id=\"[^\"]+\">&lt;titre&gt;</title>", svg)
