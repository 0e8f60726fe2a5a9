"""Optimistic concurrency (API.md "Edits, creations, errors"): a single resource carries an
``ETag``; ``PATCH``/``PUT`` with an ``If-Match`` that no longer matches is 412 with the error
body and nothing is written; without ``If-Match`` an edit works as before. A 201 carries
``Location``."""

import datetime

import pytest
from django.utils import timezone

from backend.actions.models import Action
from backend.actions.transitions import approve_action
from backend.board.models import BoardSession
from backend.evaluations.models import Evaluation
from backend.partners.models import Contact, Organisation
from tests import factories

pytestmark = pytest.mark.django_db

STALE = {
    "fr": "Quelqu'un d'autre a modifié cet élément depuis que vous l'avez ouvert",
    "en": "Someone else changed this item since you opened it",
}


def in_a_month() -> str:
    return (timezone.now() + datetime.timedelta(days=30)).isoformat()


@pytest.fixture
def evaluation(project, organisation, secretary):
    """The evaluation of another action of the project, approved."""
    action = factories.ActionFactory(project=project, state="scheduled")
    contact = factories.ContactFactory(organisation=organisation)
    pilot = factories.RoleFactory(action=action, organisation=organisation, contact=contact)
    pilot.invite()
    pilot.accept()
    pilot.save()
    return approve_action(action, actor=secretary).evaluation


@pytest.fixture
def resources(action, pilot, organisation, evaluation, social_worker, secretary):
    """Per resource: its URL, who edits it, two different edits, and how to read the field."""
    session = factories.BoardSessionFactory()
    return {
        "action": (
            f"/api/v1/actions/{action.pk}/",
            social_worker,
            ("title", "Premier intitulé", "Second intitulé"),
            lambda: Action.objects.get(pk=action.pk).title,
        ),
        "role": (
            f"/api/v1/roles/{pilot.pk}/",
            social_worker,
            ("description", "Anime les ateliers", "Prête la salle"),
            lambda: type(pilot).objects.get(pk=pilot.pk).description,
        ),
        "organisation": (
            f"/api/v1/organisations/{organisation.pk}/",
            social_worker,
            ("phone", "04 77 00 00 01", "04 77 00 00 02"),
            lambda: Organisation.objects.get(pk=organisation.pk).phone,
        ),
        "contact": (
            f"/api/v1/contacts/{pilot.contact_id}/",
            social_worker,
            ("position", "Adjointe", "Directrice"),
            lambda: Contact.objects.get(pk=pilot.contact_id).position,
        ),
        "board session": (
            f"/api/v1/board-sessions/{session.pk}/",
            secretary,
            ("location", "Montbrison", "Roanne"),
            lambda: BoardSession.objects.get(pk=session.pk).location,
        ),
        "evaluation": (
            f"/api/v1/evaluations/{evaluation.pk}/",
            social_worker,
            ("due_date", "2030-01-31", "2030-06-30"),
            lambda: str(Evaluation.objects.get(pk=evaluation.pk).due_date),
        ),
    }


