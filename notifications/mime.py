"""The e-mails' MIME form: Django's, with three shortcuts that give the same e-mail for less.

Python's ``email`` package (the compat32 policy Django uses) folds every header through
``email.header.Header`` when it writes a message out, even a short ASCII header that needs no
folding and comes out exactly as it went in: a sixth of the time spent turning an e-mail into
bytes, for the thousands of e-mails a sweep sends. ``QuickFold`` writes such a header as it
is and leaves every other one (long, non-ASCII, already folded) to compat32; the bytes are
the same (tests/notifications/test_mime.py compares them).

A French subject is not ASCII: ``email.header.Header`` encodes it by trying quoted-printable
and base64 on every character to keep the shorter, a millisecond an e-mail. ``encoded_words``
writes the base64 encoded-words (RFC 2047) straight away. And the multipart boundary is
drawn at random (128 bits) instead of being searched for in the whole text by a regular
expression compiled for each e-mail.
"""

import base64
import secrets
from email.policy import Compat32

from django.core.mail import EmailMultiAlternatives


class QuickFold(Compat32):
    def fold_binary(self, name, value):
        if (
            isinstance(value, str)
            and value.isascii()
            and value.isprintable()  # no CR, LF or tab: nothing to fold or keep folded
            and value == value.strip()
            and "  " not in value
            and len(name) + 2 + len(value) <= self.max_line_length
        ):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


QUICK_FOLD = QuickFold()


WORD_BYTES = 42  # 56 characters of base64: a 68-character word fits after "Subject: "


def encoded_words(text: str) -> str:
    """``text`` as RFC 2047 base64 encoded-words in UTF-8 (ASCII text is left as it is);
    a multi-byte character is never split between two words."""
    if text.isascii():
        return text
    data, words, start = text.encode(), [], 0
    while start < len(data):
        end = min(start + WORD_BYTES, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # inside a character: back off
            end -= 1
        words.append(f"=?utf-8?b?{base64.b64encode(data[start:end]).decode('ascii')}?=")
        start = end
    return " ".join(words)


class NotificationEmail(EmailMultiAlternatives):
    """An e-mail of the notifications: Django's message, its subject already encoded, a random
    boundary, written out with ``QuickFold``."""

    def message(self):
        subject = self.subject
        self.subject = encoded_words(str(subject))
        try:
            message = super().message()
        finally:
            self.subject = subject
        if message.is_multipart():
            message.set_boundary(f"===============caf{secrets.token_hex(16)}==")
        message.policy = QUICK_FOLD  # the generator takes it, and passes it to the parts
        return message
