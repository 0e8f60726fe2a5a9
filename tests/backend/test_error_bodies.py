"""Every error of the API has one body, ``{"detail", "code"}`` (plus the bad fields for a
400), in the caller's language (API.md "Edits, creations, errors", "Status codes")."""

import json

import pytest
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db

FR, EN = "fr", "en"


def refused(response, status: int, code: str) -> str:
    """The body's ``detail`` once its status, shape and code are checked."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body["detail"]


@pytest.fixture
def staff_api(api, social_worker):
    return api.as_user(social_worker)


@pytest.mark.parametrize(
    ("language", "says"),
    [(FR, "Introuvable, ou non visible pour vous."), (EN, "Not found, or not visible to you.")],
)
def test_an_unknown_id_is_a_404_that_names_no_model(staff_api, language, says):
    for url in ("/api/v1/actions/999999/", "/api/v1/roles/999999/", "/api/v1/nothing-here/"):
        response = staff_api.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert refused(response, 404, "not_found") == says
        assert "Action" not in response.content.decode()


@pytest.mark.parametrize(
    ("language", "says"),
    [
        (FR, "Le corps de la requête n'est pas du JSON valide (ligne 1, colonne 2)."),
        (EN, "The request body is not valid JSON (line 1, column 2)."),
    ],
)
def test_a_body_that_is_not_json_is_a_400_in_the_callers_language(
    staff_api, action, language, says
):
    response = staff_api.generic(
        "PATCH",
        f"/api/v1/actions/{action.pk}/",
        "{title",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert refused(response, 400, "parse_error") == says


@pytest.mark.parametrize(
    ("language", "says", "field_says"),
    [
        (FR, "Données invalides : title.", "Ce champ ne peut être vide."),
        (EN, "Invalid input: title.", "This field may not be blank."),
    ],
)
def test_a_bad_field_is_a_400_naming_it_beside_detail_and_code(
    staff_api, action, language, says, field_says
):
    response = staff_api.patch(
        f"/api/v1/actions/{action.pk}/", {"title": ""}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert refused(response, 400, "invalid") == says
    assert response.json()["title"] == [field_says]


def test_a_bad_query_parameter_is_a_400_naming_it(staff_api):
    response = staff_api.get("/api/v1/actions/?state=nowhere", HTTP_ACCEPT_LANGUAGE=EN)
    assert refused(response, 400, "invalid") == "Invalid input: state."
    assert "nowhere" in response.json()["state"][0]


def test_a_domain_refusal_of_a_field_is_a_400_naming_it(staff_api, action):
    response = staff_api.post(
        f"/api/v1/actions/{action.pk}/transitions/withdraw/", {}, HTTP_ACCEPT_LANGUAGE=FR
    )
    assert refused(response, 400, "invalid") == "Données invalides : comment."
    assert response.json()["comment"]


@pytest.mark.parametrize(
    ("language", "says"),
    [(FR, "Identifiant ou mot de passe incorrect."), (EN, "Incorrect username or password.")],
)
def test_a_wrong_password_is_a_401(api, social_worker, language, says):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": social_worker.username, "password": "faux"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert refused(response, 401, "authentication_failed") == says
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    ("language", "says"),
    [
        (FR, "Informations d'authentification non fournies."),
        (EN, "Authentication credentials were not provided."),
    ],
)
def test_no_credentials_is_a_401(language, says):
    response = APIClient().get("/api/v1/actions/", HTTP_ACCEPT_LANGUAGE=language)
    assert refused(response, 401, "not_authenticated") == says


@pytest.mark.parametrize(
    ("language", "says"),
    [
        (FR, "Votre rôle ne permet pas cette modification."),
        (EN, "Your role does not allow this change."),
    ],
)
def test_a_role_that_may_not_write_gets_a_403(api, secretary, action, language, says):
    response = api.as_user(secretary).patch(
        f"/api/v1/actions/{action.pk}/", {"title": "Autre"}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert refused(response, 403, "permission_denied") == says


@pytest.mark.parametrize(
    ("language", "says"),
    [(FR, "Méthode « DELETE » non autorisée."), (EN, 'Method "DELETE" not allowed.')],
)
def test_a_method_not_allowed_is_a_405(staff_api, action, language, says):
    response = staff_api.delete(f"/api/v1/actions/{action.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert refused(response, 405, "method_not_allowed").replace("\xa0", " ") == says


@pytest.mark.parametrize(
    ("language", "says"),
    [
        (FR, "L'en-tête « Accept » n'a pas pu être satisfaite."),
        (EN, "Could not satisfy the request Accept header."),
    ],
)
def test_an_accept_header_that_cannot_be_met_is_a_406(staff_api, action, language, says):
    response = staff_api.get(
        f"/api/v1/actions/{action.pk}/",
        HTTP_ACCEPT="application/xml",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert refused(response, 406, "not_acceptable") == says


@pytest.mark.parametrize(
    ("language", "says"),
    [
        (FR, "Impossible depuis l'état « brouillon »."),
        (EN, "Not possible from the “draft” state."),
    ],
)
def test_a_transition_impossible_now_is_a_409(staff_api, action, language, says):
    response = staff_api.post(
        f"/api/v1/actions/{action.pk}/transitions/start/", {}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert says in refused(response, 409, "conflict")


@pytest.mark.parametrize("language", [FR, EN])
def test_a_body_of_an_unsupported_type_is_a_415(staff_api, action, language):
    response = staff_api.generic(
        "PATCH",
        f"/api/v1/actions/{action.pk}/",
        "title=x",
        content_type="text/plain",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    detail = refused(response, 415, "unsupported_media_type")
    assert "text/plain" in detail
    assert detail.startswith("Type de média" if language == FR else "Unsupported media type")


@pytest.mark.parametrize(
    ("language", "says"),
    [(FR, "Trop de tentatives de connexion"), (EN, "Too many failed sign-in attempts")],
)
def test_too_many_attempts_is_a_429(api, social_worker, language, says):
    for _ in range(5):
        response = api.post(
            "/api/v1/auth/token/",
            {"username": social_worker.username, "password": "faux"},
            HTTP_ACCEPT_LANGUAGE=language,
        )
    assert refused(response, 429, "throttled").startswith(says)


def test_a_list_of_bodies_answers_the_errors_of_each_bad_body_by_its_index(api, secretary):
    session = factories.BoardSessionFactory()
    response = api.as_user(secretary).post(
        f"/api/v1/board-sessions/{session.pk}/decisions/",
        [{"outcome": "approved"}, {"outcome": "nope", "reference": "D-1"}],
        HTTP_ACCEPT_LANGUAGE=EN,
    )
    assert refused(response, 400, "invalid") == "Invalid input: 0, 1."
    body = response.json()
    assert "reference" in body["0"] and "outcome" in body["1"]


def test_territories_are_a_paginated_list(staff_api, territory):
    body = staff_api.get("/api/v1/territories/").json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    assert [row["slug"] for row in body["results"]] == ["gier-ondaine-pilat"]


def test_a_bug_of_ours_under_the_api_still_answers_the_error_body():
    from django.test import RequestFactory

    from backend.api.errors import server_error

    response = server_error(RequestFactory().get("/api/v1/actions/"))
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"
    page = server_error(RequestFactory().get("/tableau-de-bord/"))
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("language", "says"),
    [
        (FR, "Jeton CSRF absent ou invalide : rechargez la page et recommencez."),
        (EN, "CSRF token missing or invalid: reload the page and try again."),
    ],
)
def test_a_session_call_without_its_csrf_token_is_a_403_in_the_callers_language(
    social_worker, action, language, says
):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(social_worker)
    response = client.patch(
        f"/api/v1/actions/{action.pk}/", {"title": "Autre"}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert refused(response, 403, "csrf_failed") == says
