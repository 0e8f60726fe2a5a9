"""Two people editing the same resource at once, with the version they both read
(``If-Match``), over real parallel PostgreSQL connections: exactly one edit wins, the other
gets 412 and writes nothing (the service compares the version under the row's lock)."""

import threading

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from backend.accounts.models import StaffRole
from backend.actions.models import Action
from backend.partners.models import Organisation
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def patch_together(url: str, bodies: list[dict], users, etag: str) -> list[int]:
    barrier = threading.Barrier(len(bodies))
    statuses: list = [None] * len(bodies)

    def run(index, user, body):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=user).key}")
        try:
            barrier.wait(timeout=10)
            statuses[index] = client.patch(url, body, format="json", HTTP_IF_MATCH=etag).status_code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, user, body))
        for i, (user, body) in enumerate(zip(users, bodies, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.fixture
def editors(territory):
    users = [
        factories.StaffFactory(role=role, territories=[territory], password=None)
        for role in (StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER)
    ]
    for user in users:
        Token.objects.create(user=user)
    return users


def read_etag(url: str, user) -> str:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=user).key}")
    return client.get(url)["ETag"]


def test_two_edits_of_one_action_on_the_same_version_one_wins(editors, action):
    url = f"/api/v1/actions/{action.pk}/"
    etag = read_etag(url, editors[0])
    titles = ["Jardin partagé de Saint-Julien", "Ateliers parents-enfants"]

    statuses = patch_together(url, [{"title": t} for t in titles], editors, etag)

    assert sorted(statuses) == [200, 412]
    winner = titles[statuses.index(200)]
    assert Action.objects.get(pk=action.pk).title == winner


def test_two_edits_of_one_organisation_on_the_same_version_one_wins(editors, organisation):
    url = f"/api/v1/organisations/{organisation.pk}/"
    etag = read_etag(url, editors[0])
    phones = ["04 77 00 00 01", "04 77 00 00 02"]

    statuses = patch_together(url, [{"phone": p} for p in phones], editors, etag)

    assert sorted(statuses) == [200, 412]
    assert Organisation.objects.get(pk=organisation.pk).phone == phones[statuses.index(200)]