KINDS = ["action", "role", "organisation", "contact", "board session", "evaluation"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_edit_on_a_stale_version_is_a_412_and_writes_nothing(api, resources, kind, language):
    url, editor, (field, first, second), stored = resources[kind]
    client = api.as_user(editor)
    read = client.get(url)
    etag = read["ETag"]
    assert etag.startswith('"') and etag.endswith('"')

    meanwhile = client.patch(url, {field: first}, format="json")  # someone else, no If-Match
    assert meanwhile.status_code == 200, meanwhile.json()
    assert meanwhile["ETag"] != etag

    late = client.patch(
        url, {field: second}, format="json", HTTP_IF_MATCH=etag, HTTP_ACCEPT_LANGUAGE=language
    )
    assert late.status_code == 412
    assert late.json()["code"] == "precondition_failed"
    assert late.json()["detail"].startswith(STALE[language])
    assert stored() == first  # nothing written


@pytest.mark.parametrize("kind", KINDS)
def test_an_edit_on_the_current_version_goes_through_with_the_new_etag(api, resources, kind):
    url, editor, (field, first, _second), stored = resources[kind]
    client = api.as_user(editor)
    etag = client.get(url)["ETag"]

    response = client.patch(url, {field: first}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.json()
    assert stored() == first
    assert response["ETag"] != etag
    assert response["ETag"] == client.get(url)["ETag"]  # the version as stored


def test_a_weak_or_unknown_tag_does_not_match_and_a_star_does(api, resources):
    url, editor, (field, first, second), stored = resources["action"]
    client = api.as_user(editor)
    etag = client.get(url)["ETag"]
    for header in (f"W/{etag}", '"nope"', "garbage"):
        response = client.patch(url, {field: first}, format="json", HTTP_IF_MATCH=header)
        assert response.status_code == 412, header
    assert client.patch(url, {field: second}, format="json", HTTP_IF_MATCH="*").status_code == 200
    response = client.patch(url, {field: first}, format="json", HTTP_IF_MATCH=f'"x", {etag}')
    assert response.status_code == 412  # the star's edit changed the version
    assert stored() == second


def test_a_transition_changes_the_etag(api, resources, pilot, social_worker):
    url, _editor, _edit, _stored = resources["action"]
    client = api.as_user(social_worker)
    etag = client.get(url)["ETag"]
    Action.objects.filter(pk=pilot.action_id).update(state="consultation")  # any write path
    assert client.get(url)["ETag"] != etag


def test_an_indicator_changed_on_the_plan_changes_the_evaluation_s_etag(
    api, evaluation, social_worker
):
    url = f"/api/v1/evaluations/{evaluation.pk}/"
    client = api.as_user(social_worker)
    etag = client.get(url)["ETag"]
    plan = {"indicators": [{"label": "Familles parties", "target": "12.00"}]}
    assert client.patch(url, plan, format="json", HTTP_IF_MATCH=etag).status_code == 200
    again = client.patch(url, plan, format="json", HTTP_IF_MATCH=etag)
    assert again.status_code == 412


def test_an_evaluation_takes_no_put(api, evaluation, social_worker):
    """The plan is edited in parts (PATCH); a PUT is refused as a method, not a 500."""
    from drf_spectacular.generators import SchemaGenerator

    url = f"/api/v1/evaluations/{evaluation.pk}/"
    response = api.as_user(social_worker).put(url, {"due_date": in_a_month()}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "put" not in schema["paths"]["/api/v1/evaluations/{id}/"]


def test_a_put_is_checked_too(api, secretary):
    session = factories.BoardSessionFactory()
    url = f"/api/v1/board-sessions/{session.pk}/"
    client = api.as_user(secretary)
    body = {"date": in_a_month(), "title": "Conseil", "location": "Roanne"}
    etag = client.get(url)["ETag"]
    assert client.put(url, body, format="json", HTTP_IF_MATCH=etag).status_code == 200
    response = client.put(url, {**body, "title": "Autre"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert BoardSession.objects.get(pk=session.pk).title == "Conseil"


# --- 201 and Location ------------------------------------------------------------------------


def test_a_creation_answers_the_new_resource_s_location(api, social_worker, project, secretary):
    client = api.as_user(social_worker)
    created = client.post(
        "/api/v1/actions/",
        {"project": project.pk, "title": "Jardin partagé", "summary": "Un jardin."},
        format="json",
    )
    assert created.status_code == 201
    location = created["Location"]
    assert location == f"http://testserver/api/v1/actions/{created.json()['id']}/"
    assert client.get(location).json()["title"] == "Jardin partagé"

    session = api.as_user(secretary).post(
        "/api/v1/board-sessions/",
        {"date": in_a_month(), "title": "Conseil", "location": "Roanne"},
        format="json",
    )
    assert session.status_code == 201
    assert session["Location"].endswith(f"/api/v1/board-sessions/{session.json()['id']}/")


def test_the_schema_documents_if_match_412_etag_and_location():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    patch = schema["paths"]["/api/v1/actions/{id}/"]["patch"]
    assert any(p["name"] == "If-Match" for p in patch["parameters"])
    assert patch["responses"]["412"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/Error"
    )
    assert "ETag" in patch["responses"]["200"]["headers"]
    assert "ETag" in schema["paths"]["/api/v1/actions/{id}/"]["get"]["responses"]["200"]["headers"]
    assert "Location" in schema["paths"]["/api/v1/actions/"]["post"]["responses"]["201"]["headers"]
