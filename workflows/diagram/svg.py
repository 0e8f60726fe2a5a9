"""The diagram as an inline SVG, drawn on its layout (presentation attributes only)."""

from collections import defaultdict

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from workflows.diagram.layout import (
    FONT,
    INK,
    LINE,
    MARGIN,
    MUTED,
    NODE_H,
    PAPER,
    ROW_H,
    Layout,
    label_width,
    wrap,
)
from workflows.diagram.machine import Machine, describe


class _Drawing(Layout):
    # --- SVG pieces ------------------------------------------------------------------------

    def _extend(self, left, top, right, bottom):
        box = self.box
        self.box = (min(box[0], left), min(box[1], top), max(box[2], right), max(box[3], bottom))

    def _text(self, x, y, lines, *, anchor="middle", css="edge-label", size=12):
        width = label_width(lines)
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
            lines = wrap(label)
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
            lines = wrap(lane.label)
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


def svg_of(machine: Machine, title: str, prefix: str | None = None) -> SafeString:
    """The machine's diagram as an inline SVG (ids prefixed: several diagrams on one page)."""
    return _Drawing(machine, prefix or f"diagram-{machine.key}").svg(title, describe(machine))
