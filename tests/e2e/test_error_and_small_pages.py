"""What a demanding visitor meets around the main pages, in the real browser: the focus in the
header, the error pages, a form sent without its cookie, the sign-in form sent empty, the
unsubscribe page under the site's Content-Security-Policy, what an anonymous visitor is shown."""

import pytest

from backend.actions.links import token_for
from backend.actions.models import RoleAssignment, RoleState
from backend.actions.transitions import submit_action
from notifications.delivery.unsubscribe import token_for as unsubscribe_token
from notifications.models import Kind
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import browser_available

if not browser_available():
    pytest.skip("Playwright or /usr/bin/chromium is not installed", allow_module_level=True)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_throttle")]
HEADER_BLUE = "rgb(11, 79, 156)"


@pytest.fixture
def visitor(browser, live_server):
    contexts = []

    def open_page(**options):
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", **options)
        contexts.append(context)
        page = context.new_page()
        page.csp_violations = []
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text
                and page.csp_violations.append(message.text)
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_the_keyboard_focus_shows_on_the_headers_blue(signed_in, social_worker):
    page = signed_in(social_worker)
    page.goto("/tableau-de-bord/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the site's name, in the header
    focused = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.className, s.outlineStyle, s.outlineColor]; }"
    )
    assert focused[0] == "brand"
    assert focused[1] == "solid"
    assert focused[2] not in (HEADER_BLUE, "rgba(0, 0, 0, 0)")  # not blue on blue
    assert focused[2] == "rgb(255, 255, 255)"


def test_a_missing_page_is_french_and_styled(visitor):
    page = visitor()
    response = page.goto("/cette-page-n-existe-pas/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page introuvable"
    assert page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") == (
        HEADER_BLUE
    )
    assert page.get_by_role("link", name="Retour à l'accueil").is_visible()
    assert not page.csp_violations
    assert_accessible(page)


def test_a_form_sent_without_its_cookie_gets_a_french_page_not_djangos(visitor):
    page = visitor()
    page.goto("/connexion/")
    page.context.clear_cookies()  # the browser dropped the CSRF cookie
    page.get_by_label("Identifiant ou adresse e-mail").fill("quelquun")
    page.get_by_label("Mot de passe").fill("un mot de passe")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Se connecter").click()
    assert posted.value.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Le formulaire n'a pas pu être envoyé"
    )
    assert "CSRF" not in page.content()  # Django's technical page names it
    assert "leur lien personnel suffit" in page.content()
    assert_accessible(page)


def test_a_partner_whose_browser_drops_cookies_still_answers(visitor, action, pilot, social_worker):
    submit_action(action, actor=social_worker)
    role = RoleAssignment.objects.get(pk=pilot.pk)
    page = visitor()
    page.goto(f"/respond/{token_for(role)}/")
    page.context.clear_cookies()
    page.get_by_label("Accepter le rôle").check()
    page.get_by_role("button", name="Envoyer ma réponse").click()
    page.get_by_role("heading", level=1).wait_for()
    role.refresh_from_db()
    assert role.state == RoleState.ACCEPTED


def test_an_empty_sign_in_form_says_what_is_missing(visitor):
    page = visitor()
    page.goto("/connexion/")
    page.get_by_role("button", name="Se connecter").click()
    summary = page.get_by_role("alert")
    assert "La connexion n'a pas abouti" in summary.inner_text()
    assert "Ce champ est obligatoire" in summary.inner_text()
    for field in ("id_username", "id_password"):
        described = page.get_attribute(f"#{field}", "aria-describedby")
        assert page.locator(f"#{described}").inner_text().strip() == "Ce champ est obligatoire."
    assert_accessible(page)


def test_the_unsubscribe_page_is_styled_under_the_sites_policy(visitor, manager):
    token = unsubscribe_token(f"user:{manager.pk}", Kind.ANSWER_RECEIVED)
    page = visitor()
    page.goto(f"/unsubscribe/{token}/")
    assert page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") == (
        HEADER_BLUE
    )
    assert not page.csp_violations
    assert_accessible(page)


def test_an_anonymous_visitor_is_not_shown_the_administration_or_the_api(visitor):
    page = visitor()
    page.goto("/")
    links = page.get_by_role("link").all_inner_texts()
    assert "Administration" not in links
    assert not [text for text in links if "API" in text]
    assert page.get_by_role("link", name="Connexion du personnel").is_visible()
    favicon = page.request.get("/favicon.ico")
    assert favicon.ok and favicon.headers["content-type"].startswith("image/svg")
