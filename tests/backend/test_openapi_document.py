"""The served OpenAPI document, as client generators and linters read it.

Each rule is checked on every operation of the document, so endpoints added later are held to
it without a change here: JSON request bodies only, a summary and a declared tag, ASCII English
names that do not depend on the language the document is fetched in, ids typed integer, files
as binary strings.
"""

import re

import pytest
from django.test import Client

from backend.actions.links import token_for
from tests import factories

pytestmark = pytest.mark.django_db

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
JSON = "application/json"


def fetch(language: str) -> dict:
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT=JSON, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.json()


@pytest.fixture(scope="module")
def documents(django_db_blocker):
    with django_db_blocker.unblock():
        return {language: fetch(language) for language in ("fr", "en")}


@pytest.fixture(scope="module")
def document(documents):
    return documents["fr"]


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield f"{method.upper()} {path}", operation


def test_every_request_body_is_json_only(document):
    bodies = {
        name: sorted(op["requestBody"]["content"])
        for name, op in operations(document)
        if "requestBody" in op
    }
    assert bodies  # the document has bodies at all
    assert {name: types for name, types in bodies.items() if types != [JSON]} == {}


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
)
def test_the_api_refuses_a_form_body_with_a_415(api, social_worker, project, content_type):
    client = api.as_user(social_worker)
    body = f"project={project.pk}&title=Atelier&summary=Parents"
    response = client.generic("POST", "/api/v1/actions/", body, content_type=content_type)
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_every_operation_has_a_summary_and_a_declared_tag(document):
    declared = {tag["name"] for tag in document["tags"]}
    missing = [
        name
        for name, op in operations(document)
        if not op.get("summary") or not op.get("tags") or not set(op["tags"]) <= declared
    ]
    assert missing == []


def names(document) -> dict:
    """Every name a generator turns into a class, a module or a function."""
    parameters = {
        f"{op['operationId']}.{p['name']}": p.get("schema", {})
        for _, op in operations(document)
        for p in op.get("parameters", [])
    }
    return {
        "components": sorted(document["components"]["schemas"]),
        "operations": sorted(op["operationId"] for _, op in operations(document)),
        "parameters": {
            name: (schema.get("$ref"), schema.get("items", {}).get("$ref"))
            for name, schema in sorted(parameters.items())
        },
    }


def test_names_are_ascii_english_and_the_same_in_french_and_english(documents):
    french, english = names(documents["fr"]), names(documents["en"])
    assert french == english
    assert [name for name in french["components"] if not NAME.match(name)] == []
    # The generators' fallbacks for unnamed shapes, and doubled suffixes.
    odd = re.compile(r"Type\d+$|RequestRequest$")
    assert [name for name in french["components"] if odd.search(name)] == []


def test_no_inline_enum_nor_title_is_left_on_a_parameter(document):
    """An inline enum is named by generators after its translated title (``ActionsListÉtat``)."""
    inline = [
        f"{op['operationId']}.{p['name']}"
        for _, op in operations(document)
        for p in op.get("parameters", [])
        if "title" in p
        or "enum" in p.get("schema", {})
        or "enum" in p.get("schema", {}).get("items", {})
        or "title" in p.get("schema", {})
    ]
    assert inline == []


def test_the_list_filters_name_the_shared_enums(document):
    actions = {
        p["name"]: p["schema"] for p in document["paths"]["/api/v1/actions/"]["get"]["parameters"]
    }
    assert actions["state"]["items"] == {"$ref": "#/components/schemas/ActionStateEnum"}
    for name in ("axis", "commune", "project"):
        assert actions[name] == {"type": "integer"}, name


def test_no_parameter_is_typed_a_fractional_number(document):
    """Every number a client passes in a query or a path is an id, a year or a page."""
    number = [
        f"{op['operationId']}.{p['name']}"
        for _, op in operations(document)
        for p in op.get("parameters", [])
        if p.get("schema", {}).get("type") == "number"
    ]
    assert number == []


def test_an_id_filter_refuses_a_fraction(api, social_worker):
    response = api.as_user(social_worker).get("/api/v1/actions/?axis=1.5")
    assert response.status_code == 400
    assert "axis" in response.json()


def test_the_decisions_body_is_one_decision_or_a_list(document):
    body = document["paths"]["/api/v1/board-sessions/{id}/decisions/"]["post"]["requestBody"]
    assert body["required"] is True
    name = body["content"][JSON]["schema"]["$ref"].rsplit("/", 1)[1]
    one_of = document["components"]["schemas"][name]["oneOf"]
    assert {"$ref": "#/components/schemas/DecisionRequest"} in one_of
    assert {"type": "array", "items": {"$ref": "#/components/schemas/DecisionRequest"}} in one_of


