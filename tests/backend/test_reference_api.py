"""Authentication, staff accounts, territories, projects, organisations and contacts."""

import pytest

from backend.accounts.models import StaffRole, User
from tests import factories

pytestmark = pytest.mark.django_db


def test_token_for_valid_credentials(api, social_worker):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": social_worker.username, "password": "un-mot-de-passe-solide-42"},
    )
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
    assert api.get("/api/v1/actions/").status_code == 200


def test_token_refused_for_a_wrong_password(api, social_worker):
    response = api.post(
        "/api/v1/auth/token/", {"username": social_worker.username, "password": "faux"}
    )
    assert response.status_code == 401  # API.md: a wrong password on auth/token/ too
    assert response["WWW-Authenticate"] == "Token"
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/v1/actions/").status_code == 401


def test_staff_created_by_an_admin(api, admin_user, territory):
    response = api.as_user(admin_user).post(
        "/api/v1/staff/",
        {
            "username": "ts.gop2",
            "password": "Chantier-St-Julien-2026",
            "email": "ts.gop2@caf42.example",
            "role": "social_worker",
            "territories": [territory.slug],
        },
    )
    assert response.status_code == 201, response.data
    assert "password" not in response.data
    user = User.objects.get(username="ts.gop2")
    assert user.check_password("Chantier-St-Julien-2026")
    assert user.role == StaffRole.SOCIAL_WORKER
    assert not user.is_staff  # the Django admin is for administrators
    assert list(user.territories.values_list("slug", flat=True)) == [territory.slug]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "123"}, "password"),
        ({"role": "king"}, "role"),
        ({"email": "pas-un-email"}, "email"),
        ({"territories": ["atlantide"]}, "territories"),
        ({"territories": []}, "territories"),
        ({"username": "ts.gop"}, "username"),
    ],
)
def test_staff_creation_bad_input(api, admin_user, territory, overrides, field):
    factories.StaffFactory(username="ts.gop")
    body = {
        "username": "nouvel.agent",
        "password": "Chantier-St-Julien-2026",
        "email": "agent@caf42.example",
        "role": "social_worker",
        "territories": [territory.slug],
        **overrides,
    }
    response = api.as_user(admin_user).post("/api/v1/staff/", body)
    assert response.status_code == 400, response.data
    assert field in response.data


def test_director_needs_no_territory(api, admin_user):
    response = api.as_user(admin_user).post(
        "/api/v1/staff/",
        {
            "username": "direction2",
            "password": "Chantier-St-Julien-2026",
            "email": "dir@caf42.example",
            "role": "director",
        },
    )
    assert response.status_code == 201, response.data


@pytest.mark.parametrize("role", ["social_worker", "territory_manager", "board_secretary"])
def test_only_admins_create_staff(api, make_staff, role):
    response = api.as_user(make_staff(role)).post("/api/v1/staff/", {})
    assert response.status_code == 403


def test_territories_are_read_only_reference(api, social_worker, territory):
    commune = factories.CommuneFactory(territory=territory, name="Saint-Chamond")
    factories.NeighbourhoodFactory(commune=commune, name="Saint-Julien")
    client = api.as_user(social_worker)
    response = client.get("/api/v1/territories/")
    assert response.status_code == 200
    assert response.data["count"] == 1  # paginated, like every list (API.md)
    [row] = response.data["results"]
    assert row["slug"] == "gier-ondaine-pilat"
    assert row["communes"][0]["neighbourhoods"][0]["name"] == "Saint-Julien"
    assert client.get("/api/v1/territories/gier-ondaine-pilat/").status_code == 200
    assert client.post("/api/v1/territories/", {"slug": "x", "name": "x"}).status_code == 405


def test_projects_visible_in_own_territories_only(api, social_worker, project, other_territory):
    factories.ProjectFactory(territory=other_territory)
    response = api.as_user(social_worker).get("/api/v1/projects/")
    assert [p["territory"] for p in response.data["results"]] == ["gier-ondaine-pilat"]
    assert "findings" in response.data["results"][0]
    assert "axes" in response.data["results"][0]


