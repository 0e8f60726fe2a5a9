"""Mixed reads and writes from 20 clients at once, over real HTTP, for a minute.

Each client is a staff member with a token of its own and a keep-alive connection to the
project's WSGI application on a real socket (one server thread and one database connection
per client). They read lists, details and histories; create actions, edit their summaries,
give them a pilot and submit them; and all of them fight over a few shared actions, which
they submit and send back to draft. Every write the server acknowledged is recorded, and
checked in the database afterwards: nothing acknowledged may be lost, no answer may be a 5xx.

``RELIABILITY_LOAD_SECONDS`` (default 60) sets the duration.
"""

import os
import random
import threading
import time
from collections import Counter, defaultdict

import pytest
from django.contrib.contenttypes.models import ContentType
from rest_framework.authtoken.models import Token

from backend.accounts.models import StaffRole
from backend.actions.models import Action, RoleAssignment
from tests import factories
from tests.reliability.api_client import HttpApi
from workflows.models import TransitionLog

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.proof]

SECONDS = float(os.environ.get("RELIABILITY_LOAD_SECONDS", "60"))
CLIENTS = 20
SHARED_ACTIONS = 4
EXPECTED = {200, 201, 409}  # 409: a concurrent change won, or the state forbids it


class Ledger:
    """What the server acknowledged, from every client."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.unexpected: list = []
        self.created: dict[int, str] = {}  # action id -> title
        self.summaries: dict[int, str] = {}  # action id -> the last summary acknowledged
        self.roles: set[int] = set()
        self.transitions: Counter = Counter()  # (action id, transition) -> times acknowledged

    def answer(self, what: str, status: int, body) -> None:
        with self.lock:
            self.statuses[status] += 1
            if status not in EXPECTED:
                self.unexpected.append((what, status, str(body)[:300]))


def client_loop(index, base_url, token, ledger, deadline, shared, project, organisation):
    rng = random.Random(index)
    api = HttpApi(base_url, token)
    mine: list[int] = []  # this client's actions; only this client edits them
    with_pilot: set[int] = set()
    try:
        while time.monotonic() < deadline:
            roll = rng.random()
            if roll < 0.30:
                what = rng.choice(["list", "detail", "history", "transitions"])
                target = rng.choice(shared + mine)
                path = {
                    "list": f"/api/v1/actions/?page_size=20&page={rng.randint(1, 3)}",
                    "detail": f"/api/v1/actions/{target}/",
                    "history": f"/api/v1/actions/{target}/history/",
                    "transitions": f"/api/v1/actions/{target}/transitions/",
                }[what]
                status, body = api.get(path)
                if status == 404 and what == "list":  # a page beyond the last
                    status = 200
                ledger.answer(what, status, body)
            elif roll < 0.45 or not mine:
                title = f"Action du client {index} n° {len(mine) + 1}"
                status, body = api.post(
                    "/api/v1/actions/",
                    {"project": project, "title": title, "summary": "Première version."},
                )
                ledger.answer("create", status, body)
                if status == 201:
                    with ledger.lock:
                        ledger.created[body["id"]] = title
                    mine.append(body["id"])
            elif roll < 0.60:
                target = rng.choice(mine)
                summary = f"Version {rng.randint(1, 10**9)} du client {index}."
                status, body = api.patch(f"/api/v1/actions/{target}/", {"summary": summary})
                ledger.answer("update", status, body)
                if status == 200:
                    with ledger.lock:
                        ledger.summaries[target] = summary
            elif roll < 0.70:
                target = rng.choice([a for a in mine if a not in with_pilot] or mine)
                if target in with_pilot:
                    continue
                status, body = api.post(
                    "/api/v1/roles/",
                    {
                        "action": target,
                        "organisation": organisation["id"],
                        "contact": organisation["contact"],
                        "kind": "pilot",
                        "description": "Pilote de l'action.",
                    },
                )
                ledger.answer("role", status, body)
                if status == 201:
                    with_pilot.add(target)
                    with ledger.lock:
                        ledger.roles.add(body["id"])
            else:
                own = roll < 0.75 and with_pilot
                target = rng.choice(sorted(with_pilot)) if own else rng.choice(shared)
                name = rng.choice(["submit", "revise"])
                status, body = api.post(
                    f"/api/v1/actions/{target}/transitions/{name}/", {"comment": f"client {index}"}
                )
                ledger.answer(name, status, body)
                if status == 200:
                    with ledger.lock:
                        ledger.transitions[(target, name)] += 1
    except Exception as error:  # a dropped connection is a failure too
        ledger.answer("exception", 599, repr(error))
    finally:
        api.close()


def test_twenty_clients_read_and_write_for_a_minute(
    http_server, territory, project, organisation, private_broker
):
    contact = factories.ContactFactory(organisation=organisation)
    shared = []
    for _ in range(SHARED_ACTIONS):
        action = factories.ActionFactory(project=project)
        factories.RoleFactory(action=action, organisation=organisation, contact=contact)
        shared.append(action.pk)
    tokens = []
    for role in [StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER] * (CLIENTS // 2):
        user = factories.StaffFactory(role=role, territories=[territory], password=None)
        tokens.append(Token.objects.create(user=user).key)
    ledger = Ledger()
    deadline = time.monotonic() + SECONDS
    partner = {"id": organisation.pk, "contact": contact.pk}
    threads = [
        threading.Thread(
            target=client_loop,
            args=(i, http_server, tokens[i], ledger, deadline, shared, project.pk, partner),
        )
        for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(SECONDS + 120)
    assert not any(thread.is_alive() for thread in threads), "a client never finished"

    # Zero 5xx, and nothing but what the contract allows.
    assert not [s for s in ledger.statuses if s >= 500], ledger.unexpected
    assert not ledger.unexpected, ledger.unexpected
    assert ledger.created and ledger.summaries and ledger.roles, ledger.statuses
    assert sum(ledger.transitions.values()) > 0, ledger.statuses

    # Zero lost writes: every acknowledged write is in the database.
    titles = dict(Action.objects.filter(pk__in=ledger.created).values_list("pk", "title"))
    assert titles == ledger.created
    summaries = dict(Action.objects.filter(pk__in=ledger.summaries).values_list("pk", "summary"))
    assert summaries == ledger.summaries
    assert (
        set(RoleAssignment.objects.filter(pk__in=ledger.roles).values_list("pk", flat=True))
        == ledger.roles
    )
    action_type = ContentType.objects.get_for_model(Action)
    logged = Counter(
        TransitionLog.objects.filter(subject_type=action_type, transition__in=["submit", "revise"])
        .values_list("subject_id", "transition")
        .iterator()
    )
    assert dict(logged) == dict(ledger.transitions)
    # Each shared action's state is where its last logged transition left it.
    last = defaultdict(str)
    for subject_id, target in (
        TransitionLog.objects.filter(subject_type=action_type, subject_id__in=shared)
        .order_by("at", "id")
        .values_list("subject_id", "target")
    ):
        last[subject_id] = target
    for action in Action.objects.filter(pk__in=shared):
        assert action.state == (last[action.pk] or "draft")
