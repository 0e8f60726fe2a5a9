"""Signing in, in a real browser, with the keyboard only; the page passes the axe audit."""

import pytest

from tests.e2e.accessibility import assert_accessible, no_horizontal_scroll
from tests.e2e.conftest import browser_available
from tests.e2e.devices import PHONE_SCREEN

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not browser_available(), reason="Playwright or Chromium missing"),
]


def test_a_social_worker_signs_in_with_the_keyboard(browser, live_server, social_worker, artifacts):
    social_worker.set_password("Une-phrase-de-passe-42")
    social_worker.save()
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.goto("/tableau-de-bord/")
    assert page.url.endswith("/connexion/?next=/tableau-de-bord/")
    assert_accessible(page)

    page.keyboard.type(social_worker.username)  # the field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type("Une-phrase-de-passe-42")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/tableau-de-bord/")
    assert page.get_by_role("button", name="Se déconnecter").is_visible()
    page.screenshot(path=artifacts / "sign-in-done.png", full_page=True)
    context.close()


def test_the_sign_in_page_reads_well_on_a_phone(browser, live_server, db):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", **PHONE_SCREEN)
    page = context.new_page()
    page.goto("/connexion/")
    assert_accessible(page)
    no_horizontal_scroll(page)
    context.close()