def test_manager_creates_the_project_of_the_year(api, manager, territory):
    client = api.as_user(manager)
    body = {"territory": territory.slug, "year": 2027, "title": "Projet GOP 2027"}
    created = client.post("/api/v1/projects/", body)
    assert created.status_code == 201, created.data
    assert created.data["findings"] == [] and created.data["axes"] == []
    again = client.post("/api/v1/projects/", body)
    assert again.status_code == 400 and "year" in again.data


def test_social_worker_cannot_create_projects(api, social_worker, territory):
    response = api.as_user(social_worker).post(
        "/api/v1/projects/", {"territory": territory.slug, "year": 2027, "title": "x"}
    )
    assert response.status_code == 403


def test_manager_cannot_create_a_project_elsewhere(api, manager, other_territory):
    response = api.as_user(manager).post(
        "/api/v1/projects/", {"territory": other_territory.slug, "year": 2027, "title": "x"}
    )
    assert response.status_code == 400 and "territory" in response.data


def test_organisations_and_contacts(api, social_worker, territory, other_territory):
    client = api.as_user(social_worker)
    org = client.post(
        "/api/v1/organisations/",
        {
            "name": "Centre social Saint-Julien",
            "kind": "social_centre",
            "territories": [territory.slug],
        },
    )
    assert org.status_code == 201, org.data
    dup = client.post(
        "/api/v1/organisations/",
        {
            "name": "centre social saint-julien",
            "kind": "association",
            "territories": [territory.slug],
        },
    )
    assert dup.status_code == 400 and "name" in dup.data
    elsewhere = client.post(
        "/api/v1/organisations/",
        {"name": "Ailleurs", "kind": "association", "territories": [other_territory.slug]},
    )
    assert elsewhere.status_code == 400 and "territories" in elsewhere.data
    bad_kind = client.post(
        "/api/v1/organisations/",
        {"name": "X", "kind": "secte", "territories": [territory.slug]},
    )
    assert bad_kind.status_code == 400 and "kind" in bad_kind.data

    contact = {
        "organisation": org.data["id"],
        "first_name": "Nadia",
        "last_name": "Benali",
        "email": "n.benali@example.org",
        "category": "technician",
    }
    created = client.post("/api/v1/contacts/", contact)
    assert created.status_code == 201, created.data
    twice = client.post("/api/v1/contacts/", contact)
    assert twice.status_code == 400 and "email" in twice.data
    wrong = client.post("/api/v1/contacts/", {**contact, "email": "x", "category": "roi"})
    assert wrong.status_code == 400 and {"email", "category"} <= set(wrong.data)


def test_contacts_of_another_territory_are_hidden(api, social_worker, other_territory):
    factories.ContactFactory(
        organisation=factories.OrganisationFactory(territories=[other_territory])
    )
    assert api.as_user(social_worker).get("/api/v1/contacts/").data["count"] == 0


def test_health_check_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_health_check_fails_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
    assert response.json()["database"] == "ok"


def test_openapi_schema_is_valid(client):
    import yaml
    from openapi_spec_validator import validate

    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate(schema)
    paths = schema["paths"]
    for path in [
        "/api/v1/auth/token/",
        "/api/v1/staff/",
        "/api/v1/territories/",
        "/api/v1/projects/",
        "/api/v1/organisations/",
        "/api/v1/contacts/",
        "/api/v1/actions/",
        "/api/v1/actions/{id}/transitions/",
        "/api/v1/actions/{id}/transitions/{name}/",
        "/api/v1/actions/{id}/history/",
        "/api/v1/roles/",
        "/api/v1/roles/{id}/withdraw/",
    ]:
        assert path in paths, path
    states = schema["components"]["schemas"]["ActionStateEnum"]["enum"]
    assert "ready_for_board" in states


def test_api_docs_work_offline(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


def test_home_page_points_to_the_sign_in_and_the_docs_only_for_staff(client, admin_user):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/connexion/"' in html and "Projets de territoire" in html
    assert 'href="/admin/"' not in html and 'href="/api/v1/docs/"' not in html  # anonymous
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    html = client.get("/tableau-de-bord/").content.decode()
    assert 'href="/admin/"' in html and 'href="/api/v1/docs/"' in html
