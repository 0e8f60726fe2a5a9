"""The notification centre, the preferences and the help page in a real browser: they pass the
axe audit on a desktop and on a phone, a preference is changed with the keyboard only, and a
notification is marked read (the header's count follows)."""

import pytest

from backend.accounts.models import StaffRole
from notifications.models import Kind, Preference
from tests import factories
from tests.e2e.accessibility import assert_accessible, no_horizontal_scroll
from tests.e2e.conftest import browser_available
from tests.e2e.devices import PHONE_SCREEN
from tests.web.notifying import notify

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not browser_available(), reason="Playwright or Chromium missing"),
]

PAGES = {"notifications": "/mes-notifications/", "preferences": "/mes-notifications/preferences/"}


@pytest.fixture
def inbox(make_staff, territory):
    """A territory manager with three notifications, one of them read."""
    person = make_staff(StaffRole.TERRITORY_MANAGER, first_name="Nadia", last_name="Berthet")
    project = factories.ProjectFactory(territory=territory)
    action = factories.ActionFactory(project=project, title="Ludothèque itinérante à Mulsant")
    notify(person, kind=Kind.ANSWER_RECEIVED, action=action)
    notify(person, kind=Kind.CONSULTATION_COMPLETE, action=action)
    notify(person, kind=Kind.AGENDA_PUBLISHED, subject=factories.BoardSessionFactory(), read=True)
    return person


def test_marking_a_notification_read_updates_the_header(signed_in, inbox, artifacts):
    page = signed_in(inbox)
    page.goto(PAGES["notifications"])
    badge = page.locator(".main-nav .badge")
    assert badge.inner_text().startswith("2")
    assert_accessible(page)
    page.screenshot(path=artifacts / "notifications-centre.png", full_page=True)

    with page.expect_navigation():
        page.get_by_role("button", name="Marquer comme lue : réponse d'un partenaire").click()
    assert page.get_by_text("Notification marquée comme lue.").is_visible()
    assert badge.inner_text().startswith("1")

    page.get_by_role("link", name="Non lues seulement").click()
    assert page.locator(".inbox-item").count() == 1
    with page.expect_navigation():
        page.get_by_role("button", name="Tout marquer comme lu").click()
    assert page.locator(".main-nav .badge").count() == 0
    assert page.get_by_text("Aucune notification non lue.").first.is_visible()


def test_a_preference_is_changed_with_the_keyboard_only(signed_in, inbox, artifacts):
    page = signed_in(inbox)
    page.goto(PAGES["preferences"])
    assert_accessible(page)
    page.screenshot(path=artifacts / "notifications-preferences.png", full_page=True)

    # Tab to the first group's checked radio (the first focusable radio on the page)
    first = page.locator("#pref-answer_received-immediate")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "pref-answer_received-immediate":
            break
    assert first.evaluate("el => el === document.activeElement")
    page.keyboard.press("ArrowRight")  # "dans le récapitulatif quotidien"
    assert page.locator("#pref-answer_received-digest").is_checked()
    for _ in range(40):  # on to the save button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit" and page.evaluate(
            "document.activeElement.textContent"
        ).startswith("Enregistrer"):
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Vos préférences de notification sont enregistrées.").is_visible()
    assert page.locator("#pref-answer_received-digest").is_checked()
    assert page.locator("#pref-reminder-immediate").is_disabled()
    assert Preference.objects.get(user=inbox, kind=Kind.ANSWER_RECEIVED).delivery == "digest"


def test_the_help_page_shows_the_diagrams(signed_in, social_worker, artifacts):
    page = signed_in(social_worker)
    page.goto("/aide/")
    assert page.locator("svg[role=img]").count() == 5
    box = page.locator("svg.state-diagram").first.bounding_box()
    assert box and box["width"] > 200
    assert_accessible(page)
    page.screenshot(path=artifacts / "help-diagrams.png", full_page=True)


@pytest.mark.parametrize("url", [*PAGES.values(), "/aide/"])
def test_the_pages_read_well_on_a_phone(signed_in, inbox, artifacts, url):
    page = signed_in(inbox, **PHONE_SCREEN)
    page.goto(url)
    assert_accessible(page)
    no_horizontal_scroll(page)
    name = url.strip("/").replace("/", "-") or "home"
    page.screenshot(path=artifacts / f"phone-{name}.png", full_page=True)
