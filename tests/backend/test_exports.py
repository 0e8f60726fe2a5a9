"""Exports of the actions and their indicators, opened with real readers (csv, openpyxl,
pyexcel-ods3) and compared with what the API says."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pyexcel_ods3
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, include, path, resolve
from django.utils import timezone

from backend.actions.links import token_for
from backend.actions.models import Action, RoleAssignment
from backend.api import export_views
from tests import factories


def _wired(url: str) -> bool:
    try:
        resolve(url)
    except Resolver404:
        return False
    return True


# Until backend/api/urls.py includes these routes, the tests bring them along.
urlpatterns = [
    path("api/v1/", include(export_views.urlpatterns)),
    path("", include("backend.urls")),
]
pytestmark = [pytest.mark.django_db]
if not _wired("/api/v1/exports/actions.csv"):
    pytestmark.append(pytest.mark.urls(__name__))

SESSION_DAY = datetime.datetime(2027, 1, 14, 14, 0, tzinfo=timezone.get_fixed_timezone(60))
INDICATORS = [
    {"label": "Familles parties en vacances", "baseline": "0", "target": "12", "unit": "familles"},
    {"label": "Rencontres du groupe de parents", "target": "8.5", "unit": "séances"},
]


@pytest.fixture(autouse=True)
def _before_the_session(time_machine):
    time_machine.move_to(SESSION_DAY - datetime.timedelta(days=20), tick=False)


def ready_action(api, worker, project, partners, title, **fields):
    """Written, given its roles, consulted and accepted through the API."""
    client = api.as_user(worker)
    created = client.post(
        "/api/v1/actions/",
        {"project": project.pk, "title": title, "summary": "Pour les familles.", **fields},
        format="json",
    )
    assert created.status_code == 201, created.data
    roles = []
    for organisation, kind in partners:
        contact = factories.ContactFactory(organisation=organisation)
        role = client.post(
            "/api/v1/roles/",
            {
                "action": created.data["id"],
                "organisation": organisation.pk,
                "contact": contact.pk,
                "kind": kind,
                "description": "Engagement",
            },
            format="json",
        )
        assert role.status_code == 201, role.data
        roles.append(role.data["id"])
    assert (
        client.post(f"/api/v1/actions/{created.data['id']}/transitions/submit/").status_code == 200
    )
    for role_id in roles:
        answered = api.post(
            f"/api/v1/respond/{token_for(RoleAssignment.objects.get(pk=role_id))}/",
            {"decision": "accept"},
        )
        assert answered.status_code == 200, answered.data
    return created.data["id"]


@pytest.fixture
def data(api, territory, other_territory, project, social_worker, manager, secretary, time_machine):
    """Gier-Ondaine-Pilat 2026: « Vacances » approved with conditions and evaluated, « Café »
    still a draft; Gier-Ondaine-Pilat 2027: « Jardins »; Roannais 2026: « Mulsant » approved
    and evaluated."""
    director = factories.StaffFactory(role="director")
    gier_org = factories.OrganisationFactory(territories=[territory], name="Centre social Lorette")
    town = factories.OrganisationFactory(territories=[territory], name="Ville de Saint-Chamond")
    vacances = ready_action(
        api,
        social_worker,
        project,
        [(gier_org, "pilot"), (town, "funder")],
        "Vacances en familles",
        budget="12500.50",
        planned_start="2027-03-01",
        planned_end="2027-09-30",
    )
    cafe = api.as_user(social_worker).post(
        "/api/v1/actions/",
        {"project": project.pk, "title": "Café des parents", "summary": "Un café."},
        format="json",
    )
    assert cafe.status_code == 201
    api.as_user(social_worker).post(
        "/api/v1/roles/",
        {
            "action": cafe.data["id"],
            "organisation": gier_org.pk,
            "kind": "host",
            "description": "Prête une salle",
        },
        format="json",
    )
    later = factories.ProjectFactory(territory=territory, year=2027)
    jardins = api.as_user(social_worker).post(
        "/api/v1/actions/",
        {
            "project": later.pk,
            "title": "Jardins partagés",
            "summary": "Des jardins.",
            "budget": "800",
        },
        format="json",
    )
    assert jardins.status_code == 201

    roannais = factories.ProjectFactory(territory=other_territory)
    roanne_worker = factories.StaffFactory(role="social_worker", territories=[other_territory])
    roanne_manager = factories.StaffFactory(role="territory_manager", territories=[other_territory])
    roanne = factories.OrganisationFactory(territories=[other_territory], name="Ville de Roanne")
    mulsant = ready_action(
        api, roanne_worker, roannais, [(roanne, "pilot")], "Ateliers Mulsant", budget="3000"
    )

    session = (
        api.as_user(secretary)
        .post(
            "/api/v1/board-sessions/",
            {"date": SESSION_DAY.isoformat(), "title": "Conseil de janvier"},
            format="json",
        )
        .data
    )
    for user, action in ((manager, vacances), (roanne_manager, mulsant)):
        response = api.as_user(user).post(
            f"/api/v1/board-sessions/{session['id']}/agenda/", {"action": action}
        )
        assert response.status_code == 200, response.data
    client = api.as_user(secretary)
    assert (
        client.post(
            f"/api/v1/board-sessions/{session['id']}/transitions/publish_agenda/"
        ).status_code
        == 200
    )
    time_machine.move_to(SESSION_DAY, tick=False)
    assert (
        client.post(f"/api/v1/board-sessions/{session['id']}/transitions/hold/").status_code == 200
    )
    decided = api.as_user(director).post(
        f"/api/v1/board-sessions/{session['id']}/decisions/",
        [
            {
                "action": vacances,
                "outcome": "approved_with_conditions",
                "reference": "2027-001",
                "conditions": "Associer le conseil citoyen",
            },
            {"action": mulsant, "outcome": "approved", "reference": "2027-002"},
        ],
        format="json",
    )
    assert decided.status_code == 201, decided.data

    for worker, action, participants in (
        (social_worker, vacances, 34),
        (roanne_worker, mulsant, 12),
    ):
        evaluation = api.as_user(director).get(f"/api/v1/evaluations/?action={action}").data
        evaluation_id = evaluation["results"][0]["id"]
        planned = api.as_user(worker).patch(
            f"/api/v1/evaluations/{evaluation_id}/", {"indicators": INDICATORS}, format="json"
        )
        assert planned.status_code == 200, planned.data
        ids = [i["id"] for i in planned.data["indicators"]]
        reported = api.as_user(worker).post(
            f"/api/v1/evaluations/{evaluation_id}/report/",
            {
                "results": [
                    {"indicator": ids[0], "result": "10"},
                    {"indicator": ids[1], "result": "6.25"},
                ],
                "participants": participants,
            },
            format="json",
        )
        assert reported.status_code == 200, reported.data
    return {
        "director": director,
        "vacances": vacances,
        "cafe": cafe.data["id"],
        "jardins": jardins.data["id"],
        "mulsant": mulsant,
    }


def export(api, user, name, **params):
    return api.as_user(user).get(f"/api/v1/exports/{name}", params)


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def read_xlsx(response) -> dict[str, list[dict]]:
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheets = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        sheets[sheet.title] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return sheets


def read_ods(response) -> dict[str, list[dict]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    book = pyexcel_ods3.get_data(io.BytesIO(response.content), file_type="ods")
    sheets = {}
    for name, rows in book.items():
        header = rows[0]
        sheets[name] = [
            dict(zip(header, [*row, *[""] * (len(header) - len(row))], strict=True))
            for row in rows[1:]
        ]
    return sheets


def number(text: str) -> Decimal:
    """A CSV number: decimal comma."""
    return Decimal(text.replace(",", "."))


def by_id(rows, key="N° action"):
    return {int(row[key]): row for row in rows}


def api_facts(api, director, action_id):
    action = api.as_user(director).get(f"/api/v1/actions/{action_id}/").data
    evaluation = api.as_user(director).get(f"/api/v1/evaluations/?action={action_id}").data
    return action, (evaluation["results"][0] if evaluation["count"] else None)


def test_csv_matches_the_api(api, data):
    director = data["director"]
    response = export(api, director, "actions.csv")
    assert 'filename="actions.csv"' in response["Content-Disposition"]
    rows = by_id(read_csv(response))
    assert set(rows) == {data["vacances"], data["cafe"], data["jardins"], data["mulsant"]}

    action, evaluation = api_facts(api, director, data["vacances"])
    row = rows[data["vacances"]]
    assert number(row["Budget prévisionnel (€)"]) == Decimal(action["budget"]) == Decimal("12500.5")
    assert row["Budget prévisionnel (€)"] == "12500,50"
    assert int(row["Nombre de rôles"]) == len(action["roles"]) == 2
    assert row["Rôles des partenaires"] == (
        "Pilote : Centre social Lorette (accepté) ; Financeur : Ville de Saint-Chamond (accepté)"
    )
    assert row["Territoire"] == "Gier-Ondaine-Pilat" and row["Année"] == "2026"
    assert row["Début prévu"] == action["planned_start"] == "2027-03-01"
    assert row["Dernière décision du conseil"] == "approuvée sous conditions"
    assert row["N° de délibération"] == "2027-001"
    assert row["Conditions ou motif"] == "Associer le conseil citoyen"
    assert row["Date de la séance"] == "2027-01-14"
    assert row["État"] == action["state_label"]
    assert row["Évaluation"] == "remise" and evaluation["state"] == "submitted"
    assert int(row["Participants"]) == evaluation["participants"] == 34

    draft = rows[data["cafe"]]
    assert draft["Budget prévisionnel (€)"] == "" and draft["Dernière décision du conseil"] == ""
    assert draft["Rôles des partenaires"] == "Accueil / lieu : Centre social Lorette (proposé)"
    assert draft["Évaluation"] == "" and draft["Participants"] == ""

    indicators = read_csv(export(api, director, "indicators.csv"))
    mine = [r for r in indicators if int(r["N° action"]) == data["vacances"]]
    assert [r["Indicateur"] for r in mine] == [i["label"] for i in evaluation["indicators"]]
    assert [number(r["Résultat"]) for r in mine] == [
        Decimal(i["result"]) for i in evaluation["indicators"]
    ]
    assert [r["Valeur de départ"] for r in mine] == ["0,00", ""]
    assert [number(r["Cible"]) for r in mine] == [Decimal("12"), Decimal("8.5")]


def test_xlsx_has_numbers_dates_and_an_indicator_sheet(api, data):
    director = data["director"]
    response = export(api, director, "actions.xlsx")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheets = read_xlsx(response)
    assert list(sheets) == ["actions", "indicateurs", "présences"]
    rows = by_id(sheets["actions"])
    action, evaluation = api_facts(api, director, data["vacances"])
    row = rows[data["vacances"]]
    assert isinstance(row["Budget prévisionnel (€)"], float | int)
    assert Decimal(str(row["Budget prévisionnel (€)"])) == Decimal(action["budget"])
    assert row["Nombre de rôles"] == len(action["roles"])
    assert row["Participants"] == evaluation["participants"]
    assert row["Début prévu"] == datetime.datetime(2027, 3, 1)
    assert rows[data["cafe"]]["Budget prévisionnel (€)"] is None
    results = [r for r in sheets["indicateurs"] if r["N° action"] == data["vacances"]]
    assert [Decimal(str(r["Résultat"])) for r in results] == [
        Decimal(i["result"]) for i in evaluation["indicators"]
    ]
    assert all(isinstance(r["Cible"], float | int) for r in results)


def test_ods_has_numbers_dates_and_an_indicator_sheet(api, data):
    director = data["director"]
    sheets = read_ods(export(api, director, "actions.ods"))
    assert list(sheets) == ["actions", "indicateurs", "présences"]
    rows = by_id(sheets["actions"])
    action, evaluation = api_facts(api, director, data["mulsant"])
    row = rows[data["mulsant"]]
    assert isinstance(row["Budget prévisionnel (€)"], float | int)
    assert Decimal(str(row["Budget prévisionnel (€)"])) == Decimal(action["budget"])
    assert row["Nombre de rôles"] == len(action["roles"]) == 1
    assert row["Participants"] == evaluation["participants"] == 12
    assert row["Dernière décision du conseil"] == "approuvée"
    assert row["Date de la séance"] == datetime.date(2027, 1, 14)
    results = [r for r in sheets["indicateurs"] if r["N° action"] == data["mulsant"]]
    assert [Decimal(str(r["Résultat"])) for r in results] == [
        Decimal(i["result"]) for i in evaluation["indicators"]
    ]
    assert [r["Unité"] for r in results] == ["familles", "séances"]


def test_filters_by_territory_and_year(api, data):
    director = data["director"]
    roannais = by_id(read_csv(export(api, director, "actions.csv", territory="roannais")))
    assert set(roannais) == {data["mulsant"]}
    later = by_id(read_csv(export(api, director, "actions.csv", year="2027")))
    assert set(later) == {data["jardins"]}
    response = export(api, director, "actions.xlsx", territory="gier-ondaine-pilat", year=2026)
    assert 'filename="actions-gier-ondaine-pilat-2026.xlsx"' in response["Content-Disposition"]
    sheets = read_xlsx(response)
    assert {r["N° action"] for r in sheets["actions"]} == {data["vacances"], data["cafe"]}
    assert {r["N° action"] for r in sheets["indicateurs"]} == {data["vacances"]}
    indicators = read_csv(export(api, director, "indicators.csv", territory="roannais"))
    assert {int(r["N° action"]) for r in indicators} == {data["mulsant"]}


def test_territory_staff_never_get_another_territory(api, data, manager):
    mine = {data["vacances"], data["cafe"], data["jardins"]}
    assert set(by_id(read_csv(export(api, manager, "actions.csv")))) == mine
    xlsx = read_xlsx(export(api, manager, "actions.xlsx"))
    assert {r["N° action"] for r in xlsx["actions"]} == mine
    assert {r["N° action"] for r in xlsx["indicateurs"]} == {data["vacances"]}
    ods = read_ods(export(api, manager, "actions.ods"))
    assert {r["N° action"] for r in ods["actions"]} == mine
    assert {r["N° action"] for r in ods["indicateurs"]} == {data["vacances"]}
    indicators = read_csv(export(api, manager, "indicators.csv"))
    assert {int(r["N° action"]) for r in indicators} == {data["vacances"]}
    for name in ("actions.csv", "actions.ods", "indicators.csv"):
        assert export(api, manager, name, territory="roannais").status_code == 403


def test_bad_filters_and_strangers_are_refused(api, data, pilot):
    director = data["director"]
    unknown = export(api, director, "actions.csv", territory="atlantide")
    assert unknown.status_code == 400 and "territory" in unknown.json()
    not_a_year = export(api, director, "actions.xlsx", year="abc")
    assert not_a_year.status_code == 400 and "year" in not_a_year.json()
    assert export(api, director, "indicators.csv", year="1850").status_code == 400
    assert export(api, director, "actions.csv", territory="", year="").status_code == 200
    assert api.as_user(director).get("/api/v1/exports/actions.pdf").status_code == 404
    partner = factories.StaffFactory(role="", contact=pilot.contact)
    assert export(api, partner, "actions.csv").status_code == 403
    api.credentials()
    assert api.get("/api/v1/exports/actions.csv").status_code == 401
    assert api.get("/api/v1/exports/indicators.csv").status_code == 401


def test_text_never_becomes_a_formula(api, data, social_worker):
    Action.objects.filter(pk=data["cafe"]).update(title='=HYPERLINK("http://x","clic")')
    director = data["director"]
    row = by_id(read_csv(export(api, director, "actions.csv")))[data["cafe"]]
    assert row["Action"] == '\'=HYPERLINK("http://x","clic")'
    book = openpyxl.load_workbook(io.BytesIO(export(api, director, "actions.xlsx").content))
    cells = [c for c in book["actions"]["F"] if c.value and str(c.value).startswith("=")]
    assert [c.data_type for c in cells] == ["s"]


def test_the_number_of_queries_does_not_grow_with_the_rows(api, data, project, organisation):
    director = data["director"]
    client = api.as_user(director)

    def count(name):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/exports/{name}").status_code == 200
        return len(queries)

    before = {name: count(name) for name in ("actions.csv", "actions.ods", "indicators.csv")}
    for n in range(5):
        action = factories.ActionFactory(project=project, budget=Decimal(n))
        for kind in ("pilot", "funder"):
            factories.RoleFactory(action=action, organisation=organisation, kind=kind)
    after = {name: count(name) for name in before}
    assert after == before
