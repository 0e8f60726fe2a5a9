"""Charts as SVG drawn by pygal on the server, shown as images (``<img src="data:…">``).

The site's Content-Security-Policy forbids inline scripts and styles in the pages. A pygal
SVG carries a ``<style>`` and a ``<script>`` (its tooltips): shown as an image, the SVG is a
document of its own that never runs scripts and whose styles the page's policy does not
govern, so nothing is blocked; the script is removed anyway (``add_xml_filter``, pygal's
public hook), and the SVG says what it shows (``<title>``, ``<desc>``). Each chart of a page
stands beside its table, which holds every figure: the image's text alternative names the
table.
"""

import base64

import pygal
from pygal.style import Style

# The site's colours (app.css): blue, orange, green, red, grey, purple.
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1b1b",
    foreground_strong="#1b1b1b",
    foreground_subtle="#6b7280",
    colors=("#0b4f9c", "#b45309", "#1a6b2f", "#a3231a", "#4b5563", "#6b21a8"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
    value_font_size=12,
)


def _accessible(title: str, description: str):
    """An XML filter: no script; a <desc> after pygal's <title>."""

    def apply(root):
        for parent in root.iter():
            for child in list(parent):
                if isinstance(child.tag, str) and child.tag.endswith("script"):
                    parent.remove(child)
        root.set("role", "img")
        root.set("aria-label", title)
        for child in root:
            if isinstance(child.tag, str) and child.tag.endswith("title"):
                desc = child.makeelement(child.tag[: -len("title")] + "desc", {})
                desc.text = description
                root.insert(list(root).index(child) + 1, desc)
                break
        return root

    return apply


def bar_chart(
    title: str,
    description: str,
    labels: list[str],
    series: list[tuple[str, list]],
    *,
    horizontal: bool = True,
    unit: str = "",
) -> str:
    """A bar chart (one bar per label and series) as a ``data:`` URI for an ``<img>``."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    height = max(260, 90 + 26 * len(labels) * max(1, len(series))) if horizontal else 380
    chart = kind(
        style=STYLE,
        width=900,
        height=height,
        title=str(title),
        js=[],
        print_values=True,
        print_zeroes=False,
        value_formatter=lambda value: f"{value:g}{unit}" if value is not None else "",
        legend_at_bottom=True,
        legend_at_bottom_columns=max(1, len(series)),
        show_legend=len(series) > 1,
        truncate_label=-1,
        truncate_legend=-1,
        no_data_text="Aucune donnée",
        margin=16,
    )
    chart.x_labels = [str(label) for label in labels]  # lazy translations are not JSON
    for name, values in series:
        chart.add(str(name), values)
    chart.add_xml_filter(_accessible(str(title), str(description)))
    svg = chart.render()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
