"""The action pages in a real browser, on the Loire demo, on a 375 px wide phone: every page
passes the axe audit and nothing scrolls sideways. Creating an action, its roles and opening
its consultation (with the keyboard) is part of the whole story: tests/e2e/test_whole_story.py,
which uses ``add_role`` from here."""

import pytest

from backend.accounts.models import User
from backend.actions.models import Action
from tests.e2e.accessibility import assert_accessible, no_horizontal_scroll
from tests.e2e.conftest import browser_available
from tests.e2e.devices import PHONE_SCREEN

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not browser_available(), reason="Playwright or Chromium missing"),
]


def add_role(page, organisation, contact, kind, commitment) -> None:
    from playwright.sync_api import expect

    page.get_by_role("link", name="Ajouter un rôle").click()
    page.get_by_label("Organisation partenaire").select_option(label=organisation)
    # htmx narrows the contact select to the organisation's people (optgroups without JS)
    groups = page.locator("#id_contact optgroup")
    expect(groups).to_have_count(1)
    expect(groups).to_have_attribute("label", organisation)
    page.get_by_label("Interlocuteur").select_option(label=contact)
    page.get_by_label("Rôle", exact=True).select_option(label=kind)
    page.get_by_label("Engagement").fill(commitment)
    page.get_by_role("button", name="Ajouter le rôle").click()
    page.get_by_text(f"Le rôle de {organisation} est ajouté.").wait_for()


def test_the_action_pages_read_well_on_a_phone(demo, signed_in, artifacts):
    social_worker = User.objects.get(username="ts.gop")
    action = Action.objects.filter(
        project__territory__slug="gier-ondaine-pilat", state="consultation"
    ).first()
    page = signed_in(social_worker, **PHONE_SCREEN)
    for url, name in [
        (f"/actions/{action.pk}/", "action-page"),
        ("/actions/nouvelle/", "create-form"),
        (f"/actions/{action.pk}/roles/nouveau/", "role-form"),
    ]:
        page.goto(url)
        assert_accessible(page)
        no_horizontal_scroll(page)
        page.screenshot(path=artifacts / f"actions-{name}-phone.png", full_page=True)