def test_files_are_binary_strings_offered_as_octet_stream_first(document):
    files = {}
    for name, op in operations(document):
        for status, response in op["responses"].items():
            media = [m for m in response.get("content", {}) if m != JSON]
            if status.startswith("2") and media:
                files[name] = response["content"]
    assert set(files) >= {
        "GET /api/v1/board-sessions/{id}/ics/",
        "GET /api/v1/board-sessions/{id}/board-file/",
        "GET /api/v1/exports/actions.{fmt}",
        "GET /api/v1/exports/indicators.csv",
    }
    for name, content in files.items():
        assert next(iter(content)) == "application/octet-stream", name
        for media_type in content.values():
            assert media_type["schema"] == {"type": "string", "format": "binary"}, name
    assert set(files["GET /api/v1/exports/actions.{fmt}"]) >= {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.spreadsheet",
    }


def test_a_file_is_sent_as_octet_stream_to_a_client_that_asks_for_it(api, director):
    client = api.as_user(director)
    asked = client.get("/api/v1/exports/indicators.csv", HTTP_ACCEPT="application/octet-stream")
    assert asked.status_code == 200
    assert asked["Content-Type"] == "application/octet-stream"
    plain = client.get("/api/v1/exports/indicators.csv")
    assert plain["Content-Type"].startswith("text/csv")
    assert asked.content == plain.content


# --- an action's own lists: their filters are documented and applied --------------------


@pytest.fixture
def consulted(api, social_worker, pilot):
    """An action in consultation, its pilot's role invited then accepted."""
    client = api.as_user(social_worker)
    response = client.post(f"/api/v1/actions/{pilot.action_id}/transitions/submit/", {})
    assert response.status_code == 200, response.json()
    pilot.refresh_from_db()
    Client().post(f"/api/v1/respond/{token_for(pilot)}/", {"decision": "accept"}, content_type=JSON)
    return client, pilot.action_id


def documented(document, path) -> set:
    return {p["name"] for p in document["paths"][path]["get"]["parameters"] if p["in"] == "query"}


def test_history_filters(document, consulted):
    client, action = consulted
    assert documented(document, "/api/v1/actions/{id}/history/") == {
        "state",
        "subject",
        "transition",
    }
    everything = client.get(f"/api/v1/actions/{action}/history/").json()
    assert {e["subject"].split(":")[0] for e in everything} == {"action", "role"}

    reached = client.get(f"/api/v1/actions/{action}/history/?state=consultation").json()
    assert [(e["transition"], e["target"]) for e in reached] == [("submit", "consultation")]
    closed = client.get(f"/api/v1/actions/{action}/history/?state=closed")
    assert closed.status_code == 200 and closed.json() == []
    roles = client.get(f"/api/v1/actions/{action}/history/?subject=role").json()
    assert roles and {e["subject"].split(":")[0] for e in roles} == {"role"}
    accepted = client.get(f"/api/v1/actions/{action}/history/?transition=accept").json()
    assert [e["target"] for e in accepted] == ["accepted"]
    assert client.get(f"/api/v1/actions/{action}/history/?state=nowhere").status_code == 400


def test_transitions_filters(document, consulted):
    client, action = consulted
    assert documented(document, "/api/v1/actions/{id}/transitions/") == {"allowed", "name"}
    allowed = client.get(f"/api/v1/actions/{action}/transitions/?allowed=true").json()
    assert allowed and all(row["allowed"] for row in allowed)
    refused = client.get(f"/api/v1/actions/{action}/transitions/?allowed=false").json()
    assert refused and not any(row["allowed"] for row in refused)
    both = client.get(f"/api/v1/actions/{action}/transitions/?name=revise&name=withdraw").json()
    assert [row["name"] for row in both] == ["revise", "withdraw"]
    # The list of actions' own filters do not apply here any more (a 404 before).
    assert client.get(f"/api/v1/actions/{action}/transitions/?state=closed").status_code == 200


def test_reminders_filters(document, consulted):
    client, action = consulted
    assert documented(document, "/api/v1/actions/{id}/reminders/") == {"kind", "status"}
    everything = client.get(f"/api/v1/actions/{action}/reminders/").json()
    assert {row["kind"] for row in everything} >= {"invitation"}
    invitations = client.get(f"/api/v1/actions/{action}/reminders/?kind=invitation").json()
    assert invitations and {row["kind"] for row in invitations} == {"invitation"}
    assert len(invitations) < len(everything)
    statuses = {row["status"] for row in everything}
    some = sorted(statuses)[0]
    filtered = client.get(f"/api/v1/actions/{action}/reminders/?status={some}").json()
    assert filtered and {row["status"] for row in filtered} == {some}
    assert client.get(f"/api/v1/actions/{action}/reminders/?kind=postcard").status_code == 400


def test_a_detail_ignores_the_filters_of_the_list(api, social_worker, action):
    """``actions/{id}/?state=closed`` is the action, whatever its state (a 404 before)."""
    client = api.as_user(social_worker)
    assert client.get(f"/api/v1/actions/{action.pk}/?state=closed").status_code == 200
    other = factories.ActionFactory(project=action.project)
    assert client.get(f"/api/v1/actions/{other.pk}/?search=nothing-like-it").status_code == 200


def test_an_operation_without_credentials_says_so(document):
    """``security: [{}]`` makes generators ask for an authenticated client; ``[]`` does not."""
    assert [name for name, op in operations(document) if op.get("security") == [{}]] == []
    answer = document["paths"]["/api/v1/respond/{token}/"]["post"]
    assert answer["security"] == []
