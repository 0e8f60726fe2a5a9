"""Long content in a real browser, on the Loire demo, on a 375 px wide phone: a 200-character
action title with a web address wraps between words and at the address's slashes (never between
two letters) on the action page, the dashboard's columns and list, the project's table and the
board's agenda; the action page folds its long sections (roles, history, e-mails) so that it
stays short, the sections open with the keyboard, and the board's decision with its reference
sits near the state at the top."""

import pytest
from django.db.models import Count

from backend.accounts.models import User
from backend.actions.models import Action
from backend.board.models import AgendaItem
from tests.e2e.accessibility import assert_accessible, no_horizontal_scroll
from tests.e2e.conftest import browser_available
from tests.e2e.devices import PHONE_SCREEN
from tests.e2e.test_board_pages import tab_to

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not browser_available(), reason="Playwright or Chromium missing"),
]
ADDRESS = (
    "https://www.saint-etienne.fr/demarches/inscriptions/atelier-parentalite-numerique"
    "?quartier=montreynaud&public=familles-parent"
)
TITLE = f"Ateliers numériques des familles de Montreynaud, inscriptions sur {ADDRESS} en ligne"
# Where a line may sensibly end: after a space, a hyphen or a slash, and around the address's
# punctuation (its dots, ?, & and =).
AFTER = set(" -/.?&=_")
BEFORE = set(" ?#.,")
# Each line break of an element's text: the last character of a line, the first of the next, and
# whether the browser may hyphenate there.
LINE_BREAKS = r"""(element) => {
  const breaks = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  let previous = null, top = null, node;
  while ((node = walker.nextNode())) {
    for (let i = 0; i < node.data.length; i++) {
      // a space at the end of a line takes no room: it still ends the line
      if (/\s/.test(node.data[i])) { if (previous !== null) previous = " "; continue; }
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + 1);
      const rects = [...range.getClientRects()].filter((rect) => rect.width > 0);
      if (!rects.length) continue;
      const line = rects[0].top;
      const hyphens = getComputedStyle(node.parentElement).hyphens;
      if (top !== null && line > top + 2) breaks.push([previous, node.data[i], hyphens]);
      top = line; previous = node.data[i];
    }
  }
  return breaks;
}"""


def assert_wraps_between_words(locator, where: str = "") -> None:
    breaks = locator.evaluate(LINE_BREAKS)
    assert breaks, "the long title fits on one line: the test proves nothing"
    # Between two letters only where the browser hyphenates a French word (and shows a hyphen);
    # never in the web address.
    split = [
        f"{a}|{b}"
        for a, b, hyphens in breaks
        if a not in AFTER and b not in BEFORE and hyphens != "auto"
    ]
    assert not split, f"{where}: words split between two letters: {split}"


@pytest.fixture
def long_action(demo):
    """The demo's action with the longest history and a board decision, renamed with a long
    title, one of its partners with a long commitment."""
    action = (
        Action.objects.filter(decisions__isnull=False)
        .annotate(entries=Count("transition_logs", distinct=True))
        .order_by("-entries", "pk")
        .first()
    )
    assert len(TITLE) == 200
    Action.objects.filter(pk=action.pk).update(title=TITLE)
    role = action.roles.order_by("pk").first()
    role.description = "Accueille les ateliers dans ses salles équipées d'ordinateurs. " * 8
    role.save(update_fields=["description"])
    return Action.objects.get(pk=action.pk)


def test_a_long_title_wraps_between_words_in_every_list(long_action, signed_in, artifacts):
    page = signed_in(User.objects.get(username="direction"), **PHONE_SCREEN)
    item = AgendaItem.objects.filter(action=long_action).first()
    for url, where in [
        ("/tableau-de-bord/", "dashboard-columns"),
        ("/tableau-de-bord/?view=list", "dashboard-list"),
        (f"/projets/{long_action.project_id}/", "project"),
        (f"/conseil/{item.session_id}/", "board-agenda"),
    ]:
        page.goto(url)
        title = page.get_by_role("link", name=TITLE).first
        title.scroll_into_view_if_needed()
        assert_wraps_between_words(title, where)
        no_horizontal_scroll(page)
        assert_accessible(page)
        page.screenshot(path=artifacts / f"long-title-{where}-phone.png", full_page=True)
    # On a card, the title is clamped to three lines; the whole title stays the link's name.
    page.goto("/tableau-de-bord/")
    card = page.locator(".card-title a", has_text="Ateliers numériques").first
    line_height = card.evaluate("(e) => parseFloat(getComputedStyle(e).lineHeight)")
    assert card.bounding_box()["height"] <= 3 * line_height + 1
    assert card.get_attribute("title") == TITLE


def test_the_action_page_folds_its_long_sections_on_a_phone(long_action, signed_in, artifacts):
    page = signed_in(User.objects.get(username="direction"), **PHONE_SCREEN)
    page.goto(f"/actions/{long_action.pk}/")
    assert_wraps_between_words(page.get_by_role("heading", level=1))
    no_horizontal_scroll(page)
    assert_accessible(page)
    page.screenshot(path=artifacts / "long-action-folded-phone.png", full_page=True)
    # Measured on this action: 11,700 px before the sections folded, 3,300 px after.
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4000, f"the action page is {height}px tall on a phone"

    # The board's decision and its reference, near the state at the top.
    decision = long_action.decisions.order_by("-recorded_at").first()
    banner = page.locator(".action-decision")
    assert decision.reference in banner.inner_text()
    assert (
        banner.bounding_box()["y"] < page.get_by_role("heading", name="Résumé").bounding_box()["y"]
    )

    # Each section is folded, its count in its summary; it opens with the keyboard.
    history = page.locator("summary", has_text="Historique")
    entries = page.locator(".timeline li")
    assert f"({entries.count()})" in history.inner_text()
    assert entries.count() >= 10
    assert not entries.first.is_visible()
    tab_to(page, history)
    page.keyboard.press("Enter")
    assert entries.first.is_visible()
    for name in ["Rôles des partenaires", "Invitations, relances et alertes"]:
        summary = page.locator("summary", has_text=name)
        assert summary.evaluate("(s) => !s.parentElement.open"), f"« {name} » is not folded"
        tab_to(page, summary)
        page.keyboard.press("Enter")
        assert summary.evaluate("(s) => s.parentElement.open"), f"« {name} » does not open"

    # A long commitment is shortened; the whole text is one click away.
    commitment = page.locator(".commitment").first
    full = commitment.locator("details p")
    assert not full.is_visible()
    commitment.get_by_text("Lire tout l'engagement").click()
    assert full.is_visible()
    assert not commitment.locator(".commitment-excerpt").is_visible()
    no_horizontal_scroll(page)
    assert_accessible(page)
    page.screenshot(path=artifacts / "long-action-open-phone.png", full_page=True)
