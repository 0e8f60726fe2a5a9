"""Each answer kept in Django's cache (Redis, or the database's cache table), under a key
made of what changes it: the data's version, the scope (the caller's territories and the
filters), the language of the labels, and a five-minute slice of time (the passages under
way grow older without any new row).

The data's version is the newest id of the transition log (every change of state, of an
action or of a role, writes a row there: an invitation, an answer, a deferral), of the
board's decisions, of the roles and of the actions, read in one query on their primary
keys. A new transition therefore changes the key at once: the next request computes the
answer again. What no row announces (an organisation renamed, a reminder marked sent) is
seen within ``TIMEOUT``.
"""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.utils import timezone, translation

from backend.actions.models import Action, RoleAssignment
from backend.analytics.scope import Scope
from backend.board.models import BoardDecision
from workflows.models import TransitionLog

TIMEOUT = 600  # seconds: an answer is never older than this
SLICE = 300  # seconds: the passages under way are measured at most this late
PREFIX = "analytics"


def version() -> tuple:
    """The newest id of each table the answers read (one query, each on its primary key)."""
    tables = (TransitionLog, BoardDecision, RoleAssignment, Action)
    sql = "SELECT " + ", ".join(f"(SELECT MAX(id) FROM {m._meta.db_table})" for m in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def _scope_key(scope: Scope) -> tuple:
    user = scope.user
    territories = "all" if user.sees_all_territories else sorted(user.territory_ids())
    filters = (scope.territory, scope.year, scope.project, scope.axis)
    return (territories, *(getattr(value, "pk", value) for value in filters))


def kept(name: str, scope: Scope, compute: Callable, *args):
    """``compute(scope, *args)``, or its answer kept since the data last changed."""
    parts = (
        name,
        version(),
        _scope_key(scope),
        args,
        translation.get_language(),
        connection.vendor,
        int(timezone.now().timestamp() // SLICE),
    )
    key = f"{PREFIX}:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    answer = cache.get(key)
    if answer is None:
        answer = compute(scope, *args)
        cache.set(key, answer, TIMEOUT)
    return answer
