"""The state diagram of a workflow, drawn from its state machine's own definition.

``machine_of(Model)`` reads the django-fsm-2 transitions declared on the model (sources,
targets, guards, permissions) and ``svg_of(machine)`` draws them as an inline SVG, server-side:

- the states are placed in rows by their distance from the initial state (the longest path
  over the forward transitions, so that every forward arrow points down);
- an arrow joins two neighbouring rows directly; an arrow that goes back up or skips rows runs
  along a lane on the side of the drawing (back on the left, forward on the right), one lane
  per transition and target, shared by all its sources;
- the initial state has the UML start dot above it; a final state (no way out) a double border.

Nothing here is drawn by hand: add a transition to a model and it appears in its diagram.
The SVG uses presentation attributes only (no style attribute), so the strict CSP holds."""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django_fsm import ANY_OTHER_STATE, ANY_STATE

from workflows.engine import ContactPermission, Guard, StaffPermission, fsm_field

# The French names of the transitions, for people (the code names stay in the table).
TRANSITION_LABELS = {
    "action": {
        "submit": _("ouvrir la consultation"),
        "revise": _("revenir au brouillon"),
        "complete_consultation": _("clore la consultation"),
        "schedule": _("inscrire au conseil"),
        "unschedule": _("retirer de l'ordre du jour"),
        "approve": _("approuver"),
        "reject": _("rejeter"),
        "defer": _("ajourner"),
        "start": _("démarrer"),
        "evaluate": _("passer à l'évaluation"),
        "close": _("clôturer"),
        "withdraw": _("retirer l'action"),
    },
    "roleassignment": {
        "invite": _("inviter"),
        "accept": _("accepter"),
        "decline": _("refuser"),
        "request_changes": _("demander des modifications"),
        "withdraw_invitation": _("annuler l'invitation"),
        "withdraw": _("retirer le rôle"),
    },
    "boardsession": {
        "publish_agenda": _("publier l'ordre du jour"),
        "hold": _("tenir la séance"),
        "close": _("clore la séance"),
    },
    "territoryproject": {
        "submit": _("soumettre au conseil"),
        "approve": _("approuver"),
        "return_to_draft": _("renvoyer en préparation"),
    },
    "evaluation": {
        "fall_due": _("arriver à échéance"),
        "submit_report": _("remettre le rapport"),
        "validate": _("valider"),
    },
}


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
    if isinstance(permission, StaffPermission):
        from backend.accounts.models import StaffRole

        roles = ", ".join(str(StaffRole(role).label) for role in permission.roles)
        if permission.automatic:
            return str(_("%(roles)s ; ou l'application, automatiquement") % {"roles": roles})
        return roles
    if isinstance(permission, ContactPermission):
        return str(_("l'interlocuteur désigné du partenaire (par son lien personnel)"))
    if permission is None:
        return str(_("tout le monde"))
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
    names = TRANSITION_LABELS.get(key, {})
    steps = []
    for transition in state_field.get_all_transitions(model):
        label = str(transition.custom.get("label") or names.get(transition.name, transition.name))
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


# --- drawing ---------------------------------------------------------------------------------

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
CHAR = 8.2  # average width of a character at 14px, bold
SMALL_CHAR = 6.6  # at 12px
NODE_H = 46
ROW_H = 124
GAP = 56
LANE_GAP = 20
MARGIN = 16
LABEL_WRAP = 22
INK, MUTED, LINE, PAPER = "#1b1b1b", "#4b5563", "#0b4f9c", "#ffffff"


def _wrap(text: str, width: int = LABEL_WRAP) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def _label_width(lines: list[str]) -> float:
    return max((len(line) for line in lines), default=0) * SMALL_CHAR


@dataclass
class _Node:
    state: str
    label: str
    layer: int
    width: float
    x: float = 0.0  # centre
    y: float = 0.0  # top

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2

    @property
    def mid(self) -> float:
        return self.y + NODE_H / 2


@dataclass
class _Lane:
    side: str  # "left" or "right"
    name: str
    label: str
    target: str
    sources: list[str]
    x: float = 0.0


