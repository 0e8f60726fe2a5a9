"""The documents of a board session: the iCalendar invitation and the board file (PDF),
read back with a real iCalendar parser and a real PDF reader."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import Resolver404, include, path, resolve
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from backend.actions.links import token_for
from backend.actions.models import RoleAssignment
from backend.api import board_documents
from backend.board import board_file, pdf
from backend.board.ics import fold, session_ics
from backend.board.models import BoardSession
from tests import factories


def _wired(url: str) -> bool:
    try:
        resolve(url)
    except Resolver404:
        return False
    return True


# Until backend/api/urls.py includes these routes, the tests bring them along.
urlpatterns = [
    path("api/v1/", include(board_documents.urlpatterns)),
    path("", include("backend.urls")),
]
pytestmark = [pytest.mark.django_db]
if not _wired("/api/v1/board-sessions/1/ics/"):
    pytestmark.append(pytest.mark.urls(__name__))

SESSION_DAY = datetime.datetime(2027, 1, 14, 14, 0, tzinfo=timezone.get_fixed_timezone(60))


@pytest.fixture(autouse=True)
def _before_the_session(time_machine):
    time_machine.move_to(SESSION_DAY - datetime.timedelta(days=20), tick=False)


def words(text: str) -> str:
    """Whitespace (no-break spaces included) folded to single spaces."""
    return " ".join(text.split())


def ready_action(api, worker, project, organisation, title, *, findings=(), **fields):
    """An action written, given a pilot, put to consultation and accepted by the partner,
    all through the API: it is then ready for the board."""
    client = api.as_user(worker)
    created = client.post(
        "/api/v1/actions/",
        {
            "project": project.pk,
            "title": title,
            "summary": f"Résumé de « {title} » : pour les familles du quartier.",
            "findings": [finding.pk for finding in findings],
            **fields,
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    contact = factories.ContactFactory(organisation=organisation)
    role = client.post(
        "/api/v1/roles/",
        {
            "action": created.data["id"],
            "organisation": organisation.pk,
            "contact": contact.pk,
            "kind": "pilot",
            "description": "Anime les ateliers avec les parents.",
            "time_commitment": "Une demi-journée par semaine",
            "financial_commitment": "1500.00",
        },
        format="json",
    )
    assert role.status_code == 201, role.data
    submitted = client.post(f"/api/v1/actions/{created.data['id']}/transitions/submit/")
    assert submitted.status_code == 200, submitted.data
    answered = api.post(
        f"/api/v1/respond/{token_for(RoleAssignment.objects.get(pk=role.data['id']))}/",
        {"decision": "accept", "comment": "D'accord pour piloter"},
    )
    assert answered.status_code == 200, answered.data
    api.credentials()
    return created.data["id"]


@pytest.fixture
def setting(
    api, territory, other_territory, project, organisation, social_worker, manager, secretary
):
    """A session with four points: two actions of Gier-Ondaine-Pilat, one of the Roannais
    (second on the agenda), and the Gier-Ondaine-Pilat project of the year."""
    need = factories.FindingFactory(
        diagnostic=project.diagnostic, kind="need", title="Peu de départs en vacances"
    )
    resource = factories.FindingFactory(
        diagnostic=project.diagnostic, kind="resource", title="Un centre social actif"
    )
    holidays = ready_action(
        api,
        social_worker,
        project,
        organisation,
        "Vacances en familles",
        findings=[need, resource],
        budget="12500.00",
        planned_start="2027-03-01",
        planned_end="2027-09-30",
    )
    parents = ready_action(
        api, social_worker, project, organisation, "Café des parents Saint-Julien"
    )
    roannais = factories.ProjectFactory(territory=other_territory)
    roannais_worker = factories.StaffFactory(role="social_worker", territories=[other_territory])
    roannais_manager = factories.StaffFactory(
        role="territory_manager", territories=[other_territory]
    )
    roannais_org = factories.OrganisationFactory(
        territories=[other_territory], name="Ville de Roanne"
    )
    mulsant = ready_action(api, roannais_worker, roannais, roannais_org, "Ateliers Mulsant")

    members = [  # the board's members are contacts
        factories.ContactFactory(
            first_name="Hélène", last_name="Dupont", email="helene.dupont@example.org"
        ),
        factories.ContactFactory(
            first_name="Marc", last_name="Roche", email="marc.roche@example.org"
        ),
    ]
    created = api.as_user(secretary).post(
        "/api/v1/board-sessions/",
        {
            "date": SESSION_DAY.isoformat(),
            "title": "Conseil de janvier",
            "location": "Siège de la CAF, 3 avenue Emile Loubet, Saint-Étienne",
            "members": [m.pk for m in members],
            "staff_invited": [manager.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    session_id = created.data["id"]
    for user, action in (
        (manager, holidays),
        (roannais_manager, mulsant),
        (manager, parents),
    ):
        response = api.as_user(user).post(
            f"/api/v1/board-sessions/{session_id}/agenda/", {"action": action}
        )
        assert response.status_code == 200, response.data
    response = api.as_user(secretary).post(
        f"/api/v1/board-sessions/{session_id}/agenda/", {"project": project.pk}
    )
    assert response.status_code == 200, response.data
    return {
        "session": session_id,
        "members": members,
        "project": project,
        "titles": [
            "Vacances en familles",
            "Ateliers Mulsant",
            "Café des parents Saint-Julien",
            project.title,
        ],
    }


def download(api, user, session_id, document):
    if user is None:
        api.credentials()  # anonymous
    client = api.as_user(user) if user else api
    return client.get(f"/api/v1/board-sessions/{session_id}/{document}/")


def pdf_text(content: bytes) -> list[str]:
    return [words(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


# --- iCalendar -----------------------------------------------------------------------------


def test_the_invitation_is_a_valid_calendar_event(api, setting, director, manager):
    response = download(api, director, setting["session"], "ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="conseil-2027-01-14.ics"' in response["Content-Disposition"]
    raw = response.content
    assert raw.endswith(b"\r\n") and all(len(line) <= 75 for line in raw.split(b"\r\n")), (
        "lines are folded at 75 octets"
    )

    calendar = Calendar.from_ical(raw)
    assert calendar["METHOD"] == "REQUEST" and calendar["VERSION"] == "2.0"
    zones = [c for c in calendar.walk("VTIMEZONE")]
    assert [str(z["TZID"]) for z in zones] == ["Europe/Paris"]
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start == SESSION_DAY
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert (start.hour, start.minute) == (14, 0)  # Paris wall clock
    assert event.decoded("DTEND") > start
    assert str(event["SUMMARY"]) == "Conseil de janvier"
    assert str(event["LOCATION"]) == "Siège de la CAF, 3 avenue Emile Loubet, Saint-Étienne"
    assert str(event["ORGANIZER"]) == "mailto:territoires@caf42.example"
    attendees = {str(a) for a in event["ATTENDEE"]}
    assert attendees == {
        "mailto:helene.dupont@example.org",
        "mailto:marc.roche@example.org",
        f"mailto:{manager.email}",
    }
    names = {a.params["CN"] for a in event["ATTENDEE"]}
    assert "Hélène Dupont" in names
    description = str(event["DESCRIPTION"])
    positions = [description.index(title) for title in setting["titles"]]
    assert positions == sorted(positions), description
    assert description.startswith("Ordre du jour")


def test_the_uid_is_stable_and_the_sequence_grows(api, setting, secretary, director):
    first = Calendar.from_ical(download(api, director, setting["session"], "ics").content)
    published = api.as_user(secretary).post(
        f"/api/v1/board-sessions/{setting['session']}/transitions/publish_agenda/"
    )
    assert published.status_code == 200, published.data
    second = Calendar.from_ical(download(api, director, setting["session"], "ics").content)
    (before,), (after,) = first.walk("VEVENT"), second.walk("VEVENT")
    assert (
        str(before["UID"])
        == str(after["UID"])
        == (f"board-session-{setting['session']}@caf42.example")
    )
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1


def test_the_invitation_of_territory_staff_lists_their_points(api, setting, manager):
    calendar = Calendar.from_ical(download(api, manager, setting["session"], "ics").content)
    (event,) = calendar.walk("VEVENT")
    description = str(event["DESCRIPTION"])
    assert "Vacances en familles" in description and "Ateliers Mulsant" not in description
    assert "autres territoires" in description


def test_summer_time_and_text_escaping(db):
    session = factories.BoardSessionFactory(
        date=datetime.datetime(2027, 7, 1, 9, 30, tzinfo=datetime.UTC),  # 11:30 in Paris
        title="Séance; spéciale, \\ été\nsuite",
        location="",
    )
    event = Calendar.from_ical(session_ics(session)).walk("VEVENT")[0]
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute) == (11, 30) and start.utcoffset().total_seconds() == 7200
    assert str(event["SUMMARY"]) == "Séance; spéciale, \\ été\nsuite"
    assert "LOCATION" not in event and "ATTENDEE" not in event


def test_folding_never_cuts_a_character():
    line = "DESCRIPTION:" + "é" * 100
    folded = fold(line).encode()
    assert all(len(part) <= 75 for part in folded.split(b"\r\n"))
    assert folded.replace(b"\r\n ", b"").decode() == line


# --- the board file ------------------------------------------------------------------------


def test_the_board_file_for_the_direction(api, setting, director):
    response = download(api, director, setting["session"], "board-file")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="dossier-conseil-2027-01-14.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    pages = pdf_text(response.content)
    text = " ".join(pages)
    assert "Conseil de janvier" in pages[0]
    assert "Jeudi 14 janvier 2027 à 14 h" in pages[0]
    agenda = [pages[0].index(title) for title in setting["titles"]]
    assert agenda == sorted(agenda), "the agenda keeps its order"
    sheets = [text.index(f"Point {n} - ") for n in (1, 2, 3, 4)]
    assert sheets == sorted(sheets)
    holidays = next(page for page in pages if "Point 1 - Vacances en familles" in page)
    assert "Gier-Ondaine-Pilat" in holidays
    assert "Manque : Peu de départs en vacances" in holidays
    assert "Ressource : Un centre social actif" in holidays
    assert "Pilote" in holidays and "Anime les ateliers avec les parents." in holidays
    assert "Accepté le" in holidays and "« D'accord pour piloter »" in holidays
    assert "Apport financier : 1 500,00 €" in holidays
    assert "12 500,00 €" in holidays
    assert "lundi 1er mars 2027" in holidays and "jeudi 30 septembre 2027" in holidays
    assert "Résumé de « Vacances en familles » : pour les familles" in holidays
    assert "Ateliers Mulsant" in text and "omis" not in text
    assert f"Point 4 - {setting['project'].title}" in text  # « Projet de territoire … »


def test_territory_staff_get_only_their_points(api, setting, manager):
    pages = pdf_text(download(api, manager, setting["session"], "board-file").content)
    text = " ".join(pages)
    assert "Vacances en familles" in text and "Café des parents Saint-Julien" in text
    assert "Ateliers Mulsant" not in text and "Ville de Roanne" not in text
    assert "les autres points sont omis" in text


def test_staff_of_a_territory_without_points_get_only_the_note(api, setting, make_staff):
    elsewhere = factories.TerritoryFactory(slug="forez-montbrisonnais", name="Forez")
    worker = make_staff("social_worker", territories=[elsewhere])
    response = download(api, worker, setting["session"], "board-file")
    assert response.status_code == 200
    pages = pdf_text(response.content)
    assert len(pages) == 1
    assert "Conseil de janvier" in pages[0] and "les autres points sont omis" in pages[0]
    assert not any(title in pages[0] for title in setting["titles"])


def test_documents_are_for_staff_only(api, setting, pilot):
    for document in ("ics", "board-file"):
        assert download(api, None, setting["session"], document).status_code == 401
    partner = factories.StaffFactory(role="", contact=pilot.contact)
    assert download(api, partner, setting["session"], "board-file").status_code == 403
    director = factories.StaffFactory(role="director")
    assert api.as_user(director).get("/api/v1/board-sessions/999999/ics/").status_code == 404
    calendar_client = api.as_user(director).get(
        f"/api/v1/board-sessions/{setting['session']}/ics/", HTTP_ACCEPT="text/calendar"
    )
    assert calendar_client.status_code == 200  # whatever a calendar client accepts


def test_the_file_builds_with_the_fallback_font(api, setting, director, monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "FONT_DIR", tmp_path)  # no DejaVu there: Typst's own font
    assert pdf.font_family() == "Libertinus Serif"
    session = BoardSession.objects.get(pk=setting["session"])
    session.title = "Conseil « spécial » : œuvre ✓ 🙂"
    content = board_file.board_file_pdf(session, director)
    text = " ".join(pdf_text(content))
    assert "12 500,00 €" in text and "Vacances en familles" in text


def test_long_texts_run_over_several_pages(api, setting, director):
    role = RoleAssignment.objects.filter(action__title="Vacances en familles").get()
    RoleAssignment.objects.filter(pk=role.pk).update(description="Un long engagement ✓ 🙂. " * 800)
    session = BoardSession.objects.get(pk=setting["session"])
    assert len(PdfReader(io.BytesIO(board_file.board_file_pdf(session, director))).pages) > 6


def test_french_typography():
    nbsp = "\u00a0"
    assert board_file.french_amount(Decimal("12500")) == f"12{nbsp}500,00{nbsp}€"
    assert board_file.french_amount(None) == ""
    assert board_file.french_date(datetime.date(2027, 1, 14)) == f"jeudi 14{nbsp}janvier 2027"
    assert board_file.french_date(datetime.date(2027, 1, 1)) == f"vendredi 1er{nbsp}janvier 2027"
    assert board_file.french_datetime(SESSION_DAY).endswith(f"à 14{nbsp}h")
    assert board_file.typo("Note : oui ; non ! « vite » ?") == (
        f"Note{nbsp}: oui{nbsp}; non{nbsp}! «{nbsp}vite{nbsp}»{nbsp}?"
    )
    assert board_file.typo("https://caf.fr à 14:00") == "https://caf.fr à 14:00"
    assert board_file.typo(board_file.quoted("oui")) == f"«{nbsp}oui{nbsp}»"  # no doubling
