"""Tests that read what recipients read.

A realistic story (``story.py``: a consultation, a board session with decisions of every
outcome, convened, moved, another cancelled, an evaluation falling due and late, a daily
digest, partner notices, a webhook switched off) runs once for the package; every
e-mail is received by a real SMTP server (aiosmtpd), parsed as a mail client does (``email``,
``policy.default``), and every link of every message is opened as its recipient, at the
moment the e-mail arrives: staff sign in (the right account), partners and board members
open it without an account (``walk.py``). The tests assert what the walk found
(``test_links.py``), the facts each kind of message must give (``test_facts.py``) and every
calendar read by two parsers (``test_calendars.py``).
"""

import email
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from html import unescape
from html.parser import HTMLParser

URL = re.compile(r"https?://[^\s<>\"')]+")


@dataclass
class Received:
    """One e-mail as its recipient got it, and what the database knows of it."""

    message: EmailMessage
    kind: str
    user: object = None  # a member of staff
    contact: object = None  # a partner or a board member (no account)
    action: object = None
    subject: object = None  # what the notification is about
    opened: list = field(default_factory=list)  # the walk's findings, one per link

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()

    @property
    def html_as_text(self) -> str:
        """The HTML part as a reader sees it: tags out, entities decoded, spaces folded (but
        the no-break spaces that hold « 14 h 00 » or « 5 000 € » together)."""
        return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", self.html))).strip()

    @property
    def subject_line(self) -> str:
        return re.sub(r"[ \t\r\n]+", " ", str(self.message["Subject"])).strip()

    def links(self) -> list[str]:
        """Every link a reader can follow: the text part's, the HTML part's hrefs, the
        List-Unsubscribe header's, and those of any other text attachment (a calendar)."""
        found = set(URL.findall(self.text)) | set(hrefs(self.html))
        found |= set(re.findall(r"<(https?://[^>]+)>", str(self.message["List-Unsubscribe"])))
        for part in self.message.walk():
            if part.get_content_maintype() == "text" and part.get_content_subtype() not in (
                "plain",
                "html",
            ):
                unfolded = re.sub(r"\r?\n[ \t]", "", part.get_content())  # RFC 5545 folding
                found |= set(URL.findall(unfolded))
        return sorted(url.rstrip(".,;") for url in found)


class _Hrefs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.found += [
                value for name, value in attrs if name == "href" and value.startswith("http")
            ]


def hrefs(html: str) -> list[str]:
    parser = _Hrefs()
    parser.feed(html)
    return parser.found


def parse(content: bytes) -> EmailMessage:
    return email.message_from_bytes(content, policy=policy.default)