class _Drawing:
    def __init__(self, machine: Machine, prefix: str):
        self.machine = machine
        self.prefix = prefix
        layers = machine.layers
        self.nodes = {
            value: _Node(
                value,
                label,
                layers[value],
                max(132.0, len(label) * CHAR + 28, len(value) * SMALL_CHAR + 28),
            )
            for value, label in machine.states
        }
        self.direct, self.lanes = self._route()
        self._place()

    # Which arrows go straight, which along a lane.
    def _route(self):
        direct, grouped = [], {}
        for step in self.machine.steps:
            source, target = self.nodes[step.source], self.nodes[step.target]
            if abs(target.layer - source.layer) == 1:
                direct.append(step)
                continue
            side = "right" if target.layer > source.layer else "left"
            lane = grouped.setdefault(
                (side, step.name, step.target),
                _Lane(side, step.name, step.label, step.target, []),
            )
            lane.sources.append(step.source)
        return direct, list(grouped.values())

    def _place(self):
        rows = defaultdict(list)
        for node in self.nodes.values():
            rows[node.layer].append(node)
        side_of = defaultdict(int)  # -1: has a left lane, +1: a right lane
        for lane in self.lanes:
            for state in [*lane.sources, lane.target]:
                side_of[state] += -1 if lane.side == "left" else 1
        order = {value: index for index, (value, _label) in enumerate(self.machine.states)}
        width = max(sum(node.width for node in row) + GAP * (len(row) - 1) for row in rows.values())
        self.inner = width
        placed_x: dict[str, float] = {}
        for number in sorted(rows):
            row = rows[number]

            def barycentre(node):
                xs = [
                    placed_x[step.source]
                    for step in self.machine.steps
                    if step.target == node.state and step.source in placed_x
                ]
                return sum(xs) / len(xs) if xs else width / 2

            row.sort(
                key=lambda n: (max(-1, min(1, side_of[n.state])), barycentre(n), order[n.state])
            )
            total = sum(node.width for node in row) + GAP * (len(row) - 1)
            x = (width - total) / 2
            for node in row:
                node.x = x + node.width / 2
                node.y = number * ROW_H
                placed_x[node.state] = node.x
                x += node.width + GAP
        # lanes, outwards from the nodes
        left = [lane for lane in self.lanes if lane.side == "left"]
        right = [lane for lane in self.lanes if lane.side == "right"]
        for index, lane in enumerate(left):
            lane.x = -LANE_GAP * (index + 1)
        for index, lane in enumerate(right):
            lane.x = width + LANE_GAP * (index + 1)

    # --- SVG pieces ------------------------------------------------------------------------

    def _extend(self, left, top, right, bottom):
        box = self.box
        self.box = (min(box[0], left), min(box[1], top), max(box[2], right), max(box[3], bottom))

    def _text(self, x, y, lines, *, anchor="middle", css="edge-label", size=12):
        width = _label_width(lines)
        left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
        self._extend(
            left - 4, y - size - 2, left + width + 4, y + (len(lines) - 1) * (size + 2) + 6
        )
        spans = "".join(
            f'<tspan x="{x:.1f}" dy="{0 if i == 0 else size + 2}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        return (
            f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
            f'font-size="{size}" fill="{INK}" stroke="{PAPER}" stroke-width="4" '
            f'stroke-linejoin="round" paint-order="stroke">{spans}</text>'
        )

    def _ports(self, arrows) -> dict:
        """Where each arrow leaves and reaches its nodes: the arrows on one side of a node are
        spread along it, ordered by where their other end lies (no two arrows meet)."""
        sides = defaultdict(list)  # (state, "top" | "bottom") -> [(other x, arrow, end)]
        for arrow in arrows:
            source, target = self.nodes[arrow[0]], self.nodes[arrow[1]]
            down = target.layer > source.layer
            sides[(source.state, "bottom" if down else "top")].append((target.x, arrow, 0))
            sides[(target.state, "top" if down else "bottom")].append((source.x, arrow, 1))
        ports = {}
        for (state, _side), ends in sides.items():
            node = self.nodes[state]
            ends.sort(key=lambda end: (end[0], end[1][0] if end[2] else end[1][1]))
            count = len(ends)
            step = min(18.0, node.width * 0.6 / (count - 1)) if count > 1 else 0
            for index, (_x, arrow, end) in enumerate(ends):
                ports[(arrow, end)] = node.x + (index - (count - 1) / 2) * step
        return ports

    def _direct_edges(self) -> list[str]:
        grouped = defaultdict(list)  # one arrow per (source, target), its names joined
        for step in self.direct:
            grouped[(step.source, step.target)].append(step)
        ports = self._ports(list(grouped))
        fan_out = defaultdict(int)
        shared = defaultdict(list)  # (label, target) -> arrows: several sources, one label
        for (source, target), steps in grouped.items():
            fan_out[source] += 1
            down = self.nodes[target].layer > self.nodes[source].layer
            label = " / ".join(dict.fromkeys(s.label for s in steps))
            shared[(label, target, down)].append(source)
        parts = []
        for (source, target), steps in grouped.items():
            a, b = self.nodes[source], self.nodes[target]
            down = b.layer > a.layer
            x1, y1 = ports[((source, target), 0)], (a.y + NODE_H) if down else a.y
            x2, y2 = ports[((source, target), 1)], b.y if down else (b.y + NODE_H)
            label = " / ".join(dict.fromkeys(step.label for step in steps))
            names = ", ".join(dict.fromkeys(step.name for step in steps))
            lines = _wrap(label)
            text = ""
            sharing = shared[(label, target, down)]
            if len(sharing) == 1:
                twin = (target, source) in grouped
                at = 0.5 if fan_out[source] < 2 else 0.62
                slanted = twin and abs(x2 - x1) > 30
                if slanted:  # a slanted pair: the labels at different heights, either side
                    at = 0.5 if down else 0.25
                lx, ly = x1 + (x2 - x1) * at, y1 + (y2 - y1) * at
                other = ports.get(((target, source), 0), lx)
                if slanted:
                    heading_left = (x2 < x1) == down  # the downward arrow of the pair
                    right_side = heading_left == down
                    anchor, lx = ("start", lx + 8) if right_side else ("end", lx - 8)
                    ly += 12 if right_side == heading_left else 0
                elif twin and other > x1:
                    anchor, lx = "end", lx - 8
                elif twin:
                    anchor, lx = "start", lx + 8
                else:
                    anchor = "middle"
                text = self._text(lx, ly - (len(lines) - 1) * 7 + 4, lines, anchor=anchor)
            elif source == sharing[-1]:  # the shared label, once, by the target
                text = self._text(b.right + 6, b.y - 10, lines, anchor="start")
            parts.append(
                f'<g class="edge" data-transitions="{escape(names)}">'
                f"<title>{escape(label)} ({escape(names)})</title>"
                f'<path d="M{x1:.1f},{y1:.1f} L{x2:.1f},{y2:.1f}" fill="none" stroke="{LINE}" '
                f'stroke-width="1.6" marker-end="url(#{self.prefix}-arrow)"/>{text}</g>'
            )
        return parts

    def _lane_edges(self) -> list[str]:
        parts = []
        used: dict[str, list[tuple[float, float]]] = {"left": [], "right": []}
        outermost = {
            "left": min([lane.x for lane in self.lanes if lane.side == "left"] or [0]),
            "right": max([lane.x for lane in self.lanes if lane.side == "right"] or [0]),
        }
        for lane in self.lanes:
            right = lane.side == "right"
            target = self.nodes[lane.target]
            d = []
            ys = [target.mid]
            for source_state in lane.sources:
                source = self.nodes[source_state]
                # leave a little above the middle so a source's several lanes stay apart
                y = source.mid - 6 if right else source.mid + 6
                ys.append(y)
                d.append(f"M{source.right if right else source.left:.1f},{y:.1f} H{lane.x:.1f}")
            d.append(f"M{lane.x:.1f},{min(ys):.1f} V{max(ys):.1f}")
            edge = target.right if right else target.left
            d.append(f"M{lane.x:.1f},{target.mid:.1f} H{edge + (4 if right else -4):.1f}")
            lines = _wrap(lane.label)
            height = len(lines) * 14
            y = (min(ys) + max(ys)) / 2 - height / 2 + 10
            while any(top - 4 < y + height and y < bottom + 4 for top, bottom in used[lane.side]):
                y += 8
            used[lane.side].append((y - 10, y - 10 + height))
            x = outermost[lane.side] + (8 if right else -8)
            sources = ", ".join(self.machine.label_of(s) for s in lane.sources)
            parts.append(
                f'<g class="edge edge-lane" data-transitions="{escape(lane.name)}">'
                f"<title>{escape(lane.label)} ({escape(lane.name)}) : "
                f"{escape(sources)} → {escape(self.machine.label_of(lane.target))}</title>"
                f'<path d="{" ".join(d)}" fill="none" stroke="{LINE}" stroke-width="1.6" '
                f'stroke-dasharray="6 3" marker-end="url(#{self.prefix}-arrow)"/>'
                f"{self._text(x, y, lines, anchor='start' if right else 'end')}</g>"
            )
        return parts

    def _nodes(self) -> list[str]:
        parts = []
        finals = self.machine.finals
        for node in self.nodes.values():
            rect = (
                f'<rect x="{node.left:.1f}" y="{node.y:.1f}" width="{node.width:.1f}" '
                f'height="{NODE_H}" rx="10" fill="{PAPER}" stroke="{INK}" stroke-width="1.5"/>'
            )
            if node.state in finals:
                rect += (
                    f'<rect x="{node.left + 4:.1f}" y="{node.y + 4:.1f}" '
                    f'width="{node.width - 8:.1f}" height="{NODE_H - 8}" rx="7" fill="none" '
                    f'stroke="{INK}" stroke-width="1"/>'
                )
            css = "state-node" + (" final" if node.state in finals else "")
            if node.state == self.machine.initial:
                css += " initial"
            parts.append(
                f'<g class="{css}" data-state="{escape(node.state)}">{rect}'
                f'<text x="{node.x:.1f}" y="{node.y + 20:.1f}" text-anchor="middle" '
                f'font-size="14" font-weight="600" fill="{INK}">{escape(node.label)}</text>'
                f'<text x="{node.x:.1f}" y="{node.y + 36:.1f}" text-anchor="middle" '
                f'font-size="12" fill="{MUTED}" font-family="ui-monospace, monospace">'
                f"{escape(node.state)}</text></g>"
            )
        start = self.nodes[self.machine.initial]
        parts.append(
            f'<g class="start"><circle cx="{start.x:.1f}" cy="{start.y - 34:.1f}" r="7" '
            f'fill="{INK}"/><path d="M{start.x:.1f},{start.y - 27:.1f} V{start.y - 3:.1f}" '
            f'stroke="{INK}" stroke-width="1.6" marker-end="url(#{self.prefix}-arrow-ink)"/></g>'
        )
        return parts

    def svg(self, title: str, description: str) -> SafeString:
        rows = max(node.layer for node in self.nodes.values()) + 1
        lanes = [lane.x for lane in self.lanes]
        self.box = (
            min([0.0, *lanes]),
            -44.0,
            max([self.inner, *lanes]),
            (rows - 1) * ROW_H + NODE_H,
        )
        p = self.prefix
        arrow = (
            '<marker id="{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
            'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            'fill="{fill}"/></marker>'
        )
        body = "".join([*self._lane_edges(), *self._direct_edges(), *self._nodes()])
        left, top = self.box[0] - MARGIN, self.box[1] - MARGIN
        width = self.box[2] - self.box[0] + 2 * MARGIN
        height = self.box[3] - self.box[1] + 2 * MARGIN
        return mark_safe(  # every text above is escaped
            f'<svg xmlns="http://www.w3.org/2000/svg" class="state-diagram" role="img" '
            f'aria-labelledby="{p}-title {p}-desc" viewBox="{left:.0f} {top:.0f} '
            f'{width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
            f'font-family="{FONT}">'
            f'<title id="{p}-title">{escape(title)}</title>'
            f'<desc id="{p}-desc">{escape(description)}</desc>'
            f"<defs>{arrow.format(id=f'{p}-arrow', fill=LINE)}"
            f"{arrow.format(id=f'{p}-arrow-ink', fill=INK)}</defs>"
            f"{body}</svg>"
        )


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


def svg_of(machine: Machine, title: str, prefix: str | None = None) -> SafeString:
    """The machine's diagram as an inline SVG (ids prefixed: several diagrams on one page)."""
    return _Drawing(machine, prefix or f"diagram-{machine.key}").svg(title, describe(machine))
