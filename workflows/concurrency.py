"""Transactions that lose a race: retried once, then refused with a 409 that says so.

Every path that changes an action or its roles locks in one order (the action's row, then its
roles in the order of their ids), so two such transactions queue instead of deadlocking. A
transaction can still lose to one that locks other rows (PostgreSQL's deadlock detector, a
lock timeout, SQLite's "database is locked"): the database rolled it back as a whole, so the
service runs once more from the start, and if it loses again the caller gets a
``TransitionConflict`` (409) saying that nothing was recorded.
"""

import functools

from django.db import OperationalError, transaction
from django.utils.translation import gettext_lazy as _

from workflows.errors import TransitionConflict

# PostgreSQL: deadlock detected, serialization failure, lock not available.
LOCK_SQLSTATES = {"40P01", "40001", "55P03"}
LOST_RACE = _(
    "Une modification concurrente a eu lieu : rien n'a été enregistré. Rechargez et réessayez."
)


def lost_to_concurrency(error: OperationalError) -> bool:
    """Whether the database refused the transaction because of another one."""
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in LOCK_SQLSTATES
    return getattr(cause, "sqlite_errorname", "") in {"SQLITE_BUSY", "SQLITE_LOCKED"} or (
        "database is locked" in str(error) or "database table is locked" in str(error)
    )


def retried_once(message=LOST_RACE):
    """Decorate a service that opens its own transaction: when it loses a race it runs once
    more; when it loses again, ``TransitionConflict(message)``. Inside a caller's transaction
    it runs once (the caller's transaction is spoilt: only the caller may start again)."""

    def decorate(service):
        @functools.wraps(service)
        def run(*args, **kwargs):
            if transaction.get_connection().in_atomic_block:
                return service(*args, **kwargs)
            try:
                return service(*args, **kwargs)
            except OperationalError as error:
                if not lost_to_concurrency(error):
                    raise
            try:
                return service(*args, **kwargs)
            except OperationalError as error:
                if not lost_to_concurrency(error):
                    raise
                raise TransitionConflict(message) from error

        return run

    return decorate
