"""The board pages in a real browser, on the Loire demo: the board secretary reads the
sessions and a session's agenda (axe audit on a desktop and on a 375 px wide phone), then holds
the session of the day and records a decision with the keyboard only."""

import pytest

from backend.accounts.models import User
from backend.board.models import BoardDecision, BoardSession
from tests.e2e.accessibility import assert_accessible, no_horizontal_scroll
from tests.e2e.conftest import browser_available
from tests.e2e.devices import PHONE_SCREEN

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not browser_available(), reason="Playwright or Chromium missing"),
]


def tab_to(page, locator, limit: int = 120) -> None:
    """Press Tab until ``locator`` has the focus (as a keyboard user would)."""
    target = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(element) => document.activeElement === element", target):
            return
    raise AssertionError(f"{locator} never got the focus with Tab")


def session(key: str) -> BoardSession:
    from backend.demo import data

    return BoardSession.objects.get(title=data.BOARD_SESSIONS[key]["title"])


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_sessions_and_an_agenda_read_well(demo, signed_in, artifacts, device):
    secretary = User.objects.get(username="secretariat")
    page = signed_in(secretary, **(PHONE_SCREEN if device == "phone" else {}))
    page.goto("/conseil/")
    assert page.get_by_role("heading", level=1).inner_text() == "Conseil d'administration"
    assert page.get_by_role("table", name="Séances à venir", exact=False).is_visible()
    assert_accessible(page)
    no_horizontal_scroll(page)
    page.screenshot(path=artifacts / f"board-list-{device}.png", full_page=True)

    following = session("next")
    page.get_by_role("link", name=following.title).click()
    page.wait_for_url(f"**/conseil/{following.pk}/")
    page.get_by_role("button", name="Inscrire l'action").click()  # the ready action
    page.get_by_text("est inscrite à l'ordre du jour").wait_for()
    page.get_by_role("button", name="Inscrire le projet").click()  # a territory project
    page.get_by_text("est inscrit à l'ordre du jour").wait_for()
    assert following.agenda_items.count() == 2
    assert page.get_by_role("button", name="Descendre", exact=False).count() == 1
    assert page.get_by_role("link", name="Télécharger le dossier du conseil (PDF)").is_visible()
    assert page.get_by_role("button", name="Publier l'ordre du jour").is_visible()
    assert_accessible(page)
    no_horizontal_scroll(page)
    page.screenshot(path=artifacts / f"board-session-{device}.png", full_page=True)

    page.goto(f"/conseil/{session('previous').pk}/")
    assert_accessible(page)
    no_horizontal_scroll(page)


def test_the_secretary_holds_the_session_and_decides_with_the_keyboard(demo, signed_in, artifacts):
    secretary = User.objects.get(username="secretariat")
    today = session("today")
    assert today.state == "agenda_published"
    point = today.agenda_items.order_by("position").first()
    title = point.action.title
    page = signed_in(secretary)
    page.goto(f"/conseil/{today.pk}/")

    tab_to(page, page.get_by_role("button", name="Tenir la séance"))
    page.keyboard.press("Enter")
    page.get_by_text("La séance est tenue").wait_for()
    assert_accessible(page)

    # A rejection without its reason: refused, the error next to the field, nothing recorded.
    tab_to(page, page.get_by_label(f"Décision pour « {title} »"))
    page.keyboard.press("End")  # the last choice: ajournée
    page.keyboard.press("ArrowUp")  # rejetée
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("2026-101")
    page.keyboard.press("Enter")
    page.get_by_text("Indiquez le motif du rejet.").first.wait_for()
    assert not BoardDecision.objects.filter(session=today).exists()
    assert_accessible(page)
    page.screenshot(path=artifacts / "board-decision-errors.png", full_page=True)

    # Approved: the decision shows on the agenda.
    tab_to(page, page.get_by_label(f"Décision pour « {title} »"))
    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")  # approuvée
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("2026-102")
    page.keyboard.press("Enter")
    page.get_by_text("1 décision enregistrée.").wait_for()
    decision = BoardDecision.objects.get(session=today)
    assert (decision.outcome, decision.reference) == ("approved", "2026-102")
    assert page.get_by_role("row", name="2026-102").is_visible()
    assert_accessible(page)
    page.screenshot(path=artifacts / "board-decision-recorded.png", full_page=True)
