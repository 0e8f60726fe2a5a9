"""The action pages in a real browser, on the Loire demo: a social worker of Gier-Ondaine-Pilat
creates an action for Saint-Chamond / Saint-Julien, gives roles to the town and two local
associations, and opens the consultation (with the keyboard). Every page passes the axe audit,
on a desktop and on a 375 px wide phone."""

import re

import pytest

from backend.accounts.models import User
from backend.actions.models import Action
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import browser_available

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not browser_available(), reason="Playwright or Chromium missing"),
]

TITLE = "Un café des parents à Saint-Julien"
ROLES = [
    (
        "Ville de Saint-Chamond",
        "Sébastien Rolland (Chef de projet renouvellement urbain)",
        "pilote",
        "Met une salle à disposition et coordonne l'action avec le renouvellement urbain.",
    ),
    (
        "Centre social de Saint-Julien",
        "Rachid Benali (Directeur)",
        "co-pilote",
        "Anime le café des parents deux matinées par mois.",
    ),
    (
        "Conseil citoyen de Saint-Julien",
        "Josiane Martinez (Habitante, membre du conseil citoyen)",
        "consulté",
        "Fait connaître le café aux habitants et donne son avis sur le programme.",
    ),
]


@pytest.fixture
def demo(db):
    from backend.demo.loader import load_demo

    return load_demo()


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], "no horizontal scrolling"


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


def test_a_social_worker_creates_an_action_and_opens_its_consultation(
    demo, signed_in, live_server, artifacts
):
    social_worker = User.objects.get(username="ts.gop")
    page = signed_in(social_worker)

    page.goto("/actions/nouvelle/")
    assert_accessible(page)
    page.get_by_label("Intitulé").fill(TITLE)
    page.get_by_label("Résumé").fill(
        "Deux matinées par mois, les parents du quartier se retrouvent autour d'un café "
        "pour échanger avec des professionnels de la petite enfance."
    )
    page.get_by_label("Axe d'intervention").select_option(index=1)
    page.get_by_label("Commune").select_option(label="Saint-Chamond")
    page.get_by_label("Quartier").select_option(label="Saint-Julien")
    page.locator("input[name=findings]").first.check()
    page.get_by_label("Début prévu").fill("2026-10-01")
    page.get_by_label("Fin prévue").fill("2027-06-30")
    page.screenshot(path=artifacts / "actions-create-form.png", full_page=True)
    page.get_by_role("button", name="Créer l'action").click()
    page.wait_for_url(re.compile(r"/actions/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == TITLE

    for index, role in enumerate(ROLES):
        add_role(page, *role)
        if index == 0:  # the role form, audited once it is known to work
            page.get_by_role("link", name="Ajouter un rôle").click()
            assert_accessible(page)
            page.screenshot(path=artifacts / "actions-role-form.png", full_page=True)
            page.go_back()

    assert_accessible(page)
    # Open the consultation with the keyboard only: tab to the button, press Enter.
    button = page.get_by_role("button", name="Ouvrir la consultation")
    for _ in range(80):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the button « Ouvrir la consultation » is not reachable with Tab")
    page.keyboard.press("Enter")
    page.get_by_text("l'action est maintenant « consultation des partenaires »").wait_for()

    action = Action.objects.get(title=TITLE)
    assert action.state == "consultation"
    assert action.commune.name == "Saint-Chamond" and action.neighbourhood.name == "Saint-Julien"
    assert sorted(action.roles.values_list("state", flat=True)) == ["invited"] * 3
    matrix = page.get_by_role("table", name="Qui fait quoi, et où en est sa réponse")
    assert matrix.get_by_text("invité", exact=True).count() == 3
    assert page.get_by_text("Invitation à répondre").count() >= 3
    assert_accessible(page)
    page.screenshot(path=artifacts / "actions-action-page.png", full_page=True)


def test_the_action_pages_read_well_on_a_phone(demo, signed_in, artifacts):
    social_worker = User.objects.get(username="ts.gop")
    action = Action.objects.filter(
        project__territory__slug="gier-ondaine-pilat", state="consultation"
    ).first()
    page = signed_in(social_worker, viewport={"width": 375, "height": 740})
    for url, name in [
        (f"/actions/{action.pk}/", "action-page"),
        ("/actions/nouvelle/", "create-form"),
        (f"/actions/{action.pk}/roles/nouveau/", "role-form"),
    ]:
        page.goto(url)
        assert_accessible(page)
        no_horizontal_scroll(page)
        page.screenshot(path=artifacts / f"actions-{name}-phone.png", full_page=True)
