"""The quicker fold of short headers writes out the same bytes as Python's compat32 policy."""

import itertools
import random
import string
from email import message_from_bytes
from email.header import decode_header, make_header
from email.policy import compat32, default

import pytest

from notifications.emails import build_message
from notifications.mime import QUICK_FOLD, encoded_words
from notifications.models import Notification


def test_the_quick_fold_writes_any_header_as_compat32_does():
    draw = random.Random(42)
    alphabet = string.ascii_letters + string.digits + " <>@.,;:\"'()=?_-/\t" + "    é"
    names = ["From", "To", "Subject", "Message-ID", "Content-Type", "List-Unsubscribe"]
    for _ in range(3000):
        name = draw.choice(names)
        value = "".join(draw.choice(alphabet) for _ in range(draw.randint(0, 90)))
        for linesep in ("\n", "\r\n"):
            quick, reference = QUICK_FOLD.clone(linesep=linesep), compat32.clone(linesep=linesep)
            assert quick.fold_binary(name, value) == reference.fold_binary(name, value), value


@pytest.mark.django_db
def test_an_e_mail_comes_out_byte_for_byte_as_with_compat32(submitted, pilot):
    pilot.contact.preferred_language = "en"
    pilot.contact.save()
    for row in Notification.objects.all():
        message = build_message(row).message()
        quick = message.as_bytes(linesep="\r\n")  # sets the boundary, kept for the next one
        message.policy = compat32
        assert quick == message.as_bytes(linesep="\r\n")


def test_encoded_words_decode_to_the_subject_and_stay_short():
    draw = random.Random(7)
    alphabet = string.ascii_letters + " '-:«»" + "éèêàçôûÉ€œ" + "😀"
    for _ in range(2000):
        subject = "".join(draw.choice(alphabet) for _ in range(draw.randint(1, 200)))
        encoded = encoded_words(subject)
        assert encoded.isascii()
        assert all(len(word) <= 75 for word in encoded.split(" ")) or subject.isascii()
        assert str(make_header(decode_header(encoded))) == subject


@pytest.mark.django_db
def test_an_e_mail_reads_back_as_it_was_built(submitted, pilot, manager):
    """Parsed by a mail client's rules, the e-mail has the subject, the addresses and the two
    bodies it was built with; the subject's lines fit in 78 characters (a header with no space
    to fold at, such as a long link, may not: at most 998)."""
    for row in Notification.objects.all():
        built = build_message(row)
        raw = built.message().as_bytes(linesep="\r\n")
        lines = raw.split(b"\r\n\r\n")[0].split(b"\r\n")
        assert max(len(line) for line in lines) <= 998
        subject = lines.index(next(line for line in lines if line.startswith(b"Subject:")))
        rest = lines[subject + 1 :]
        folded = [lines[subject], *itertools.takewhile(lambda line: line[:1] == b" ", rest)]
        assert max(len(line) for line in folded) <= 78, folded
        parsed = message_from_bytes(raw, policy=default)
        assert parsed["Subject"] == built.subject and not built.subject.isascii()
        assert (
            parsed["To"] == row.email and parsed["Message-ID"] == built.extra_headers["Message-ID"]
        )
        for kind, sent in (("plain", built.body), ("html", built.alternatives[0][0])):
            received = parsed.get_body((kind,)).get_content().replace("\r\n", "\n")
            assert received == sent
