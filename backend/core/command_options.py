"""Options shared by the management commands that run a periodic pass by hand
(``dispatch_due``, ``send_webhooks``): ``--now`` treats an ISO 8601 instant as the present."""

import datetime

from django.core.management.base import CommandError
from django.utils import timezone


def add_now_option(parser):
    parser.add_argument(
        "--now", help="traiter cet instant (ISO 8601) comme le présent", default=None
    )


def parse_now(value):
    """The instant ``--now`` names (aware, in the current time zone when it names none), or
    the present when the option is absent."""
    if not value:
        return timezone.now()
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now : date ISO 8601 invalide : {value!r}") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
