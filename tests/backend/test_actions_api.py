"""Actions and roles: create, edit, list, filter, search; bad input never gives a 500."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.accounts.models import StaffRole
from backend.actions.models import Action
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(project):
    commune = factories.CommuneFactory(territory=project.territory, name="Saint-Chamond")
    neighbourhood = factories.NeighbourhoodFactory(commune=commune, name="Saint-Julien")
    axis = factories.AxisFactory(project=project)
    finding = factories.FindingFactory(diagnostic=project.diagnostic)
    return {"commune": commune, "neighbourhood": neighbourhood, "axis": axis, "finding": finding}


def action_body(project, place, /, **overrides):
    return {
        "project": project.pk,
        "axis": place["axis"].pk,
        "title": "Les habitants acteurs de la rénovation de Saint-Julien",
        "summary": "Associer les habitants à chaque étape du chantier.",
        "commune": place["commune"].pk,
        "neighbourhood": place["neighbourhood"].pk,
        "findings": [place["finding"].pk],
        "consultation_deadline": str(timezone.localdate() + datetime.timedelta(days=21)),
        "planned_start": "2027-01-15",
        "planned_end": "2027-12-15",
        "budget": "12500.00",
        **overrides,
    }


def test_social_worker_creates_an_action(api, social_worker, project, place):
    response = api.as_user(social_worker).post("/api/v1/actions/", action_body(project, place))
    assert response.status_code == 201, response.data
    assert response.data["state"] == "draft"
    assert response.data["territory"] == "gier-ondaine-pilat"
    assert response.data["findings"] == [place["finding"].pk]
    assert response.data["social_worker"] == social_worker.pk
    assert Action.objects.get(pk=response.data["id"]).title.startswith("Les habitants")


def test_board_secretary_cannot_create_actions(api, secretary, project, place):
    response = api.as_user(secretary).post("/api/v1/actions/", action_body(project, place))
    assert response.status_code == 403


def test_anonymous_gets_401(api, action):
    assert api.get("/api/v1/actions/").status_code == 401


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"summary": "x" * 10001}, "summary"),
        ({"project": "abc"}, "project"),
        ({"project": 999999}, "project"),
        ({"findings": [999999]}, "findings"),
        ({"findings": "not-a-list"}, "findings"),
        ({"budget": "beaucoup"}, "budget"),
        ({"budget": "-5"}, "budget"),
        ({"planned_start": "2027-13-45"}, "planned_start"),
        ({"planned_start": "2027-06-01", "planned_end": "2027-01-01"}, "planned_end"),
        ({"consultation_deadline": "2020-01-01"}, "consultation_deadline"),
        ({"axis": 999999}, "axis"),
    ],
)
def test_bad_input_names_the_field(api, social_worker, project, place, overrides, field):
    response = api.as_user(social_worker).post(
        "/api/v1/actions/", action_body(project, place, **overrides)
    )
    assert response.status_code == 400, response.data
    assert field in response.data
    assert not Action.objects.exists()


def test_missing_fields_are_each_named(api, social_worker):
    response = api.as_user(social_worker).post("/api/v1/actions/", {})
    assert response.status_code == 400
    assert {"project", "title", "summary"} <= set(response.data)
    assert "obligatoire" in str(response.data["title"][0])


def test_field_errors_in_english_on_request(api, social_worker):
    response = api.as_user(social_worker).post("/api/v1/actions/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "required" in str(response.data["title"][0])


def test_references_must_belong_to_the_project(api, social_worker, project, place, make_staff):
    other_project = factories.ProjectFactory(territory=project.territory, year=2025)
    foreign_axis = factories.AxisFactory(project=other_project)
    foreign_finding = factories.FindingFactory(diagnostic=other_project.diagnostic)
    other_commune = factories.CommuneFactory(territory=project.territory)
    client = api.as_user(social_worker)
    axis = client.post("/api/v1/actions/", action_body(project, place, axis=foreign_axis.pk))
    assert axis.status_code == 400 and "axis" in axis.data
    finding = client.post(
        "/api/v1/actions/", action_body(project, place, findings=[foreign_finding.pk])
    )
    assert finding.status_code == 400 and "findings" in finding.data
    hood = client.post("/api/v1/actions/", action_body(project, place, commune=other_commune.pk))
    assert hood.status_code == 400 and "neighbourhood" in hood.data


def test_cannot_create_in_another_territory(api, make_staff, other_territory, project, place):
    stranger = make_staff(StaffRole.SOCIAL_WORKER, territories=[other_territory])
    response = api.as_user(stranger).post("/api/v1/actions/", action_body(project, place))
    assert response.status_code == 400
    assert "project" in response.data


def test_edit_in_draft_then_refused_once_with_the_board(api, social_worker, action):
    client = api.as_user(social_worker)
    ok = client.patch(f"/api/v1/actions/{action.pk}/", {"title": "Nouveau titre"})
    assert ok.status_code == 200
    assert ok.data["title"] == "Nouveau titre"
    Action.objects.filter(pk=action.pk).update(state="ready_for_board")
    refused = client.patch(f"/api/v1/actions/{action.pk}/", {"title": "Encore"})
    assert refused.status_code == 409
    assert "prête pour le conseil" in refused.data["detail"]


def test_state_is_read_only(api, social_worker, action):
    response = api.as_user(social_worker).patch(
        f"/api/v1/actions/{action.pk}/", {"state": "approved"}
    )
    assert response.status_code == 200
    action.refresh_from_db()
    assert action.state == "draft"


def test_list_filters_and_search(api, manager, project, other_territory):
    draft = factories.ActionFactory(project=project, title="Vacances en famille")
    consult = factories.ActionFactory(project=project, title="Lieux de rencontre")
    Action.objects.filter(pk=consult.pk).update(
        state="consultation", consultation_deadline=timezone.localdate() - datetime.timedelta(1)
    )
    factories.ActionFactory(project=factories.ProjectFactory(territory=other_territory))
    client = api.as_user(manager)

    def titles(query):
        response = client.get(f"/api/v1/actions/{query}")
        assert response.status_code == 200, response.data
        return sorted(a["title"] for a in response.data["results"])

    assert titles("") == ["Lieux de rencontre", "Vacances en famille"]  # own territory only
    assert titles("?state=draft") == [draft.title]
    assert titles("?territory=gier-ondaine-pilat") == sorted([draft.title, consult.title])
    assert titles(f"?project={project.pk}") == sorted([draft.title, consult.title])
    assert titles("?overdue=true") == [consult.title]
    assert titles("?overdue=false") == [draft.title]
    assert titles("?search=vacances") == [draft.title]
    assert client.get("/api/v1/actions/?state=nonsense").status_code == 400


def test_pagination(api, director, project):
    factories.ActionFactory.create_batch(30, project=project)
    response = api.as_user(director).get("/api/v1/actions/?page_size=10&page=2")
    assert response.status_code == 200
    assert response.data["count"] == 30
    assert len(response.data["results"]) == 10
    assert response.data["next"] and response.data["previous"]
    assert api.get("/api/v1/actions/?page=99").status_code == 404


def _list_queries(api, user):
    client = api.as_user(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/actions/?page_size=100")
    assert response.status_code == 200
    return len(queries), response.data["count"]


def test_list_queries_do_not_grow_with_the_actions(api, social_worker, project, organisation):
    def add_actions(count):
        for action in factories.ActionFactory.create_batch(count, project=project):
            factories.RoleFactory(action=action, organisation=organisation)
            action.findings.add(factories.FindingFactory(diagnostic=project.diagnostic))

    add_actions(1)
    one, count_one = _list_queries(api, social_worker)
    add_actions(49)
    fifty, count_fifty = _list_queries(api, social_worker)
    assert (count_one, count_fifty) == (1, 50)
    assert one == fifty


def test_roles_create_edit_withdraw(api, social_worker, action, organisation):
    contact = factories.ContactFactory(organisation=organisation)
    client = api.as_user(social_worker)
    created = client.post(
        "/api/v1/roles/",
        {
            "action": action.pk,
            "organisation": organisation.pk,
            "contact": contact.pk,
            "kind": "pilot",
            "description": "Anime le comité de pilotage.",
            "financial_commitment": "3000",
        },
    )
    assert created.status_code == 201, created.data
    assert created.data["state"] == "proposed"
    role_id = created.data["id"]
    duplicate = client.post(
        "/api/v1/roles/",
        {"action": action.pk, "organisation": organisation.pk, "kind": "pilot", "description": "x"},
    )
    assert duplicate.status_code == 400 and "kind" in duplicate.data
    edited = client.patch(f"/api/v1/roles/{role_id}/", {"description": "Co-anime le comité."})
    assert edited.status_code == 200 and edited.data["description"] == "Co-anime le comité."
    withdrawn = client.post(f"/api/v1/roles/{role_id}/withdraw/", {"comment": "Erreur"})
    assert withdrawn.status_code == 200 and withdrawn.data["state"] == "withdrawn"
    again = client.post(f"/api/v1/roles/{role_id}/withdraw/", {})
    assert again.status_code == 409
    action_data = client.get(f"/api/v1/actions/{action.pk}/").data
    assert action_data["roles"] == []
    history = client.get(f"/api/v1/actions/{action.pk}/history/").data
    assert [(h["transition"], h["comment"]) for h in history] == [("withdraw", "Erreur")]


def test_shared_role_each_organisation_has_its_own_assignment(
    api, social_worker, action, territory
):
    funders = factories.OrganisationFactory.create_batch(2, territories=[territory])
    client = api.as_user(social_worker)
    for org in funders:
        response = client.post(
            "/api/v1/roles/",
            {"action": action.pk, "organisation": org.pk, "kind": "funder", "description": "€"},
        )
        assert response.status_code == 201
    roles = client.get(f"/api/v1/actions/{action.pk}/").data["roles"]
    assert sorted(r["organisation"] for r in roles) == sorted(o.pk for o in funders)


def test_role_contact_must_belong_to_the_organisation(api, social_worker, action, organisation):
    stranger = factories.ContactFactory()
    response = api.as_user(social_worker).post(
        "/api/v1/roles/",
        {
            "action": action.pk,
            "organisation": organisation.pk,
            "contact": stranger.pk,
            "kind": "host",
            "description": "Prête une salle.",
        },
    )
    assert response.status_code == 400
    assert "contact" in response.data


def test_role_organisation_must_work_in_the_territory(api, social_worker, action, other_territory):
    elsewhere = factories.OrganisationFactory(territories=[other_territory])
    response = api.as_user(social_worker).post(
        "/api/v1/roles/",
        {"action": action.pk, "organisation": elsewhere.pk, "kind": "host", "description": "x"},
    )
    assert response.status_code == 400
    assert "organisation" in response.data


def test_role_added_during_consultation_is_invited(api, social_worker, action, pilot, territory):
    client = api.as_user(social_worker)
    client.post(f"/api/v1/actions/{action.pk}/transitions/submit/", {})
    org = factories.OrganisationFactory(territories=[territory])
    response = client.post(
        "/api/v1/roles/",
        {"action": action.pk, "organisation": org.pk, "kind": "consulted", "description": "Avis"},
    )
    assert response.status_code == 201
    assert response.data["state"] == "invited"


def test_roles_frozen_once_the_action_left_consultation(api, social_worker, pilot):
    Action.objects.filter(pk=pilot.action_id).update(state="approved")
    response = api.as_user(social_worker).patch(
        f"/api/v1/roles/{pilot.pk}/", {"description": "changer"}
    )
    assert response.status_code == 409


def test_filtered_list_queries_are_constant_and_without_distinct(
    api, social_worker, project, organisation
):
    """The filters join nothing that repeats a row: no DISTINCT (PostgreSQL would sort every
    column of every matching row), and the same queries on every page."""
    for action in factories.ActionFactory.create_batch(6, project=project):
        factories.RoleFactory(action=action, organisation=organisation)
    client = api.as_user(social_worker)
    counts = []
    for page in (1, 2, 3):
        url = (
            f"/api/v1/actions/?state=draft&state=consultation&territory={project.territory.slug}"
            f"&page_size=2&page={page}"
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(response.data["results"]) == 2
        assert not any("DISTINCT" in query["sql"] for query in queries.captured_queries)
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts
    role = response.data["results"][0]["roles"][0]
    assert role["organisation_name"] == organisation.name
    assert response.data["results"][0]["state_label"] == "brouillon"
