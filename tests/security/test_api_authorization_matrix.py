"""The authorization matrix of the API: every endpoint x every kind of person x the person's
own territory and another one. Each cell is the status the person gets; the lists and files
are then read for leaks: a territory-bound person never receives another territory's data.

Legend: anonymous → 401; a partner's account (no staff role) → 403; a territory-bound staff
member (social worker, territory manager, board secretary) → 404 for what belongs to another
territory (it does not exist for them); directors and administrators see every territory."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from backend.actions.models import RoleAssignment
from tests.security.conftest import PEOPLE

ANON, PARTNER, SW, TM, BS, DIR, ADM = PEOPLE

# Reading one object: (own territory, other territory) per person.
SCOPED_READ = {
    ANON: (401, 401),
    PARTNER: (403, 403),
    SW: (200, 404),
    TM: (200, 404),
    BS: (200, 404),
    DIR: (200, 200),
    ADM: (200, 200),
}
DETAILS = [
    "projects/{project}/",
    "organisations/{organisation}/",
    "contacts/{contact}/",
    "actions/{action}/",
    "actions/{action}/transitions/",
    "actions/{action}/history/",
    "actions/{action}/reminders/",
    "roles/{role}/",
    "evaluations/{evaluation}/",
]

# Lists: the status per person (the same for everyone on staff).
LIST_STATUS = {ANON: 401, PARTNER: 403, SW: 200, TM: 200, BS: 200, DIR: 200, ADM: 200}
LISTS = {
    # path: (the field naming the row, the key of the side's id it holds)
    "projects/": ("id", "project"),
    "organisations/": ("id", "organisation"),
    "contacts/": ("id", "contact"),
    "actions/": ("id", "action"),
    "actions/?search=secrète": ("id", "action"),
    "roles/": ("id", "role"),
    "evaluations/": ("id", "evaluation"),
}

# Writing: (own territory, other territory) per person. Editing an action or a role is for
# social workers and territory managers (and directors, admins); elsewhere it does not exist.
EDIT = {
    ANON: (401, 401),
    PARTNER: (403, 403),
    SW: (200, 404),
    TM: (200, 404),
    BS: (403, 403),
    DIR: (200, 200),
    ADM: (200, 200),
}
EDIT_PROJECT = {**EDIT, SW: (403, 403)}
WRITES = [
    ("patch", "actions/{action}/", {"summary": "Résumé revu."}, EDIT),
    ("patch", "roles/{role}/", {"description": "Rôle précisé."}, EDIT),
    ("patch", "projects/{project}/", {"title": "Projet revu"}, EDIT_PROJECT),
]


def client_for(world, who) -> APIClient:
    client = APIClient()
    user = world.people[who]
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def check(world, table, request) -> None:
    """Fill the table's cells (person x side) with ``request(client, side, who)`` and compare
    them all at once, so that a failure shows every cell that differs."""
    mismatches = []
    for who, expected_pair in table.items():
        client = client_for(world, who)
        for side, expected in zip(("own", "other"), expected_pair, strict=True):
            got = request(client, getattr(world, side), who)
            if got != expected:
                mismatches.append(f"{who} on {side}: expected {expected}, got {got}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("path", DETAILS)
def test_reading_one_object(world, path):
    def read(client, side, who):
        return client.get("/api/v1/" + path.format(**side.ids())).status_code

    check(world, SCOPED_READ, read)


@pytest.mark.parametrize("path", list(LISTS))
def test_lists_hold_only_what_the_person_may_see(world, path):
    field, key = LISTS[path]
    mismatches = []
    for who in PEOPLE:
        response = client_for(world, who).get("/api/v1/" + path)
        if response.status_code != LIST_STATUS[who]:
            mismatches.append(f"{who}: status {response.status_code}")
            continue
        if response.status_code != 200:
            continue
        seen = {row[field] for row in response.json()["results"]}
        if world.own.ids()[key] not in seen:
            mismatches.append(f"{who}: misses its own territory's row")
        if (world.other.ids()[key] in seen) is not (who in (DIR, ADM)):
            mismatches.append(
                f"{who}: another territory's row {'shown' if who not in (DIR, ADM) else 'missing'}"
            )
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize(("method", "path", "body", "table"), WRITES, ids=[w[1] for w in WRITES])
def test_editing(world, method, path, body, table):
    def edit(client, side, who):
        url = "/api/v1/" + path.format(**side.ids())
        return getattr(client, method)(url, body, format="json").status_code

    check(world, table, edit)


# The other territory's project is not one a territory-bound person can choose: 400 on it.
CREATE_ACTION = {
    ANON: (401, 401),
    PARTNER: (403, 403),
    SW: (201, 400),
    TM: (201, 400),
    BS: (403, 403),
    DIR: (201, 201),
    ADM: (201, 201),
}


def test_creating_an_action(world):
    def create(client, side, who):
        body = {
            "project": side.project.pk,
            "axis": side.axis.pk,
            "title": "Nouvelle action",
            "summary": "Un atelier de quartier.",
        }
        return client.post("/api/v1/actions/", body, format="json").status_code

    check(world, CREATE_ACTION, create)


def check_people(world, table, request) -> None:
    """Like ``check`` for what has no territory side: one expected status per person."""
    got = {who: request(client_for(world, who), who) for who in table}
    assert got == table


STAFF_ONLY_FOR_ADMINS = {ANON: 401, PARTNER: 403, SW: 403, TM: 403, BS: 403, DIR: 403, ADM: 201}
SESSIONS_FOR_SECRETARIES = {ANON: 401, PARTNER: 403, SW: 403, TM: 403, BS: 201, DIR: 201, ADM: 201}
EXPORT_OTHER = {ANON: 401, PARTNER: 403, SW: 403, TM: 403, BS: 403, DIR: 200, ADM: 200}
SEES_ALL = (DIR, ADM)


def test_only_administrators_create_staff_accounts(world):
    def create(client, who):
        body = {
            "username": f"nouveau-{who}",
            "password": "Une-phrase-de-passe-solide-42",
            "email": "nouveau@caf42.example",
            "role": "social_worker",
            "territories": ["roannais"],
        }
        return client.post("/api/v1/staff/", body, format="json").status_code

    check_people(world, STAFF_ONLY_FOR_ADMINS, create)


WEBHOOKS_FOR_ADMINS = {ANON: 401, PARTNER: 403, SW: 403, TM: 403, BS: 403, DIR: 403, ADM: 200}


def test_only_administrators_manage_webhooks(world):
    from webhooks.endpoints import register_endpoint

    endpoint = register_endpoint(url="https://entrepot.caf42.example/hooks", events=["*"])

    def manage(client, who):
        statuses = {
            client.get("/api/v1/webhooks/").status_code,
            client.get(f"/api/v1/webhooks/{endpoint.pk}/").status_code,
            client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").status_code,
            client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/", {}).status_code,
        }
        body = {"url": f"https://{who}.example/hooks", "events": ["*"]}
        created = client.post("/api/v1/webhooks/", body, format="json").status_code
        statuses.add(200 if created == 201 else created)
        assert len(statuses) == 1, statuses
        return statuses.pop()

    check_people(world, WEBHOOKS_FOR_ADMINS, manage)


def test_only_the_board_secretariat_plans_board_sessions(world):
    def plan(client, who):
        body = {"date": "2027-03-02T14:00:00+01:00", "title": "Conseil", "location": "Roanne"}
        return client.post("/api/v1/board-sessions/", body, format="json").status_code

    check_people(world, SESSIONS_FOR_SECRETARIES, plan)


def test_exports_of_another_territory_are_refused(world):
    def export(client, who):
        return client.get("/api/v1/exports/actions.csv?territory=roannais").status_code

    check_people(world, EXPORT_OTHER, export)


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


# What a person receives, as text, from each place that gathers several territories.
GATHERED = {
    "board session": lambda c, w: c.get(f"/api/v1/board-sessions/{w.session.pk}/"),
    "board file": lambda c, w: c.get(f"/api/v1/board-sessions/{w.session.pk}/board-file/"),
    "agenda ics": lambda c, w: c.get(f"/api/v1/board-sessions/{w.session.pk}/ics/"),
    "export csv": lambda c, w: c.get("/api/v1/exports/actions.csv"),
    "search": lambda c, w: c.get("/api/v1/actions/?search=secr%C3%A8te"),
}


@pytest.mark.parametrize("place", list(GATHERED))
def test_no_other_territory_leaks_where_territories_are_gathered(world, place):
    mismatches = []
    for who in PEOPLE:
        response = GATHERED[place](client_for(world, who), world)
        if response.status_code != LIST_STATUS[who]:
            mismatches.append(f"{who}: status {response.status_code}")
            continue
        if response.status_code != 200:
            continue
        if response["Content-Type"].startswith("application/pdf"):
            text = pdf_text(response.content)
        else:
            text = response.content.decode("utf-8-sig").replace("\\,", ",").replace("\r\n ", "")
        if "Action secrète Gier-Ondaine-Pilat" not in text:
            mismatches.append(f"{who}: its own territory's action is missing")
        if ("Action secrète Roannais" in text) is not (who in SEES_ALL):
            mismatches.append(f"{who}: the other territory's action is wrongly shown or hidden")
    assert not mismatches, "\n".join(mismatches)


# Analytics: every staff member, over their territories; another territory asked by name is
# refused as for the exports (403), an unknown one is a bad request.
ANALYTICS = (
    "time-in-state",
    "flagged",
    "partners",
    "partner-categories",
    "board",
)
ANALYTICS_BY_TERRITORY = {
    ANON: (401, 401),
    PARTNER: (403, 403),
    SW: (200, 403),
    TM: (200, 403),
    BS: (200, 403),
    DIR: (200, 200),
    ADM: (200, 200),
}


@pytest.mark.parametrize("path", ANALYTICS)
def test_analytics_of_one_territory(world, path):
    def read(client, side, who):
        url = f"/api/v1/analytics/{path}/?territory={side.territory.slug}"
        return client.get(url).status_code

    check(world, ANALYTICS_BY_TERRITORY, read)


def test_analytics_count_only_the_territories_the_person_may_see(world):
    """Both sides' partners invited: each person's figures name only what they may see."""
    RoleAssignment.objects.filter(pk__in=[world.own.role.pk, world.other.role.pk]).update(
        state="invited", invited_at=timezone.now()
    )
    mismatches = []
    for who in PEOPLE:
        response = client_for(world, who).get("/api/v1/analytics/partners/")
        if response.status_code != LIST_STATUS[who]:
            mismatches.append(f"{who}: status {response.status_code}")
            continue
        if response.status_code != 200:
            continue
        names = {row["name"] for row in response.json()}
        if world.own.organisation.name not in names:
            mismatches.append(f"{who}: misses its own territory's partner")
        if (world.other.organisation.name in names) is not (who in SEES_ALL):
            mismatches.append(f"{who}: the other territory's partner wrongly shown or hidden")
        pending = client_for(world, who).get("/api/v1/analytics/partner-categories/").json()
        if sum(row["pending"] for row in pending) != (2 if who in SEES_ALL else 1):
            mismatches.append(f"{who}: pending roles counted across territories")
    assert not mismatches, "\n".join(mismatches)
