"""The territory project pages and the evaluation page in a real browser: the axe audit on a
desktop and on a phone, an evaluation reported and validated with the keyboard only."""

import datetime
from decimal import Decimal

import pytest

from backend.actions.models import Action
from backend.actions.transitions import approve_action, start_action
from backend.evaluations.reports import update_plan
from backend.territories.models import FindingKind
from tests import factories
from tests.e2e.accessibility import assert_accessible, no_horizontal_scroll
from tests.e2e.conftest import browser_available
from tests.e2e.devices import PHONE_SCREEN

expect = pytest.importorskip("playwright.sync_api").expect if browser_available() else None

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not browser_available(), reason="Playwright or Chromium missing"),
]


@pytest.fixture
def story(project, action, pilot, secretary, social_worker):
    """A project with its diagnostic and axes; an approved, started action with its plan."""
    diagnostic = project.diagnostic
    diagnostic.summary = "Un territoire jeune, des familles monoparentales nombreuses."
    diagnostic.save()
    commune = factories.CommuneFactory(territory=project.territory, name="Saint-Chamond")
    factories.FindingFactory(
        diagnostic=diagnostic,
        kind=FindingKind.RESOURCE,
        title="Un centre social très actif",
        description="Le centre social de Saint-Julien accueille 300 familles.",
        commune=commune,
    )
    answered = factories.FindingFactory(
        diagnostic=diagnostic, title="Peu de départs en vacances", commune=commune
    )
    factories.FindingFactory(diagnostic=diagnostic, title="Isolement des aînés")
    axis = factories.AxisFactory(project=project, position=1, title="Soutenir les familles")
    factories.AxisFactory(project=project, position=2, title="Créer du lien social")
    Action.objects.filter(pk=action.pk).update(
        title="Vacances en famille au départ de Saint-Julien",
        axis=axis,
        commune=commune,
        state="scheduled",
        planned_end=datetime.date(2027, 6, 30),
        social_worker=social_worker,
    )
    action.refresh_from_db()
    action.findings.set([answered])
    factories.ActionFactory(project=project, axis=axis, title="Ateliers parents-enfants")
    pilot.invite()
    pilot.accept()
    pilot.save()
    approved = approve_action(action, actor=secretary)
    start_action(approved, actor=social_worker)
    return update_plan(
        approved.evaluation,
        user=social_worker,
        indicators=[
            {
                "label": "Familles parties en vacances",
                "baseline": 2,
                "target": 12,
                "unit": "familles",
            },
            {"label": "Rencontres du groupe de parents", "target": 8, "unit": "séances"},
        ],
    )


def test_the_project_pages_pass_the_audit_on_a_desktop_and_a_phone(
    signed_in, manager, project, story, artifacts
):
    page = signed_in(manager)
    page.goto("/projets/")
    assert page.get_by_role("heading", level=1).inner_text() == "Projets de territoire"
    assert_accessible(page)
    page.screenshot(path=artifacts / "projects-list.png", full_page=True)

    page.get_by_role("link", name=project.title).click()
    page.wait_for_url(f"**/projets/{project.pk}/")
    assert page.get_by_role("heading", name="Les besoins sans action").is_visible()
    assert page.get_by_role("link", name="Nouvelle action dans ce projet").is_visible()
    assert_accessible(page)
    page.screenshot(path=artifacts / "projects-detail.png", full_page=True)

    phone = signed_in(manager, **PHONE_SCREEN)
    for path in ("/projets/", f"/projets/{project.pk}/"):
        phone.goto(path)
        assert_accessible(phone)
        no_horizontal_scroll(phone)
    phone.screenshot(path=artifacts / "projects-detail-phone.png", full_page=True)


