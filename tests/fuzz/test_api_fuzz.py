"""Fuzzing the REST API against its own OpenAPI document (schemathesis, in-process).

Every operation of ``/api/v1/schema/`` gets generated requests, valid and invalid, sent to the
WSGI application on the Loire demo data, as the director (every territory), as a
territory-bound social worker and without credentials. Each answer must be no 5xx, a status
the document lists for that operation, with the documented content type and a body matching
the documented schema.

Reproducible: Hypothesis is derandomized (the same examples on every run), and each request
runs in a savepoint rolled back afterwards, so every request meets the same demo data whatever
the ones before it did. Throttling counters live in the cache, cleared between operations.
"""

import io
import re
import time
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend.accounts.models import User
from backend.actions import links as role_links
from backend.actions.models import Action, RoleAssignment
from backend.board.models import AgendaItem, BoardSession
from backend.evaluations import links as report_links
from backend.evaluations.models import Evaluation
from backend.partners.models import Contact, Organisation
from backend.territories.models import TerritoryProject
from backend.wsgi import application
from notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.proof]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per operation and caller: 64 operations x (25 as the director + 8 as the social
# worker of Gier-Ondaine-Pilat + 2 without credentials) = 2,240 requests, above the 2,000 the
# issue asks for.
DIRECTOR_EXAMPLES = 25
SOCIAL_WORKER_EXAMPLES = 8
ANONYMOUS_EXAMPLES = 2
MINIMUM_REQUESTS = 2000

ACTION_TRANSITIONS = [
    "submit",
    "revise",
    "complete_consultation",
    "schedule",
    "start",
    "evaluate",
    "close",
    "withdraw",
]


@dataclass
class Tally:
    requests: int = 0
    by_status: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)

    def count(self, status: int) -> None:
        self.requests += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1


@pytest.fixture
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def in_process_requests():
    """The WSGI handler closes 'old' connections around each request, which would close the
    test's transaction: Django's own test client turns that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def demo(fast_password_hasher, in_process_requests):
    call_command("load_demo", stdout=io.StringIO())
    cache.clear()


def _ids(model, limit=4) -> list[int]:
    return list(model.objects.order_by("pk").values_list("pk", flat=True)[:limit])


def known_path_values() -> dict[str, list[dict]]:
    """Path parameters that exist in the demo data, by path prefix: without them nearly every
    generated id would be unknown and only the 404 branch would be fuzzed."""
    invited = RoleAssignment.objects.filter(state="invited").order_by("pk")[:3]
    evaluations = Evaluation.objects.order_by("pk")[:3]
    sessions = _ids(BoardSession)
    return {
        "/api/v1/actions/{id}/transitions/{name}/": [
            {"id": pk, "name": name} for pk in _ids(Action, 3) for name in ACTION_TRANSITIONS
        ],
        "/api/v1/actions/": [{"id": pk} for pk in _ids(Action)],
        "/api/v1/roles/": [{"id": pk} for pk in _ids(RoleAssignment)],
        "/api/v1/projects/": [{"id": pk} for pk in _ids(TerritoryProject)],
        "/api/v1/organisations/": [{"id": pk} for pk in _ids(Organisation)],
        "/api/v1/contacts/": [{"id": pk} for pk in _ids(Contact)],
        "/api/v1/notifications/": [{"id": pk} for pk in _ids(Notification)],
        "/api/v1/evaluations/report/": [
            {"token": report_links.token_for(evaluation)} for evaluation in evaluations
        ],
        "/api/v1/evaluations/{id}/transitions/": [
            {"id": e.pk, "name": "validate"} for e in evaluations
        ],
        "/api/v1/evaluations/": [{"id": e.pk} for e in evaluations],
        "/api/v1/board-sessions/{id}/transitions/": [
            {"id": pk, "name": name} for pk in sessions for name in ("publish_agenda", "hold")
        ],
        "/api/v1/board-sessions/{id}/agenda/{item_id}/": [
            {"id": item.session_id, "item_id": item.pk} for item in AgendaItem.objects.all()[:4]
        ],
        "/api/v1/board-sessions/": [{"id": pk} for pk in sessions],
        "/api/v1/respond/": [{"token": role_links.token_for(role)} for role in invited],
        "/api/v1/territories/": [{"slug": "roannais"}, {"slug": "gier-ondaine-pilat"}],
    }


def strategy_for(operation, known: dict[str, list[dict]]):
    """Valid and invalid requests; for operations with path parameters, also on ids that
    exist (the parameters of the longest matching prefix)."""
    strategies = [
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]
    names = set(re.findall(r"{(\w+)}", operation.path))
    if names:
        for prefix in sorted(known, key=len, reverse=True):
            values = [v for v in known[prefix] if set(v) == names]
            if operation.path.startswith(prefix) and values:
                strategies += [
                    operation.as_strategy(path_parameters=value, generation_mode=mode)
                    for value in values
                    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
                ]
                break
    return st.one_of(strategies)


def fuzz(operation, strategy, token: str | None, examples: int, tally: Tally) -> None:
    headers = {"Authorization": f"Token {token}"} if token else {}

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=strategy)
    def run(case):
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        tally.count(response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers)

    cache.clear()
    try:
        run()
    except (Exception, BaseExceptionGroup) as error:  # every operation runs; failures reported
        tally.failures.append(f"{operation.method.upper()} {operation.path}:\n{error}")


def token_of(username: str) -> str:
    return Token.objects.create(user=User.objects.get(username=username)).key


def test_every_operation_answers_as_documented(demo):
    started = time.monotonic()
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    known = known_path_values()
    callers = [
        (token_of("direction"), DIRECTOR_EXAMPLES),
        (token_of("ts.gop"), SOCIAL_WORKER_EXAMPLES),
        (None, ANONYMOUS_EXAMPLES),
    ]
    tally = Tally()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        strategy = strategy_for(operation, known)
        for token, examples in callers:
            fuzz(operation, strategy, token, examples, tally)

    elapsed = time.monotonic() - started
    print(
        f"\nfuzzed {tally.requests} requests on {len(operations)} operations in {elapsed:.0f} s;"
        f" statuses {dict(sorted(tally.by_status.items()))}"
    )
    assert not tally.failures, "\n\n".join(tally.failures)
    assert tally.requests >= MINIMUM_REQUESTS
