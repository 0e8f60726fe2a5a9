"""The e-mails' MIME form: Django's, written out with a quicker fold of the short headers.

Python's ``email`` package (the compat32 policy Django uses) folds every header through
``email.header.Header`` when it writes a message out, even a short ASCII header that needs no
folding and comes out exactly as it went in: a sixth of the time spent turning an e-mail into
bytes, for the thousands of e-mails a sweep sends. ``QuickFold`` writes such a header as it
is and leaves every other one (long, non-ASCII, already folded) to compat32; the bytes are
the same (tests/notifications/test_mime.py compares them).
"""

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


class NotificationEmail(EmailMultiAlternatives):
    """An e-mail of the notifications: Django's message, written out with ``QuickFold``."""

    def message(self):
        message = super().message()
        message.policy = QUICK_FOLD  # the generator takes it, and passes it to the parts
        return message