def test_an_evaluation_reported_and_validated_with_the_keyboard_only(
    signed_in, social_worker, manager, story, artifacts
):
    evaluation = story
    page = signed_in(social_worker)
    page.goto(f"/evaluations/{evaluation.pk}/")
    assert_accessible(page)
    page.screenshot(path=artifacts / "evaluation-planned.png", full_page=True)

    first = evaluation.indicators.order_by("position").first()
    for _ in range(60):  # Tab through the page up to the first result field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == f"result-{first.pk}":
            break
    else:
        pytest.fail("the first result field cannot be reached with Tab")
    page.keyboard.type("12,5")
    page.keyboard.press("Tab")
    page.keyboard.type("7")
    page.keyboard.press("Tab")
    page.keyboard.type("25")  # participants
    page.keyboard.press("Tab")
    page.keyboard.type("Six parents ont préparé les départs.")
    page.keyboard.press("Tab")
    page.keyboard.type("Douze familles sont parties, dont huit pour la première fois.")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the submit button
    assert page.evaluate("document.activeElement.textContent").strip() == "Remettre le rapport"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Le rapport d'évaluation est remis.")).to_be_visible()
    evaluation.refresh_from_db()
    assert evaluation.state == "submitted" and evaluation.participants == 25
    assert evaluation.summary == "Douze familles sont parties, dont huit pour la première fois."
    results = [i.result for i in evaluation.indicators.order_by("position")]
    assert results == [Decimal("12.5"), Decimal("7")]

    validating = signed_in(manager)
    validating.goto(f"/evaluations/{evaluation.pk}/")
    for _ in range(80):
        validating.keyboard.press("Tab")
        focused = validating.evaluate("document.activeElement.textContent").strip()
        if focused == "Valider le rapport":
            break
    else:
        pytest.fail("the validate button cannot be reached with Tab")
    with validating.expect_navigation():
        validating.keyboard.press("Enter")
    expect(
        validating.get_by_text("Le rapport d'évaluation est validé. L'action est")
    ).to_be_visible()
    evaluation.refresh_from_db()
    assert evaluation.state == "validated"
    assert_accessible(validating)
    validating.screenshot(path=artifacts / "evaluation-validated.png", full_page=True)


def test_the_evaluation_page_reads_well_on_a_phone(signed_in, social_worker, story, artifacts):
    page = signed_in(social_worker, **PHONE_SCREEN)
    page.goto(f"/evaluations/{story.pk}/")
    page.get_by_label("Familles parties en vacances").fill("12,5")
    page.get_by_label("Rencontres du groupe de parents").fill("beaucoup")
    with page.expect_navigation():
        page.get_by_role("button", name="Remettre le rapport").click()
    expect(page.get_by_role("alert")).to_be_visible()  # the error summary
    assert_accessible(page)
    no_horizontal_scroll(page)
    page.screenshot(path=artifacts / "evaluation-error-phone.png", full_page=True)

    page.goto(f"/evaluations/{story.pk}/plan/")
    assert_accessible(page)
    no_horizontal_scroll(page)
    page.screenshot(path=artifacts / "evaluation-plan-phone.png", full_page=True)


def test_a_long_axis_links_to_the_list_of_its_actions(signed_in, social_worker, project):
    """An axis lists its first actions; its link opens the dashboard's list of all of them."""
    from backend.web.pages.projects import ACTIONS_PER_AXIS

    axis = factories.AxisFactory(project=project, position=1, title="Parentalité")
    total = ACTIONS_PER_AXIS + 2
    for n in range(total):
        factories.ActionFactory(project=project, axis=axis, title=f"Atelier {n:02d}")
    factories.ActionFactory(project=project, title="Hors de l'axe")
    page = signed_in(social_worker)
    page.goto(f"/projets/{project.pk}/")
    section = page.locator("section.axis").filter(has=page.locator(f"#axis-{axis.pk}"))
    assert section.locator("tbody tr").count() == ACTIONS_PER_AXIS
    section.get_by_role("link", name=f"Voir les {total} actions de l'axe").click()
    page.wait_for_url(f"**/tableau-de-bord/?view=list&project={project.pk}&axis={axis.pk}")
    assert page.locator("table.action-list tbody tr").count() == total
    assert "Hors de l'axe" not in page.locator("table.action-list").inner_text()
    assert_accessible(page)
