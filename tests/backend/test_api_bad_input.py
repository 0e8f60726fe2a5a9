"""What the API fuzzing (tests/fuzz) found, one focused test each: bad input gets a 4xx with
the API's error body, and answers match the OpenAPI document."""

import datetime

import pytest
import yaml
from django.db import DataError
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

from backend.actions.links import token_for
from backend.actions.models import Action
from backend.actions.transitions import approve_action, submit_action
from backend.api.errors import exception_handler
from backend.board.models import AgendaItem
from tests import factories

pytestmark = pytest.mark.django_db

NUL = "gier\x00ondaine"


@pytest.fixture(scope="module")
def schema():
    """The OpenAPI document as served (generated once: it takes seconds)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return yaml.safe_load(OpenApiYamlRenderer().render(document))


@pytest.mark.parametrize(
    "method, url, body",
    [
        ("post", "/api/v1/projects/", {"territory": NUL, "year": 2027, "title": "Projet"}),
        (
            "post",
            "/api/v1/organisations/",
            {"name": "Centre social", "kind": "social_centre", "territories": [NUL]},
        ),
        (
            "post",
            "/api/v1/staff/",
            {
                "username": "nouvelle.ts",
                "password": "Une-phrase-de-passe-solide-42",
                "email": "nouvelle.ts@caf42.example",
                "role": "social_worker",
                "territories": [NUL],
            },
        ),
    ],
)
def test_a_null_character_in_a_territory_is_a_400_naming_the_field(
    api, admin_user, territory, method, url, body
):
    response = getattr(api.as_user(admin_user), method)(url, body, format="json")
    assert response.status_code == 400
    field = "territory" if "territory" in body else "territories"
    assert field in response.json()


def test_a_null_character_in_an_export_filter_is_a_400(api, director, territory):
    response = api.as_user(director).get("/api/v1/exports/actions.csv", {"territory": NUL})
    assert response.status_code == 400
    assert "territory" in response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/territories/gier%00ondaine/",
        "/api/v1/actions/1.5/",
        "/api/v1/exports/actions.pdf",
        "/api/v1/board-sessions/abc/ics/",
        "/api/v1/nothing-here/",
    ],
)
def test_a_url_no_route_matches_is_a_json_404_under_the_api(api, director, url):
    response = api.as_user(director).get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_outside_the_api_a_404_is_still_a_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_board_session_in_year_one_is_refused(api, secretary):
    response = api.as_user(secretary).post(
        "/api/v1/board-sessions/",
        {"date": "0001-01-01T00:00:00Z", "title": "Conseil", "location": "Saint-Étienne"},
        format="json",
    )
    assert response.status_code == 400
    assert "date" in response.json()


def test_a_board_session_cannot_be_deleted(api, director, schema):
    session = factories.BoardSessionFactory()
    response = api.as_user(director).delete(f"/api/v1/board-sessions/{session.pk}/")
    assert response.status_code == 405
    assert "delete" not in schema["paths"]["/api/v1/board-sessions/{id}/"]
    removal = schema["paths"]["/api/v1/board-sessions/{id}/agenda/{item_id}/"]["delete"]
    assert "200" in removal["responses"]  # taking a point off answers the session


def test_taking_off_an_item_of_another_agenda_is_a_404(api, secretary, project):
    elsewhere = AgendaItem.objects.create(
        session=factories.BoardSessionFactory(), project=project, position=1
    )
    session = factories.BoardSessionFactory()
    client = api.as_user(secretary)
    for item in (elsewhere.pk, 999999):
        response = client.delete(f"/api/v1/board-sessions/{session.pk}/agenda/{item}/")
        assert response.status_code == 404
    assert AgendaItem.objects.filter(pk=elsewhere.pk).exists()


def test_decisions_answer_a_plain_list(schema):
    created = schema["paths"]["/api/v1/board-sessions/{id}/decisions/"]["post"]["responses"]
    assert created["201"]["content"]["application/json"]["schema"]["type"] == "array"


def test_the_link_of_a_role_not_waiting_for_an_answer_is_a_documented_409(
    api, social_worker, pilot, schema
):
    pilot.action.social_worker = social_worker  # who may read the action's links
    pilot.action.save()
    response = api.as_user(social_worker).get(f"/api/v1/roles/{pilot.pk}/link/")
    assert response.status_code == 409
    assert "409" in schema["paths"]["/api/v1/roles/{id}/link/"]["get"]["responses"]


def test_an_answer_by_link_is_documented_as_what_it_returns(api, pilot, social_worker, schema):
    submit_action(pilot.action, actor=social_worker)
    pilot.refresh_from_db()
    response = api.post(f"/api/v1/respond/{token_for(pilot)}/", {"decision": "accept"})
    assert response.status_code == 200
    documented = schema["paths"]["/api/v1/respond/{token}/"]["post"]["responses"]["200"]
    name = documented["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(response.json()) == set(schema["components"]["schemas"][name]["properties"])


@pytest.mark.parametrize("status", ["400", "401", "403", "404", "409"])
def test_error_statuses_are_documented_with_the_error_body(schema, status):
    responses = schema["paths"]["/api/v1/actions/{id}/"]["patch"]["responses"]
    content = responses[status]["content"]["application/json"]["schema"]["$ref"]
    assert content == "#/components/schemas/Error"  # one shape for every error (API.md)
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail", "code"]
    assert error["additionalProperties"] == {}  # a 400's bad fields beside detail and code


def test_the_token_endpoint_documents_its_429(schema):
    assert "429" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]


def test_a_value_the_database_cannot_hold_is_a_400_not_a_500():
    response = exception_handler(DataError("integer out of range"), {})
    assert response.status_code == 400
    assert "non_field_errors" in response.data
    assert response.data["code"] == "invalid"


# --- dates outside the years of the projects (2000-2100) ------------------------------------

DATE_ERROR = "Indiquez une date entre le 01/01/2000 et le 31/12/2100."


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("field", ["consultation_deadline", "planned_start", "planned_end"])
def test_an_action_s_absurd_date_is_a_400_naming_the_field(api, social_worker, action, field, day):
    client = api.as_user(social_worker)
    response = client.patch(f"/api/v1/actions/{action.pk}/", {field: day}, format="json")
    assert response.status_code == 400
    assert response.json()[field] == [DATE_ERROR]
    action.refresh_from_db()
    assert str(getattr(action, field)) != day


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_an_evaluation_s_absurd_due_date_is_a_400_naming_the_field(
    api, social_worker, action, pilot, secretary, day
):
    Action.objects.filter(pk=action.pk).update(state="scheduled")
    pilot.invite()
    pilot.accept()
    pilot.save()
    action.refresh_from_db()
    evaluation = approve_action(action, actor=secretary).evaluation
    response = api.as_user(social_worker).patch(
        f"/api/v1/evaluations/{evaluation.pk}/", {"due_date": day}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["due_date"] == [DATE_ERROR]
    evaluation.refresh_from_db()
    assert str(evaluation.due_date) != day


def test_submitting_with_an_absurd_deadline_already_stored_is_a_400_not_a_crash(
    api, social_worker, action, pilot
):
    """A deadline stored before dates were bounded: its reminders cannot be computed."""
    Action.objects.filter(pk=action.pk).update(consultation_deadline=datetime.date(9999, 12, 31))
    client = api.as_user(social_worker)
    client.raise_request_exception = False
    response = client.post(f"/api/v1/actions/{action.pk}/transitions/submit/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["consultation_deadline"] == [DATE_ERROR]
    action.refresh_from_db()
    assert action.state == "draft"
