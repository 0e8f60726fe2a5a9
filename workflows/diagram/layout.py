"""Where a diagram's states and arrows go: the states in rows by their distance from the
initial state, the arrows that skip or go back up along lanes on the sides."""

from collections import defaultdict
from dataclasses import dataclass

from workflows.diagram.machine import Machine

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


def wrap(text: str, width: int = LABEL_WRAP) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def label_width(lines: list[str]) -> float:
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


class Layout:
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
