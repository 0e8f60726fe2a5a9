"""The dashboard in a real browser: filtered with the keyboard (htmx swaps the board and keeps
the filters in the address), without JavaScript, and on a phone; each view passes axe."""

import datetime

import pytest
from django.utils import timezone

from backend.accounts.models import StaffRole
from backend.evaluations.models import Evaluation
from tests import factories
from tests.e2e.accessibility import assert_accessible, no_horizontal_scroll
from tests.e2e.conftest import browser_available
from tests.e2e.devices import PHONE_SCREEN

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not browser_available(), reason="Playwright or Chromium missing"),
]


@pytest.fixture
def pipeline(project, other_territory):
    """A few actions across the states, two communes, and one action in another territory."""
    today = timezone.localdate()
    territory = project.territory
    saint_chamond = factories.CommuneFactory(territory=territory, name="Saint-Chamond")
    rive = factories.CommuneFactory(territory=territory, name="Rive-de-Gier")
    axis = factories.AxisFactory(project=project, title="Parentalité")
    late = factories.ActionFactory(
        project=project,
        title="Saint-Julien : les habitants acteurs",
        commune=saint_chamond,
        axis=axis,
        state="consultation",
        consultation_deadline=today - datetime.timedelta(days=2),
    )
    factories.RoleFactory(action=late, state="accepted", responded_at=timezone.now())
    factories.RoleFactory(action=late, kind="funder", state="invited")
    factories.ActionFactory(project=project, title="Ateliers à Rive-de-Gier", commune=rive)
    factories.ActionFactory(
        project=project, title="Prête pour le conseil", commune=rive, state="ready_for_board"
    )
    evaluated = factories.ActionFactory(
        project=project, title="Vacances en famille", commune=saint_chamond, state="evaluation"
    )
    Evaluation.objects.create(action=evaluated, due_date=today, state="due")
    elsewhere = factories.ProjectFactory(territory=other_territory)
    factories.ActionFactory(project=elsewhere, title="Action roannaise")
    return {"late": late, "saint_chamond": saint_chamond}


def test_a_manager_filters_the_board_with_the_keyboard(
    signed_in, make_staff, pipeline, artifacts, live_server
):
    manager = make_staff(StaffRole.TERRITORY_MANAGER)
    page = signed_in(manager)
    page.goto("/tableau-de-bord/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tableau de bord"
    assert page.get_by_role("link", name="Nouvelle action").is_visible()
    assert "Action roannaise" not in page.content()
    assert_accessible(page)
    page.screenshot(path=artifacts / "dashboard-board.png", full_page=True)

    # Choose a commune with the keyboard: htmx swaps the board, the address keeps the filter,
    # the focus stays on the field.
    commune = page.get_by_label("Commune")
    commune.focus()
    while commune.input_value() != str(pipeline["saint_chamond"].pk):
        page.keyboard.press("ArrowDown")
    page.wait_for_url(f"**/tableau-de-bord/?*commune={pipeline['saint_chamond'].pk}*")
    board = page.locator("#pipeline")
    board.get_by_text("Vacances en famille").wait_for()
    assert "Ateliers à Rive-de-Gier" not in board.inner_text()
    assert page.locator("#pipeline-status").inner_text() == "2 actions correspondent aux filtres."
    assert page.evaluate("document.activeElement.id") == "filter-commune"
    assert_accessible(page)

    # Open the overdue action's card from the keyboard.
    card = board.get_by_role("link", name=pipeline["late"].title)
    card.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/actions/{pipeline['late'].pk}/")


def test_the_list_view_works_without_javascript(browser, live_server, make_staff, pipeline):
    from django.conf import settings
    from django.test import Client

    social_worker = make_staff(StaffRole.SOCIAL_WORKER)
    client = Client()
    client.force_login(social_worker)
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto("/tableau-de-bord/?view=list")
    page.get_by_label("État").select_option("draft")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**/tableau-de-bord/?view=list&*state=draft*")
    table = page.locator("table.action-list")
    assert "Ateliers à Rive-de-Gier" in table.inner_text()
    assert "Prête pour le conseil" not in table.inner_text()
    context.close()


def test_the_dashboard_reads_well_on_a_phone(signed_in, make_staff, pipeline, artifacts):
    page = signed_in(make_staff(StaffRole.SOCIAL_WORKER), **PHONE_SCREEN)
    page.goto("/tableau-de-bord/")
    no_horizontal_scroll(page)
    # The columns stack: the second column starts below the first.
    columns = page.locator("section.column")
    assert columns.nth(1).bounding_box()["y"] > columns.nth(0).bounding_box()["y"]
    assert_accessible(page)
    page.screenshot(path=artifacts / "dashboard-phone.png", full_page=True)
    page.goto("/tableau-de-bord/?view=list")
    no_horizontal_scroll(page)
    assert_accessible(page)
    page.screenshot(path=artifacts / "dashboard-list-phone.png", full_page=True)


def test_a_full_column_links_to_the_list_of_its_actions(signed_in, make_staff, project):
    """A column shows its first cards; its link opens the list of all its actions, filtered."""
    from backend.web.selectors.dashboard import CARDS_PER_COLUMN

    drafts = [
        factories.ActionFactory(project=project, title=f"Atelier numéro {n:02d}")
        for n in range(CARDS_PER_COLUMN + 4)
    ]
    factories.ActionFactory(project=project, title="En consultation", state="consultation")
    page = signed_in(make_staff(StaffRole.SOCIAL_WORKER))
    page.goto("/tableau-de-bord/")
    column = page.locator("section.column").filter(has=page.locator("#column-draft"))
    assert column.locator("li.card").count() == CARDS_PER_COLUMN
    link = column.get_by_role("link", name=f"Voir les {len(drafts)} actions de la colonne")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/tableau-de-bord/?view=list&state=draft")
    assert page.locator("#pipeline-status").inner_text() == (
        f"{len(drafts)} actions correspondent aux filtres."
    )
    rows = page.locator("table.action-list tbody tr")
    assert rows.count() == len(drafts)
    assert "En consultation" not in page.locator("table.action-list").inner_text()
    assert page.get_by_label("État").input_value() == "draft"
    assert_accessible(page)
