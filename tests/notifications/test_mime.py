"""The quicker fold of short headers writes out the same bytes as Python's compat32 policy."""

import random
import string
from email.policy import compat32

import pytest

from notifications.emails import build_message
from notifications.mime import QUICK_FOLD
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
