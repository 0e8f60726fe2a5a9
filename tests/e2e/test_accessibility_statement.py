"""The accessibility statement says what the audits measure: every page it lists is opened
here in Chromium on the Loire demo, as the person who uses it, and audited with axe-core (no
serious or critical violation); the statement lists no page this test does not audit."""

import pytest
from django.conf import settings
from django.core.cache import cache

from backend.accounts.models import StaffRole, User
from backend.actions.links import token_for as respond_token
from backend.actions.models import Action, ActionState, RoleAssignment, RoleState
from backend.board.models import BoardSession
from backend.evaluations.links import report_link
from backend.evaluations.models import Evaluation
from backend.territories.models import TerritoryProject
from backend.web.pages.accessibility import AUDITED_PAGES, AXE_VERSION
from notifications.delivery.unsubscribe import token_for as unsubscribe_token
from notifications.models import Kind
from tests.e2e.accessibility import assert_accessible, no_horizontal_scroll
from tests.e2e.conftest import browser_available

if not browser_available():
    pytest.skip("Playwright or /usr/bin/chromium is not installed", allow_module_level=True)

pytestmark = pytest.mark.django_db(transaction=True)


def staff(role):
    return User.objects.filter(role=role, is_active=True).order_by("pk").first()


def urls_of_the_demo() -> dict:
    """key → (path, who opens it: a staff user, or None for no account)."""
    social_worker = staff(StaffRole.SOCIAL_WORKER)
    mine = Action.objects.filter(project__territory__in=social_worker.territories.all())
    evaluation = Evaluation.objects.filter(action__state=ActionState.IN_PROGRESS).first()
    pilot = evaluation.action.roles.filter(state=RoleState.ACCEPTED).first()
    Evaluation.objects.filter(pk=evaluation.pk).update(reporting_role=pilot)  # its reporter
    evaluation.refresh_from_db()
    role = RoleAssignment.objects.filter(state=RoleState.INVITED, contact__isnull=False).first()
    return {
        "home": ("/", None),
        "sign_in": ("/connexion/", None),
        "dashboard": ("/tableau-de-bord/", social_worker),
        "project": (
            f"/projets/{TerritoryProject.objects.filter(actions__in=mine).first().pk}/",
            social_worker,
        ),
        "action": (f"/actions/{mine.order_by('pk').first().pk}/", social_worker),
        "board": (
            f"/conseil/{BoardSession.objects.order_by('date').first().pk}/",
            staff(StaffRole.BOARD_SECRETARY),
        ),
        "evaluation": (f"/evaluations/{evaluation.pk}/", staff(StaffRole.DIRECTOR)),
        "notifications": ("/mes-notifications/", social_worker),
        "help": ("/aide/", social_worker),
        "respond": (f"/respond/{respond_token(role)}/", None),
        "report": (report_link(evaluation).removeprefix(settings.SITE_URL), None),
        "unsubscribe": (
            f"/unsubscribe/{unsubscribe_token(f'contact:{role.contact_id}', Kind.INVITATION)}/",
            None,
        ),
        "not_found": ("/nulle-part/", None),
        "statement": ("/accessibilite/", None),
    }


def test_every_page_the_statement_lists_is_audited(
    demo, browser, live_server, signed_in, artifacts
):
    cache.clear()
    urls = urls_of_the_demo()
    assert [key for key, _name, _who in AUDITED_PAGES] == list(urls)
    anonymous = browser.new_context(base_url=live_server.url, locale="fr-FR")
    try:
        for key, (path, user) in urls.items():
            page = signed_in(user) if user else anonymous.new_page()
            response = page.goto(path)
            assert response.status == (404 if key == "not_found" else 200), path
            assert_accessible(page)
            no_horizontal_scroll(page) if key != "board" else None
            page.close()
    finally:
        anonymous.close()


def test_the_statement_is_linked_from_every_page_and_says_what_is_measured(
    browser, live_server, db
):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.goto("/connexion/")
    page.get_by_role("link", name="Accessibilité : partiellement conforme").click()
    page.wait_for_url(f"{live_server.url}/accessibilite/")
    text = page.inner_text("main")
    assert f"ouvre {len(AUDITED_PAGES)} pages" in text
    assert f"axe-core {AXE_VERSION}" in text
    assert "partiellement conforme" in text and "Défenseur des droits" in text
    assert_accessible(page)
    context.close()
