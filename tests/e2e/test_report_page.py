"""The pilot partner sends its evaluation report from its personal link, in a real browser on
a phone, with the keyboard only, against the app served by ``live_server``."""

import datetime
import re
from decimal import Decimal

import pytest

from backend.actions.models import Action
from backend.actions.transitions import approve_action, start_action
from backend.evaluations.links import report_link
from backend.evaluations.models import Evaluation
from backend.evaluations.reports import update_plan
from tests.e2e.conftest import browser_available
from tests.e2e.devices import PHONE
from workflows.models import TransitionLog

if not browser_available():
    pytest.skip("Playwright or /usr/bin/chromium is not installed", allow_module_level=True)
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_throttle")]


@pytest.fixture
def evaluation(action, pilot, secretary, social_worker):
    """An action in progress whose evaluation plan has two indicators."""
    Action.objects.filter(pk=action.pk).update(
        title="Vacances en famille au départ de Saint-Julien",
        state="scheduled",
        planned_end=datetime.date(2027, 6, 30),
        social_worker=social_worker,
    )
    pilot.invite()
    pilot.accept()
    pilot.save()
    action.refresh_from_db()
    approved = approve_action(action, actor=secretary)
    evaluation = Evaluation.objects.get(action=approved)
    update_plan(
        evaluation,
        user=social_worker,
        indicators=[
            {
                "label": "Familles parties en vacances",
                "baseline": "0",
                "target": "12",
                "unit": "familles",
            },
            {"label": "Rencontres du groupe de parents", "target": "8", "unit": "séances"},
        ],
    )
    start_action(approved, actor=social_worker)
    return Evaluation.objects.get(pk=evaluation.pk)


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def active(page, attribute: str):
    return page.evaluate(f"document.activeElement.{attribute}")


def test_the_pilot_reports_on_a_phone_with_the_keyboard(
    browser, live_server, evaluation, pilot, artifacts
):
    first, second = evaluation.indicators.values_list("pk", flat=True)
    link = "/report/" + report_link(evaluation).split("/report/", 1)[1]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        response = page.goto(f"{live_server.url}{link}")
        assert response.status == 200
        assert response.headers["referrer-policy"] == "same-origin"
        expect(page).to_have_title(re.compile("Vacances en famille au départ de Saint-Julien"))
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        plan = page.get_by_role("region", name="Le plan d'évaluation")
        expect(plan).to_contain_text("Valeur de départ : 0 familles")
        expect(plan).to_contain_text("Cible : 12 familles")
        expect(plan).to_contain_text("Cible : 8 séances")
        expect(page.get_by_label("Familles parties en vacances")).to_have_attribute(
            "inputmode", "decimal"
        )
        expect(page.get_by_label("Familles parties en vacances")).to_have_accessible_description(
            re.compile("Cible : 12 familles")
        )
        assert horizontal_overflow(page) <= 0
        page.screenshot(path=artifacts / "report-phone.png", full_page=True)

        for _ in range(40):  # Tab through the page up to the first result
            page.keyboard.press("Tab")
            if active(page, "id") == f"result-{first}":
                break
        else:
            pytest.fail("the first result is not reachable with Tab")
        assert active(page, "getAttribute('inputmode')") == "decimal"
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
        page.keyboard.type("12,5")
        page.keyboard.press("Tab")
        assert active(page, "id") == f"result-{second}"  # left empty on purpose
        page.keyboard.press("Tab")
        assert active(page, "id") == "participants"
        page.keyboard.type("34")
        page.keyboard.press("Tab")
        assert active(page, "id") == "residents_involved"
        page.keyboard.type("Deux mères ont co-animé le groupe de parents.")
        page.keyboard.press("Tab")
        assert active(page, "id") == "what_worked"
        page.keyboard.type("Le départ groupé en car.")
        page.keyboard.press("Tab")
        assert active(page, "id") == "what_to_change"
        page.keyboard.type("Commencer les inscriptions plus tôt.")
        page.keyboard.press("Tab")
        assert active(page, "type") == "submit"
        page.keyboard.press("Enter")

        # The missing result: an error next to its field, what was typed is kept.
        expect(page.get_by_role("alert")).to_contain_text("Rencontres du groupe de parents")
        missing = page.get_by_label("Rencontres du groupe de parents")
        expect(missing).to_have_attribute("aria-invalid", "true")
        expect(missing).to_have_accessible_description(re.compile("Indiquez le résultat obtenu"))
        expect(page.get_by_label("Familles parties en vacances")).to_have_value("12,5")
        expect(page.get_by_label("Ce qui a bien fonctionné (facultatif)")).to_have_value(
            "Le départ groupé en car."
        )
        assert horizontal_overflow(page) <= 0
        page.screenshot(path=artifacts / "report-phone-error.png", full_page=True)
        assert Evaluation.objects.get(pk=evaluation.pk).state == "planned"

        page.get_by_role("link", name=re.compile("Rencontres du groupe de parents")).focus()
        page.keyboard.press("Enter")  # the error summary's link leads to the field
        expect(missing).to_be_focused()
        page.keyboard.type("8")
        page.keyboard.press("Enter")  # Enter in a text field submits the form

        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Merci, votre compte rendu est enregistré"
        )
        expect(page.get_by_role("status")).to_contain_text(
            "Vacances en famille au départ de Saint-Julien"
        )
        results = page.get_by_role("region", name="Résultats")
        expect(results).to_contain_text("12,50 familles")
        expect(results).to_contain_text("8 séances")
        assert horizontal_overflow(page) <= 0
        page.screenshot(path=artifacts / "report-phone-done.png", full_page=True)

        page.goto(f"{live_server.url}{link}")  # coming back: the report, no form
        expect(page.get_by_role("heading", level=1)).to_have_text("Compte rendu déjà remis")
        expect(page.locator("form")).to_have_count(0)
    finally:
        context.close()

    stored = Evaluation.objects.get(pk=evaluation.pk)
    assert stored.state == "submitted" and stored.participants == 34
    assert [i.result for i in stored.indicators.all()] == [Decimal("12.50"), Decimal("8.00")]
    assert stored.what_to_change == "Commencer les inscriptions plus tôt."
    log = TransitionLog.objects.get(action=stored.action, transition="submit_report")
    assert log.actor_label.endswith(f"({pilot.organisation.name})")
