"""The accessibility audit of a page in the browser: axe-core (WCAG 2.1 A and AA rules), as
shipped by axe-playwright-python. A page passes when axe finds no serious or critical
violation; the report names each one with its nodes so a failure says what to fix. Beside it,
the phone check every page also passes: nothing scrolls sideways."""

from axe_playwright_python.sync_playwright import Axe

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
BLOCKING = {"serious", "critical"}


def blocking_violations(page) -> list[dict]:
    results = Axe().run(page, options=WCAG_21_AA)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']} - {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '')}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    violations = blocking_violations(page)
    assert not violations, f"axe-core on {page.url}:\n{describe(violations)}"


def no_horizontal_scroll(page) -> None:
    """The page is no wider than the screen it is shown on (a phone's: 375 px)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    screen = page.viewport_size["width"]
    assert width <= screen, f"the page is {width}px wide on a {screen}px screen"
