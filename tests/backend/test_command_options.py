"""The two commands that run a periodic pass by hand read ``--now`` alike."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("command", ["dispatch_due", "send_webhooks"])
def test_both_sweeps_refuse_a_date_that_is_not_iso_8601(command):
    with pytest.raises(CommandError, match="--now : date ISO 8601 invalide : 'demain'"):
        call_command(command, "--now", "demain")


@pytest.mark.filterwarnings("error::RuntimeWarning")  # a naive datetime in a query warns
@pytest.mark.parametrize(
    ("command", "summary"),
    [("dispatch_due", "envoyées : 0"), ("send_webhooks", "livrées : 0")],
)
def test_both_sweeps_accept_a_date_without_offset(command, summary):
    output = io.StringIO()
    call_command(command, "--now", "2026-12-11T08:31:00", stdout=output)
    assert output.getvalue().startswith(summary)
