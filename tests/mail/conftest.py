"""The story runs once for the whole package (a few seconds), inside a transaction rolled back
at the end; each test runs in a savepoint within it, so what one test changes (unsubscribing)
the next does not see."""

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.db import transaction
from django.test import override_settings

from tests.mail.story import Story, at
from tests.notifications import Inbox, free_port


@pytest.fixture(scope="package")
def story(django_db_setup, django_db_blocker):
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    smtp = override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    try:
        with django_db_blocker.unblock(), smtp, transaction.atomic():
            with time_machine.travel(at(2026, 11, 30), tick=False) as clock:
                told = Story(inbox, clock).run()
            yield told
            transaction.set_rollback(True)
    finally:
        server.stop()
