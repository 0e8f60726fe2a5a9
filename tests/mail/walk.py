"""Opening a link as the e-mail's recipient would.

- A member of staff clicks while signed out: the link leads to the sign-in page, which keeps
  the address (``next``); they sign in with their own account and land on the page the link
  named, which answers 200.
- A partner or a board member has no account: the link answers 200 as it is, with no sign-in.
- Nobody is sent to the Django admin (an administrator may not enter it: the webhook switched
  off opens on its staff page), and no page answers 404.
- A PDF (the board file) is read as text.
- A page opened from an e-mail about an action names that action (the expected page, not
  just any page that answers 200).
"""

import io
from dataclasses import dataclass
from html import escape, unescape
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve
from pypdf import PdfReader

from backend.board.models import BoardSession
from tests.mail import Received
from webhooks.models import Endpoint

PASSWORD = "un-mot-de-passe-solide-42"  # tests.factories.StaffFactory's
SIGN_IN = "/connexion/"
UNSUBSCRIBE = "notifications:unsubscribe"


@dataclass
class Opened:
    url: str
    view: str  # the URL name that answered (``namespace:name``)
    status: int = 0
    problem: str = ""


def view_name(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return "(none)"


class Walker:
    """Opens links as their recipients. A member of staff goes through the sign-in page the
    first time they follow a link to a page (``_sign_in_then_open``), and again when their
    session has expired; otherwise their browser is signed in (one client per person)."""

    def __init__(self):
        self.browsers = {}  # user id -> a signed-in client
        self.signed_in_to = set()  # (user id, path) reached through the sign-in page

    def open_link(self, received: Received, url: str) -> Opened:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        opened = Opened(url, view_name(parts.path))
        site = urlsplit(settings.SITE_URL)
        user = received.user
        if url == getattr(received.subject, "url", None):
            opened.view = "(what the message is about)"  # a webhook's address: not a page
            return opened
        if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
            opened.problem = f"not on SITE_URL ({settings.SITE_URL})"
        elif parts.path.startswith("/admin/"):
            opened.problem = "leads to the Django admin"
        elif user is not None and opened.view.startswith("web:"):
            page = None
            if (user.pk, path) in self.signed_in_to:  # once through the sign-in page is enough
                page = self.browsers[user.pk].get(path)
                opened.status = page.status_code
                if page.status_code == 302 and urlsplit(page["Location"]).path == SIGN_IN:
                    page = None  # the session has expired since: sign in again
            if page is None:
                page = self._sign_in_then_open(user, path, opened)
        else:
            page = Client().get(path)  # no account, no cookie
            opened.status = page.status_code
            if page.status_code in (301, 302, 303):
                opened.problem = f"redirects to {page['Location']}"
        if not opened.problem and opened.status != 200:
            opened.problem = f"answers {opened.status}"
        name = expected_name(received)
        if (
            not opened.problem
            and opened.view != UNSUBSCRIBE
            and name
            and name not in readable(page)
        ):
            opened.problem = f"the page does not name « {name} »"
        return opened

    def _sign_in_then_open(self, user, path: str, opened: Opened, sign_in: str = SIGN_IN):
        """Signed out, the link goes to the sign-in page keeping the address; signing in
        with the recipient's own account lands on it."""
        client = Client()
        first = client.get(path)
        location = first.get("Location", "")
        opened.status = first.status_code
        if first.status_code != 302 or urlsplit(location).path != sign_in:
            opened.problem = f"signed out, answers {first.status_code} {location}".strip()
            return first
        kept = parse_qs(urlsplit(location).query).get("next", [""])[0]
        form = client.get(location)
        if kept != path or f'name="next" value="{escape(path)}"' not in form.content.decode():
            opened.problem = f"the sign-in page does not keep the address (next={kept!r})"
            return form
        signed_in = client.post(
            sign_in, {"username": user.username, "password": PASSWORD, "next": path}
        )
        opened.status = signed_in.status_code
        if signed_in.status_code != 302 or signed_in["Location"] != path:
            opened.problem = f"after sign-in, lands on {signed_in.get('Location', '(none)')}"
            return signed_in
        page = client.get(path)
        opened.status = page.status_code
        self.browsers[user.pk] = client
        self.signed_in_to.add((user.pk, path))
        return page


def readable(page) -> str:
    """What the reader sees of a page: its HTML (entities decoded), or a PDF's text."""
    if page["Content-Type"].startswith("application/pdf"):
        content = b"".join(page.streaming_content) if page.streaming else page.content
        pages = PdfReader(io.BytesIO(content)).pages
        return " ".join(" ".join(p.extract_text() for p in pages).split())
    return unescape(page.content.decode())


def expected_name(received: Received) -> str:
    """What the page a link opens must name: the e-mail's action, else its board session,
    else the webhook it is about."""
    if received.action is not None:
        return received.action.title
    if isinstance(received.subject, BoardSession):
        return received.subject.title
    if isinstance(received.subject, Endpoint):
        return received.subject.url
    return ""
