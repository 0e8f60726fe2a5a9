"""Bodies no client should send, on the JSON endpoints with and without an account: nested
too deep, or too large. The answer is a JSON error in the API's shape ({"detail", "code"}),
never a 500 nor Django's HTML error page."""

import pytest
from rest_framework.test import APIClient

from backend.actions.links import token_for

pytestmark = pytest.mark.django_db

MAX_DEPTH = 64  # backend.api.parsers.MAX_DEPTH: no body of this API nests half as deep


@pytest.fixture
def endpoints(api, social_worker, pilot):
    """(client, url): an endpoint behind an account, the sign-in, a personal link."""
    pilot.invite()
    pilot.save()
    anonymous = APIClient(raise_request_exception=False)
    signed_in = api.as_user(social_worker)
    signed_in.raise_request_exception = False
    return [
        (signed_in, "/api/v1/actions/"),
        (anonymous, "/api/v1/auth/token/"),
        (anonymous, f"/api/v1/respond/{token_for(pilot)}/"),
    ]


def nested(depth: int) -> str:
    return '{"decision": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1_000, 100_000])
def test_a_body_nested_too_deep_is_a_400(endpoints, depth):
    for client, url in endpoints:
        response = client.generic("POST", url, nested(depth), content_type="application/json")

        assert response.status_code == 400, (url, response.status_code)
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["code"] == "too_deep", url
        assert "trop imbriqué" in body["detail"], url


def test_a_body_nested_within_the_limit_is_read(endpoints):
    client, url = endpoints[1]  # the sign-in: a list where a string is expected
    response = client.generic("POST", url, nested(MAX_DEPTH), content_type="application/json")
    assert response.status_code == 400
    assert "username" in response.json()  # the fields are checked: the body was read


def test_a_body_too_large_is_a_json_413(endpoints):
    big = b'{"comment": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    for client, url in endpoints:
        response = client.generic("POST", url, big, content_type="application/json")

        assert response.status_code == 413, (url, response.status_code)
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["code"] == "request_too_large" and "volumineux" in body["detail"]


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
)
def test_a_form_body_is_a_json_415_unread(endpoints, content_type):
    """The API reads JSON only (the web pages have their own forms): a form, however large
    or however many fields it has, is refused before it is read."""
    form = "&".join(f"f{i}=x" for i in range(20_000)) + "&comment=" + "x" * (10 * 1024 * 1024)
    for client, url in endpoints:
        response = client.generic("POST", url, form, content_type=content_type)

        assert response.status_code == 415, (url, response.status_code)
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["code"] == "unsupported_media_type"


def test_a_body_without_content_length_is_read_as_empty(endpoints):
    """A chunked body (no Content-Length) is never read: it cannot get round the size limit."""
    client, url = endpoints[1]
    response = client.generic(
        "POST",
        url,
        b'{"username": "a", "password": "b"}' + b" " * (10 * 1024 * 1024),
        content_type="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"username", "password"}  # both required: nothing was read


def test_the_schema_documents_the_413(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    answer = schema["paths"]["/api/v1/respond/{token}/"]["post"]["responses"]
    assert "413" in answer
