"""A partner answers its role in a real browser, on a desktop with the keyboard only and on a
phone with touch, against the app served by ``live_server``."""

import re
from decimal import Decimal

import pytest

from backend.actions.links import token_for
from backend.actions.models import Action, RoleAssignment, RoleKind, RoleState
from backend.actions.transitions import submit_action
from backend.territories.models import FindingKind
from tests import factories
from tests.e2e.conftest import browser_available
from tests.e2e.devices import PHONE

if not browser_available():
    pytest.skip("Playwright or /usr/bin/chromium is not installed", allow_module_level=True)
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_throttle")]

LONG_WORD = "https://exemple.org/un-lien-tres-long-sans-aucun-espace-qui-pourrait-deborder-" * 2


@pytest.fixture
def consultation(territory, project, action, pilot, social_worker):
    commune = factories.CommuneFactory(territory=territory, name="Saint-Chamond")
    quartier = factories.NeighbourhoodFactory(commune=commune, name="Saint-Julien")
    Action.objects.filter(pk=action.pk).update(
        title="Accueil parents-enfants à Saint-Julien",
        summary=f"Un lieu d'accueil pour les parents et leurs jeunes enfants. {LONG_WORD}",
        commune=commune,
        neighbourhood=quartier,
    )
    action.findings.set(
        [
            factories.FindingFactory(
                diagnostic=project.diagnostic,
                kind=FindingKind.NEED,
                title="Peu de lieux de rencontre pour les parents",
            ),
            factories.FindingFactory(
                diagnostic=project.diagnostic,
                kind=FindingKind.RESOURCE,
                title="Un centre social très actif",
            ),
        ]
    )

    def partner(name, kind, **fields):
        organisation = factories.OrganisationFactory(name=name, territories=[territory])
        contact = factories.ContactFactory(organisation=organisation)
        return factories.RoleFactory(
            action=action, organisation=organisation, contact=contact, kind=kind, **fields
        )

    roles = {
        "pilot": pilot,
        "copilot": partner(
            "Centre social et culturel Saint-Julien",
            RoleKind.CO_PILOT,
            description="Co-anime les ateliers du mercredi avec la CAF.",
            time_commitment="2 demi-journées par mois",
            venue="Salle polyvalente du centre social",
        ),
        "town": partner("Ville de Saint-Chamond", RoleKind.CO_PILOT),
        "funder": partner(
            "Département de la Loire",
            RoleKind.FUNDER,
            description="Finance le poste d'animatrice.",
            financial_commitment=Decimal("12500"),
        ),
    }
    submit_action(action, actor=social_worker)
    return {name: RoleAssignment.objects.get(pk=role.pk) for name, role in roles.items()}


def link(live_server, role) -> str:
    return f"{live_server.url}/respond/{token_for(role)}/"


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_a_partner_asks_for_changes_with_the_keyboard_only(
    browser, live_server, consultation, artifacts
):
    role = consultation["copilot"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(link(live_server, role))
        expect(page).to_have_title(re.compile("Accueil parents-enfants à Saint-Julien"))
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Accueil parents-enfants à Saint-Julien"
        )
        mine = page.get_by_role("region", name="Votre rôle")
        expect(mine).to_contain_text("Co-pilote")
        expect(mine).to_contain_text("Co-anime les ateliers du mercredi avec la CAF.")
        expect(mine).to_contain_text("rôle partagé avec Ville de Saint-Chamond")
        others = page.get_by_role("region", name="Les autres partenaires")
        expect(others).to_contain_text("Département de la Loire")
        expect(page.get_by_role("region", name="L'action")).to_contain_text(
            "Peu de lieux de rencontre pour les parents"
        )
        page.screenshot(path=artifacts / "respond-desktop.png", full_page=True)

        for _ in range(40):  # Tab through the page up to the choice
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.name") == "decision":
                break
        else:
            pytest.fail("the answer's radio buttons are not reachable with Tab")
        assert page.evaluate("document.activeElement.id") == "decision-accept"
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
        page.keyboard.press("ArrowDown")  # arrows move within a radio group
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")
        expect(page.get_by_label("Demander des modifications")).to_be_checked()
        expect(page.get_by_role("group", name="Acceptez-vous ce rôle ?")).to_be_visible()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "comment"
        page.keyboard.type("Nous pouvons animer un mercredi sur deux, pas tous.")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.type") == "submit"
        page.keyboard.press("Enter")

        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Merci, votre réponse est enregistrée"
        )
        expect(page.get_by_role("status")).to_contain_text("demandé des modifications")
        expect(page.locator("main")).to_contain_text("un mercredi sur deux")
        page.screenshot(path=artifacts / "respond-desktop-done.png", full_page=True)
    finally:
        context.close()

    role.refresh_from_db()
    assert role.state == RoleState.CHANGES_REQUESTED
    assert role.response_comment == "Nous pouvons animer un mercredi sur deux, pas tous."


def test_declining_without_a_comment_shows_the_error_next_to_the_field(
    browser, live_server, consultation, artifacts
):
    role = consultation["funder"]
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(link(live_server, role))
        page.get_by_label("Refuser le rôle").check()
        page.get_by_role("button", name="Envoyer ma réponse").click()
        comment = page.get_by_label("Commentaire")
        expect(comment).to_have_attribute("aria-invalid", "true")
        expect(comment).to_have_accessible_description(re.compile("Dites en quelques mots"))
        expect(page.get_by_role("alert")).to_contain_text("Dites en quelques mots")
        expect(page.get_by_label("Refuser le rôle")).to_be_checked()
        page.screenshot(path=artifacts / "respond-error.png", full_page=True)
    finally:
        context.close()
    assert RoleAssignment.objects.get(pk=role.pk).state == RoleState.INVITED


def test_a_partner_accepts_on_a_phone_without_horizontal_scrolling(
    browser, live_server, consultation, artifacts
):
    role = consultation["funder"]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(link(live_server, role))
        expect(page.get_by_role("region", name="Votre rôle")).to_contain_text("12\xa0500\xa0€")
        assert horizontal_overflow(page) <= 0
        page.screenshot(path=artifacts / "respond-phone.png", full_page=True)

        page.get_by_label("Accepter le rôle").tap()
        page.get_by_role("button", name="Envoyer ma réponse").tap()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Merci, votre réponse est enregistrée"
        )
        assert horizontal_overflow(page) <= 0
        page.screenshot(path=artifacts / "respond-phone-done.png", full_page=True)

        page.goto(link(live_server, role))  # coming back: the answer, no form
        expect(page.get_by_role("heading", level=1)).to_have_text("Réponse déjà enregistrée")
        expect(page.locator("form")).to_have_count(0)
        assert horizontal_overflow(page) <= 0
    finally:
        context.close()
    assert RoleAssignment.objects.get(pk=role.pk).state == RoleState.ACCEPTED


def test_a_bad_link_is_a_clear_page_on_a_phone(browser, live_server, artifacts):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        response = page.goto(f"{live_server.url}/respond/{'x' * 300}/")
        assert response.status == 404
        assert response.headers["referrer-policy"] == "same-origin"
        expect(page.get_by_role("heading", level=1)).to_have_text("Lien invalide")
        assert horizontal_overflow(page) <= 0
        page.screenshot(path=artifacts / "respond-invalid-link.png", full_page=True)
    finally:
        context.close()
