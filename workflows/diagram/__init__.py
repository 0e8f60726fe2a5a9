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
The SVG uses presentation attributes only (no style attribute), so the strict CSP holds.

The data (``machine``: a workflow's states and steps, read from its declaration), the layout
(``layout``: where each state and arrow goes) and the SVG (``svg``) live in their own modules.
"""

from workflows.diagram.machine import (
    Machine,
    Step,
    describe,
    layers_of,
    machine_of,
    who_may,
)
from workflows.diagram.svg import svg_of

__all__ = [
    "Machine",
    "Step",
    "describe",
    "layers_of",
    "machine_of",
    "svg_of",
    "who_may",
]
