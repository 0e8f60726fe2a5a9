"""Every link of every message of the story, opened as its recipient at the moment it arrived
(``walk.open_link``: staff sign in with their own account and land on the page; partners and
board members open it without an account), and every unsubscribe link used."""

import re
from collections import Counter

import pytest

from backend.accounts.models import User
from notifications.delivery.unsubscribe import kinds_to_turn_off, subscription_for
from notifications.models import Delivery, Preference
from tests.mail.walk import UNSUBSCRIBE

pytestmark = pytest.mark.django_db

# The pages the story's e-mails must lead to at least once (else the walk proves little).
PAGES_REACHED = {
    "web:action_detail",  # staff: the action
    "web:board_detail",  # staff: the board session
    "web:evaluation_detail",  # staff: the evaluation
    "respond:page",  # a partner: its role, without an account
    "agenda:page",  # a partner: the session's agenda, without an account
    "attendance:page",  # a board member: their attendance, without an account
    "attendance:board_file",  # and the board file (PDF)
    "report:page",  # the pilot partner: its report, without an account
    "admin:webhooks_endpoint_change",  # an administrator: the webhook switched off
    UNSUBSCRIBE,
}


def test_every_link_of_every_message_opens_the_expected_page_for_its_recipient(story):
    problems = [
        f"{received.kind} to {received.to}: {opened.url} {opened.problem}"
        for received in story.received
        for opened in received.opened
        if opened.problem
    ]
    assert problems == []
    reached = Counter(opened.view for received in story.received for opened in received.opened)
    assert set(reached) >= PAGES_REACHED, reached
    assert len(story.received) >= 40
    assert all(UNSUBSCRIBE in {o.view for o in r.opened} for r in story.received)


def test_every_staff_message_leads_to_a_staff_page_and_no_partner_message_does(story):
    for received in story.received:
        views = {opened.view for opened in received.opened}
        staff_pages = {view for view in views if view.startswith("web:")}
        if received.user is not None and received.user.is_admin:
            staff_pages |= {view for view in views if view.startswith("admin:")}  # webhooks
        if received.user is not None:
            assert staff_pages, f"{received.kind} to {received.to}: no link to a staff page"
        else:
            assert not staff_pages, f"{received.kind} to {received.to}: a staff page {views}"


def test_the_text_and_the_html_part_offer_the_same_links(story):
    for received in story.received:
        in_text = set(re.findall(r"https?://\S+", received.text))
        in_html = {url for url in received.links() if url in received.html}
        assert in_text == in_html, f"{received.kind} to {received.to}"


def test_every_unsubscribe_link_unsubscribes_its_recipient_in_one_click(client, story):
    urls = {
        str(received.message["List-Unsubscribe"]).strip(" <>"): received
        for received in story.received
    }
    assert len(urls) >= 15
    turned_something_off = 0
    for url, received in urls.items():
        path = url.removeprefix(received_site(url))
        assert client.get(path).status_code == 200  # a confirmation page: nothing changes yet
        owner, kind = subscription_for(path.split("/")[2])
        turned_off = Preference.objects.filter(delivery=Delivery.NONE, **_of(owner))
        assert not turned_off.exists()
        expected = set(kinds_to_turn_off(owner, kind))
        done = client.post(
            path,
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert done.status_code == 200, (received.kind, received.to)
        off = set(turned_off.values_list("kind", flat=True))
        assert off == expected, (received.kind, received.to)  # nothing, for a partner's
        turned_something_off += bool(off)  # mandatory message: it has nothing optional
        turned_off.delete()  # the next link starts afresh
    assert turned_something_off >= 10


def received_site(url: str) -> str:
    return re.match(r"https?://[^/]+", url).group(0)


def _of(owner) -> dict:
    return {"user": owner} if isinstance(owner, User) else {"contact": owner}
