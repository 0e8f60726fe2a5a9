"""The sweep for nested data: each territory's private text (decision conditions and reasons,
partner answers, history comments, evaluation reports, indicators…) is planted in both
territories, then every response a territory-bound staff member can get is read, and none may
hold the other territory's text, however deeply it is nested.

"Every response" is found, not listed: every GET operation of the OpenAPI document (lists
and details of every resource, their sub-resources, the exports in every format, the board
file and the calendar invitation), with the ids of both territories, and every page of the
``web`` namespace. A new endpoint or page is swept without touching this file; one with a
path parameter the sweep cannot fill makes it fail until ``API_IDS`` or ``PAGE_IDS`` say
what to put there.

The sweep proves it reaches the text: the director (every territory) must find every secret
through the API, and a territory-bound person must find their own territory's secrets
wherever the director finds them."""

import datetime
import io
import re
import zipfile

import pytest
from django.urls import URLPattern, URLResolver, reverse
from drf_spectacular.generators import SchemaGenerator
from pypdf import PdfReader

from backend.board.models import AgendaItem, BoardDecision, Outcome
from backend.evaluations.models import Indicator
from backend.web import urls as web_urls
from tests import factories
from tests.security.conftest import BOUND_ROLES, Side
from tests.security.test_api_authorization_matrix import client_for as api_client_for
from tests.security.test_web_authorization_matrix import client_for as page_client_for
from workflows.services import log_transition

SIDES = ("own", "other")
DIRECTOR = "director"


@pytest.fixture(scope="module")
def get_operations():
    """Every GET path of the API, with the names of its path and query parameters."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    operations = {}
    for path, methods in document["paths"].items():
        if "get" in methods:
            parameters = methods["get"].get("parameters", [])
            operations[path] = (
                [p["name"] for p in parameters if p["in"] == "path"],
                {p["name"] for p in parameters if p["in"] == "query"},
            )
    return operations


def plant(world, side_name: str) -> dict[str, str]:
    """Private text in every place of one territory that holds some; returns {what: text}.
    The texts are single words (a PDF or a calendar may break lines at spaces)."""
    side: Side = getattr(world, side_name)
    tag = side.territory.slug.split("-")[0]

    def secret(what: str) -> str:
        return f"prive_{tag}_{what}"

    director = world.people[DIRECTOR]
    side.project.summary = secret("projet")
    side.project.save()
    side.axis.description = secret("axe")
    side.axis.save()
    finding = factories.FindingFactory(
        diagnostic=side.project.diagnostic, title=secret("constat"), description=secret("manque")
    )
    side.action.summary = secret("resume")
    side.action.save()
    side.action.findings.add(finding)
    side.contact.position = secret("fonction")
    side.contact.save()
    side.role.description = secret("engagement")
    side.role.response_comment = secret("reponse_partenaire")
    side.role.save()
    log_transition(
        side.action, "submit", "draft", "draft", actor=director, comment=secret("commentaire")
    )
    for field in ("summary", "what_worked", "what_to_change", "residents_involved"):
        setattr(side.evaluation, field, secret(f"evaluation_{field}"))
    side.evaluation.save()
    Indicator.objects.create(evaluation=side.evaluation, label=secret("indicateur"), target=10)
    year = datetime.date.today().year
    AgendaItem.objects.create(session=world.session, position=10 + len(tag), project=side.project)
    BoardDecision.objects.create(
        session=world.session,
        action=side.action,
        outcome=Outcome.APPROVED_WITH_CONDITIONS,
        conditions=secret("conditions"),
        reference=f"{tag}-1",
        year=year,
        recorded_by=director,
    )
    BoardDecision.objects.create(
        session=world.session,
        project=side.project,
        outcome=Outcome.DEFERRED,
        conditions=secret("motif_ajournement"),
        reference=f"{tag}-2",
        year=year,
        recorded_by=director,
    )
    return {
        what: secret(what)
        for what in (
            "projet",
            "axe",
            "constat",
            "manque",
            "resume",
            "fonction",
            "engagement",
            "reponse_partenaire",
            "commentaire",
            "evaluation_summary",
            "evaluation_what_worked",
            "evaluation_what_to_change",
            "evaluation_residents_involved",
            "indicateur",
            "conditions",
            "motif_ajournement",
        )
    }


@pytest.fixture
def secrets(world) -> dict[str, dict[str, str]]:
    return {side: plant(world, side) for side in SIDES}


def readable(response) -> str:
    """What a person reads in a response: JSON, CSV, HTML and calendars as text, the text of
    a PDF, the cells of an XLSX or ODS file (zipped XML)."""
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ) or b""
    if content.startswith(b"%PDF"):
        pages = PdfReader(io.BytesIO(content)).pages
        return " ".join(" ".join(page.extract_text() for page in pages).split())
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    return content.decode("utf-8-sig", "replace").replace("\r\n ", "")  # calendars fold lines


class Sweep:
    """The secrets one person found, and where the other territory's ones were found."""

    def __init__(self, secrets):
        self.secrets = secrets
        self.found = {side: set() for side in SIDES}
        self.leaks = []

    def read(self, where: str, response) -> None:
        text = readable(response)
        for side in SIDES:
            for what, secret in self.secrets[side].items():
                if secret in text:
                    self.found[side].add(what)
                    if side == "other":
                        self.leaks.append(f"{where}: {what}")


