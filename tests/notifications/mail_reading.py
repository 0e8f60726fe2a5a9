"""Reading received e-mails as their recipient does: both bodies as text (the HTML part's tags
dropped and its entities decoded, white space folded), the links they carry, and the thread a
person's e-mails form."""

import html
import re
from email.message import EmailMessage

from tests.notifications import html_of, subject_of, text_of


def folded(text: str) -> str:
    return " ".join(text.split())


def html_text(message: EmailMessage) -> str:
    """The HTML part as a reader sees it (hidden preview text included)."""
    return folded(html.unescape(re.sub(r"<[^>]+>", " ", html_of(message))))


def both_parts(message: EmailMessage) -> tuple[str, str]:
    return folded(text_of(message)), html_text(message)


def assert_says(message: EmailMessage, *facts: str) -> None:
    """Each fact is in the plain text and in the HTML part."""
    text, rich = both_parts(message)
    for fact in facts:
        assert fact in text, f"{fact!r} not in the text part:\n{text}"
        assert fact in rich, f"{fact!r} not in the HTML part:\n{rich}"


def assert_one_thread(messages: list[EmailMessage]) -> None:
    """One recipient's e-mails about one action, in the order received: one subject; the first
    starts the thread; each next one answers the one before and refers only to Message-IDs
    already received (so every mail client threads them)."""
    assert len({subject_of(m) for m in messages}) == 1, [subject_of(m) for m in messages]
    first, *others = messages
    assert first["In-Reply-To"] is None and first["References"] is None
    received = [first["Message-ID"]]
    for message in others:
        assert message["In-Reply-To"] == received[-1]
        references = message["References"].split()
        assert references[0] == received[0] and set(references) <= set(received)
        received.append(message["Message-ID"])
    assert len(set(received)) == len(received)
