"""A service whose transaction loses a race (a deadlock, a busy database) runs once more; if
it loses again, the caller is told with a 409 that nothing was recorded."""

import pytest
from django.db import OperationalError

from workflows.concurrency import LOST_RACE, retried_once
from workflows.errors import TransitionConflict

pytestmark = pytest.mark.django_db(transaction=True)  # outside any transaction, as a request


class Deadlock(Exception):
    sqlstate = "40P01"


class Broken(Exception):
    sqlstate = "42P01"  # undefined table: not a race, a bug


def failing(times: int, cause: type[Exception]):
    calls = []

    @retried_once("Votre réponse n'a pas pu être enregistrée, réessayez.")
    def service():
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("lost") from cause()
        return "done"

    return service, calls


def test_a_service_that_loses_once_runs_again():
    service, calls = failing(1, Deadlock)
    assert service() == "done" and len(calls) == 2


def test_a_service_that_loses_twice_is_a_conflict_that_says_so():
    service, calls = failing(2, Deadlock)
    with pytest.raises(TransitionConflict) as refused:
        service()
    assert str(refused.value.reason) == "Votre réponse n'a pas pu être enregistrée, réessayez."
    assert len(calls) == 2
    assert "rien n'a été enregistré" in str(LOST_RACE)


def test_an_error_that_is_no_race_is_not_retried():
    service, calls = failing(1, Broken)
    with pytest.raises(OperationalError):
        service()
    assert len(calls) == 1