# --- the API -----------------------------------------------------------------------------------

# Which id a path parameter takes, by the first segment of the path; "fmt" takes every format.
API_IDS = {
    "actions": lambda side, world: side.action.pk,
    "roles": lambda side, world: side.role.pk,
    "projects": lambda side, world: side.project.pk,
    "organisations": lambda side, world: side.organisation.pk,
    "contacts": lambda side, world: side.contact.pk,
    "evaluations": lambda side, world: side.evaluation.pk,
    "territories": lambda side, world: side.territory.slug,
    "board-sessions": lambda side, world: world.session.pk,
    "board-members": lambda side, world: side.contact.pk,
    "webhooks": lambda side, world: _webhook().pk,  # no territory's: administrators only
}
FORMATS = ("csv", "xlsx", "ods")


def _webhook():
    from webhooks.endpoints import register_endpoint
    from webhooks.models import Endpoint

    return Endpoint.objects.first() or register_endpoint(url="https://x.example/", events=["*"])


def api_urls(operations, world) -> list[str]:
    urls = []
    for path, (in_path, in_query) in operations.items():
        resource = path.removeprefix("/api/v1/").split("/")[0]
        concrete = []
        if not in_path:
            concrete.append(path)
        for side_name in SIDES:
            side = getattr(world, side_name)
            filled = path
            for name in in_path:
                if name == "fmt":
                    continue
                assert resource in API_IDS, f"the sweep cannot fill {{{name}}} in {path}"
                filled = filled.replace(f"{{{name}}}", str(API_IDS[resource](side, world)))
            if in_path:
                concrete += (
                    [filled.replace("{fmt}", fmt) for fmt in FORMATS]
                    if "fmt" in in_path
                    else [filled]
                )
        for url in concrete:
            urls.append(url)
            # Asking for the other territory by filter or by search finds nothing either.
            if "territory" in in_query:
                urls.append(f"{url}?territory={world.other.territory.slug}")
            if "search" in in_query:
                urls.append(f"{url}?search=prive")
    return sorted(set(urls))


def sweep_api(world, secrets, operations, who) -> Sweep:
    sweep = Sweep(secrets)
    client = api_client_for(world, who)
    for url in api_urls(operations, world):
        sweep.read(url, client.get(url))
    return sweep


def test_the_director_finds_every_secret_through_the_api(world, secrets, get_operations):
    """The sweep reaches every nested field that holds private text."""
    sweep = sweep_api(world, secrets, get_operations, DIRECTOR)
    for side in SIDES:
        assert sweep.found[side] == set(secrets[side]), side


@pytest.mark.parametrize("who", BOUND_ROLES)
def test_no_api_response_holds_another_territorys_private_text(world, secrets, get_operations, who):
    director = sweep_api(world, secrets, get_operations, DIRECTOR)
    sweep = sweep_api(world, secrets, get_operations, who)
    assert not sweep.leaks, "\n".join(sweep.leaks)
    assert sweep.found["own"] == director.found["own"]


