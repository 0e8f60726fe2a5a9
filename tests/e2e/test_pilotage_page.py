"""The pages « Pilotage » in a real browser, on the known history: each section's chart is
drawn (SVG images) with no violation of the Content-Security-Policy, each section passes the
axe audit on a desktop and on a phone, the navigation between the sections keeps the filters
in the address, a table's CSV downloads."""

from pathlib import Path

import pytest

from tests import analytics_history
from tests.e2e.accessibility import assert_accessible, no_horizontal_scroll
from tests.e2e.conftest import browser_available
from tests.e2e.devices import PHONE_SCREEN

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not browser_available(), reason="Playwright or Chromium missing"),
]

# Registered before any script of the page runs (through the DevTools protocol, which the
# page's policy does not govern): every violation the browser reports is kept.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


@pytest.fixture
def history(time_machine, territory, other_territory):
    return analytics_history.build(
        time_machine, territory=territory, other_territory=other_territory
    )


def _open(signed_in, user, path, **options):
    page = signed_in(user, **options)
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(path)
    return page, console


def _no_violation(page, console):
    assert page.evaluate("window.__violations") == []
    assert not [line for line in console if "Content Security Policy" in line], console


# Each section: its link in the navigation, its address, its charts.
SECTIONS = (
    ("Délais par étape", "/pilotage/", 1),
    ("Partenaires", "/pilotage/partenaires/", 1),
    ("Catégories d'interlocuteurs", "/pilotage/categories/", 1),
    ("Conseil", "/pilotage/conseil/", 1),
)


def _sections(page):
    return page.get_by_role("navigation", name="Sections du pilotage")


def _charts_drawn(page, count: int) -> None:
    images = page.locator("figure.chart img")
    assert images.count() == count
    for index in range(count):  # each SVG decoded and drawn: it has a width of its own
        assert images.nth(index).evaluate("img => img.complete && img.naturalWidth") > 0


def test_the_charts_are_drawn_within_the_policy_and_accessible(signed_in, history, artifacts):
    page, console = _open(signed_in, history.manager, "/tableau-de-bord/")
    page.get_by_role("link", name="Pilotage", exact=True).click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/pilotage/")
    table = page.get_by_role("table", name="Temps passé dans chaque état")
    consultation = table.get_by_role("row", name="consultation des partenaires")
    assert consultation.inner_text().split("\t")[1:4] == ["3", "4,0", "8,8"]
    for name, path, charts in SECTIONS:  # walked through the sections' navigation
        link = _sections(page).get_by_role("link", name=name)
        if link.get_attribute("aria-current") != "page":
            with page.expect_navigation():
                link.click()
        assert page.url.endswith(path)
        assert _sections(page).get_by_role("link", name=name).get_attribute("aria-current") == (
            "page"
        )
        assert page.get_by_role("heading", level=2, name=name).is_visible()
        _charts_drawn(page, charts)
        if name == "Partenaires":
            partners = page.get_by_role("table", name="Réponses des partenaires, par organisation")
            assert partners.get_by_role("row", name="Centre social du Gier").count() == 1
        _no_violation(page, console)
        assert_accessible(page)
        page.screenshot(path=artifacts / f"pilotage-{path.strip('/').replace('/', '-')}.png")

    for _name, path, _charts in SECTIONS:
        phone, phone_console = _open(signed_in, history.manager, path, **PHONE_SCREEN)
        no_horizontal_scroll(phone)
        assert_accessible(phone)
        _no_violation(phone, phone_console)


def test_the_filters_stay_in_the_address_and_a_csv_downloads(signed_in, history):
    page, console = _open(signed_in, history.manager, "/pilotage/")
    page.get_by_label("Année du projet").select_option("2027")
    page.get_by_label("Axe d'intervention").select_option(label="Vivre ensemble")
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").click()
    assert page.url.endswith(f"/pilotage/?territory=&year=2027&axis={history.axis.pk}")
    with page.expect_navigation():  # the filters follow to the board's section
        _sections(page).get_by_role("link", name="Conseil").click()
    assert page.url.endswith(f"/pilotage/conseil/?year=2027&axis={history.axis.pk}")
    assert page.get_by_label("Année du projet").input_value() == "2027"
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le tableau (CSV) : Décisions du conseil").click()
    assert download.value.suggested_filename == "pilotage-conseil-2027.csv"
    content = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert content[1] == "approuvée;1;15,0;15,0"
    assert content[4] == "ajournée;1;13,0;13,0"
    _no_violation(page, console)
