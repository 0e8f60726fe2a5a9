"""A workflow as data: its states, its initial state and its steps (one per transition and
source), read from the django-fsm-2 transitions declared on the model; and in words."""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext_lazy as _
from django_fsm import ANY_OTHER_STATE, ANY_STATE

from workflows.engine import Guard, fsm_field, transition_label


@dataclass(frozen=True)
class Step:
    """One transition from one source state."""

    name: str
    label: str
    source: str
    target: str
    transition: object  # django_fsm.Transition

    @property
    def who(self) -> str:
        return who_may(self.transition.permission)

    @property
    def conditions(self) -> list[str]:
        """The guards' reasons that are plain text (a computed reason is left out)."""
        return [
            str(guard.reason)
            for guard in self.transition.conditions
            if isinstance(guard, Guard) and not callable(guard.reason)
        ] + [
            str(_("Condition calculée : voir le message affiché sur la page."))
            for guard in self.transition.conditions
            if isinstance(guard, Guard) and callable(guard.reason)
        ]

    @property
    def notes(self) -> list[str]:
        custom = self.transition.custom
        notes = []
        if custom.get("board_decision"):
            notes.append(str(_("Décision du conseil d'administration.")))
        if custom.get("comment_required"):
            notes.append(str(_("Un commentaire expliquant pourquoi est obligatoire.")))
        return notes


def who_may(permission) -> str:
    """Who may fire a transition, in words: what its permission says of itself (``who()``)."""
    if permission is None:
        return str(_("tout le monde"))
    who = getattr(permission, "who", None)
    if callable(who):
        return str(who())
    return str(_("selon une règle particulière"))


@dataclass
class Machine:
    """A workflow as data: its states, its initial state and its transitions."""

    key: str
    states: list[tuple[str, str]]  # (value, label), in declaration order
    initial: str
    steps: list[Step]
    labels: dict[str, str] = field(default_factory=dict)

    def label_of(self, state: str) -> str:
        return self.labels.get(state, state)

    @cached_property
    def layers(self) -> dict[str, int]:
        return layers_of([value for value, _label in self.states], self.initial, self.steps)

    @property
    def finals(self) -> set[str]:
        leaving = {step.source for step in self.steps if step.target != step.source}
        return {value for value, _label in self.states if value not in leaving}


def machine_of(model, field_name: str = "state") -> Machine:
    """The machine declared on ``model`` (django-fsm's own list of its transitions)."""
    state_field = fsm_field(model, field_name)
    states = [(str(value), str(label)) for value, label in state_field.choices]
    values = [value for value, _label in states]
    key = model._meta.model_name
    steps = []
    for transition in state_field.get_all_transitions(model):
        label = transition_label(model, transition.name, field_name)
        target = transition.target
        if not isinstance(target, str):  # None (stays put) or a computed target: not drawn
            continue
        if transition.source == ANY_STATE:
            sources = values
        elif transition.source == ANY_OTHER_STATE:
            sources = [value for value in values if value != target]
        else:
            sources = [transition.source]
        for source in sources:
            steps.append(Step(transition.name, label, str(source), str(target), transition))
    return Machine(
        key=key,
        states=states,
        initial=str(state_field.default),
        steps=steps,
        labels=dict(states),
    )


def layers_of(states: list[str], initial: str, steps: list[Step]) -> dict[str, int]:
    """Each state's row: the longest path from the initial state over the forward transitions
    (the back ones are those a depth-first walk from the initial state finds going back up)."""
    out = defaultdict(list)
    for step in steps:
        if step.target != step.source and step.target not in out[step.source]:
            out[step.source].append(step.target)
    back, seen, on_path = set(), set(), []

    def walk(state):
        seen.add(state)
        on_path.append(state)
        for target in out[state]:
            if target in on_path:
                back.add((state, target))
            elif target not in seen:
                walk(target)
        on_path.pop()

    walk(initial)
    layer = {initial: 0}
    changed = True
    while changed:  # longest path on the DAG of the forward edges (small graphs)
        changed = False
        for source in list(layer):
            for target in out[source]:
                if (source, target) not in back and layer.get(target, -1) < layer[source] + 1:
                    layer[target] = layer[source] + 1
                    changed = True
    last = max(layer.values(), default=0)
    for state in states:  # states the initial state never reaches go below the others
        layer.setdefault(state, last + 1)
    return layer


def describe(machine: Machine) -> str:
    """The diagram in words (the SVG's desc)."""
    initial = machine.label_of(machine.initial)
    arrows = "; ".join(
        str(
            _("%(label)s : de « %(source)s » à « %(target)s »")
            % {
                "label": step.label,
                "source": machine.label_of(step.source),
                "target": machine.label_of(step.target),
            }
        )
        for step in machine.steps
    )
    finals = ", ".join(f"« {machine.label_of(state)} »" for state in sorted(machine.finals))
    text = str(_("État initial : « %(initial)s ». Transitions : %(arrows)s.")) % {
        "initial": initial,
        "arrows": arrows,
    }
    if finals:
        text += " " + str(_("États finaux : %(finals)s.")) % {"finals": finals}
    return text