@pytest.mark.parametrize("who", [*BOUND_ROLES, DIRECTOR])
def test_a_board_session_lists_only_the_decisions_on_ones_territories(world, secrets, who):
    """The session is every territory's; its decisions are each territory's own."""
    client = api_client_for(world, who)
    sides = SIDES if who == DIRECTOR else SIDES[:1]
    expected = {
        getattr(world, side).territory.slug.split("-")[0] + suffix
        for side in sides
        for suffix in ("-1", "-2")
    }
    detail = client.get(f"/api/v1/board-sessions/{world.session.pk}/").json()
    assert {decision["reference"] for decision in detail["decisions"]} == expected
    listed = client.get("/api/v1/board-sessions/").json()["results"]
    assert {d["reference"] for session in listed for d in session["decisions"]} == expected


# --- the pages ---------------------------------------------------------------------------------

# Which value a URL parameter of a page takes: the object of the side, by the first segment of
# the route for ``pk``. Routes with a parameter not here are left out only if in SKIPPED_PAGES.
PAGE_IDS = {
    "actions": lambda side, world: side.action.pk,
    "projets": lambda side, world: side.project.pk,
    "evaluations": lambda side, world: side.evaluation.pk,
    "conseil": lambda side, world: world.session.pk,
}
PAGE_PARAMETERS = {
    "role_pk": lambda side, world: side.role.pk,
    "contact_pk": lambda side, world: side.role.contact_id,
    "item_id": lambda side, world: AgendaItem.objects.get(action=side.action).pk,
    "name": lambda side, world: "hold",
    "slug": lambda side, world: "action",
    "contact_id": lambda side, world: side.contact.pk,
}
# Pages with no territory data: signing in and out, password reset (a token in the URL),
# POST-only routes to one's own notifications, and the webhooks (administrators only: an
# address and its delivery attempts, tests/web/test_webhook_page.py).
SKIPPED_PAGES = {
    "logout",
    "password_reset_confirm",
    "notification_read",
    "webhook_detail",
    "webhook_switch_on",
}
PAGE_QUERIES = {
    "dashboard": ["?view=list", "?view=list&territory={other}", "?q=prive"],
    "project_list": ["?territory={other}"],
}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def page_urls(world) -> list[str]:
    urls = []
    for route, name in _routes(web_urls.urlpatterns):
        if name in SKIPPED_PAGES:
            continue
        parameters = re.findall(r"<(?:\w+:)?(\w+)>", route)
        sides = SIDES if parameters else SIDES[:1]
        for side_name in sides:
            side = getattr(world, side_name)
            kwargs = {}
            for parameter in parameters:
                if parameter == "pk":
                    segment = route.split("/")[0]
                    assert segment in PAGE_IDS, f"the sweep cannot fill <{parameter}> in {route}"
                    kwargs[parameter] = PAGE_IDS[segment](side, world)
                else:
                    assert parameter in PAGE_PARAMETERS, f"the sweep cannot fill {route}"
                    kwargs[parameter] = PAGE_PARAMETERS[parameter](side, world)
            url = reverse(f"web:{name}", kwargs=kwargs)
            urls.append(url)
            urls += [
                url + query.format(other=world.other.territory.slug)
                for query in PAGE_QUERIES.get(name, [])
            ]
    return sorted(set(urls))


def sweep_pages(world, secrets, who) -> Sweep:
    sweep = Sweep(secrets)
    client = page_client_for(world, who)
    for url in page_urls(world):
        sweep.read(url, client.get(url))
    return sweep


# What the pages must show the director of a territory's private text: the sweep reaches it
# (the evaluation page shows the report once submitted, not in this world).
SHOWN_ON_PAGES = {
    "resume",
    "reponse_partenaire",
    "commentaire",
    "indicateur",
    "conditions",
    "motif_ajournement",
}


@pytest.mark.parametrize("who", BOUND_ROLES)
def test_no_page_shows_another_territorys_private_text(world, secrets, who):
    director = sweep_pages(world, secrets, DIRECTOR)
    for side in SIDES:
        assert director.found[side] >= SHOWN_ON_PAGES, side
    sweep = sweep_pages(world, secrets, who)
    assert not sweep.leaks, "\n".join(sweep.leaks)
    assert sweep.found["own"] == director.found["own"]
