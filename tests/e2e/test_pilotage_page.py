"""The page « Pilotage » in a real browser, on the known history: the charts are drawn (SVG
images) with no violation of the Content-Security-Policy, the page passes the axe audit on a
desktop and on a phone, the filters are kept in the address, a table's CSV downloads."""

from pathlib import Path

import pytest

from tests import analytics_history
from tests.e2e.accessibility import assert_accessible, no_horizontal_scroll
from tests.e2e.conftest import browser_available

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


def test_the_charts_are_drawn_within_the_policy_and_accessible(signed_in, history, artifacts):
    page, console = _open(signed_in, history.manager, "/tableau-de-bord/")
    page.get_by_role("link", name="Pilotage").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/pilotage/")
    images = page.locator("figure.chart img")
    assert images.count() == 4
    for index in range(4):  # each SVG decoded and drawn: it has a width of its own
        assert images.nth(index).evaluate("img => img.complete && img.naturalWidth") > 0
    table = page.get_by_role("table", name="Temps passé dans chaque état")
    consultation = table.get_by_role("row", name="consultation des partenaires")
    assert consultation.inner_text().split("\t")[1:4] == ["3", "4,0", "8,8"]
    _no_violation(page, console)
    assert_accessible(page)
    page.screenshot(path=artifacts / "pilotage.png", full_page=True)

    phone, phone_console = _open(
        signed_in, history.manager, "/pilotage/", viewport={"width": 375, "height": 740}
    )
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
    assert page.get_by_label("Année du projet").input_value() == "2027"
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le tableau (CSV) : Décisions du conseil").click()
    assert download.value.suggested_filename == "pilotage-conseil-2027.csv"
    content = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert content[1] == "approuvée;1;15,0;15,0"
    assert content[4] == "ajournée;1;13,0;13,0"
    _no_violation(page, console)
