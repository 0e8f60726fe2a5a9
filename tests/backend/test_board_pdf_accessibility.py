"""The board file and the minutes are accessible PDFs (PDF/UA-1): read back with pikepdf (the
structure tree, the catalogue, the XMP metadata, the fonts) and pypdf (the text a reader or a
screen reader gets), on a held session built in the database."""

import datetime
import io
import re

import pikepdf
import pytest
from django.utils import timezone
from pypdf import PdfReader

from backend.actions.models import RoleAssignment, RoleState
from backend.board import board_file, minutes, pdf
from backend.board.models import AgendaItem, BoardDecision, BoardSession, Convocation
from tests import factories

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
PARIS = timezone.get_fixed_timezone(60)
TRICKY = 'Séance #1 *urgente* [bis] $5$ \\ "cité" _x_ <b> @ref // fin = ok'


@pytest.fixture
def session(project, organisation, secretary):
    """A held session: an action (two findings, a pilot who accepted with a comment and
    €1,500), the project of the year; four members, one absent who gave Hélène his proxy;
    a decision on each point."""
    need = factories.FindingFactory(
        diagnostic=project.diagnostic, kind="need", title="Peu de départs en vacances"
    )
    resource = factories.FindingFactory(
        diagnostic=project.diagnostic, kind="resource", title="Un centre social actif"
    )
    action = factories.ActionFactory(
        project=project,
        title="Vacances en familles : l'été à Saint-Étienne",
        summary="Des séjours « clés en main » pour les familles du quartier.",
        budget="12500.00",
        planned_start=datetime.date(2027, 3, 1),
        planned_end=datetime.date(2027, 9, 30),
    )
    action.findings.set([need, resource])
    factories.RoleFactory(
        action=action,
        organisation=organisation,
        description="Anime les ateliers avec les parents.",
        financial_commitment="1500.00",
        state=RoleState.ACCEPTED,
        responded_at=datetime.datetime(2027, 1, 4, 10, 0, tzinfo=PARIS),
        response_comment="D'accord pour piloter",
    )
    factories.AxisFactory(project=project, title="Accès aux droits", position=1)
    created = factories.BoardSessionFactory(
        date=datetime.datetime(2027, 1, 14, 14, 0, tzinfo=PARIS),
        title="Conseil de janvier",
        location="Siège de la CAF, Saint-Étienne",
    )
    BoardSession.objects.filter(pk=created.pk).update(state="held")
    held = BoardSession.objects.get(pk=created.pk)
    AgendaItem.objects.create(session=held, action=action, position=1)
    AgendaItem.objects.create(session=held, project=project, position=2)
    names = [("Hélène", "Dupont"), ("Bruno", "Faure"), ("Chloé", "Perrin"), ("Émile", "Roux")]
    members = {
        first: factories.ContactFactory(first_name=first, last_name=last) for first, last in names
    }
    for first, member in members.items():
        absent = first == "Bruno"
        Convocation.objects.create(
            session=held,
            member=member,
            attendance="absent" if absent else "present",
            actual="absent" if absent else ("remote" if first == "Chloé" else "present"),
            actual_proxy=members["Hélène"] if absent else None,
        )
    for subject, reference, conditions in (
        ({"action": action}, "2027-004", "Un bilan à mi-parcours."),
        ({"project": project}, "2027-005", ""),
    ):
        BoardDecision.objects.create(
            session=held,
            outcome="approved_with_conditions" if conditions else "approved",
            reference=reference,
            conditions=conditions,
            year=2027,
            recorded_by=secretary,
            **subject,
        )
    return held


def documents(session) -> dict[str, bytes]:
    return {
        "board file": board_file.board_file_pdf(session, None),
        "minutes": minutes.minutes_pdf(session),
    }


def text_of(content: bytes) -> str:
    """The text as extracted, whitespace folded but no-break spaces kept."""
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]
    return re.sub(r"[ \n]+", " ", " ".join(pages))


def words(content: bytes) -> str:
    return " ".join(text_of(content).split())


def structure_types(document: pikepdf.Pdf) -> list[str]:
    """The standard type of every element of the structure tree, in reading order (a type of
    Typst's own is read through the role map)."""
    root = document.Root.StructTreeRoot
    role_map = root.get("/RoleMap", pikepdf.Dictionary())
    found = []

    def visit(node):
        if isinstance(node, pikepdf.Array):
            for child in node:
                visit(child)
        elif isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                kind = node.S
                while kind in role_map:
                    kind = role_map[kind]
                found.append(str(kind).lstrip("/"))
            if "/K" in node:
                visit(node.K)

    visit(root.K)
    return found


def fonts_of(document: pikepdf.Pdf):
    """Every font dictionary of every page, in the page's resources and in its forms."""

    def walk(resources):
        yield from resources.get("/Font", {}).values()
        for xobject in resources.get("/XObject", {}).values():
            if "/Resources" in xobject:
                yield from walk(xobject.Resources)

    for page in document.pages:
        yield from walk(page.Resources)


@pytest.mark.parametrize("name", ["board file", "minutes"])
def test_the_documents_are_tagged_pdf_ua(session, name):
    content = documents(session)[name]
    with pikepdf.open(io.BytesIO(content)) as document:
        catalogue = document.Root
        assert catalogue.MarkInfo.Marked is True
        assert str(catalogue.Lang) == "fr-FR"
        assert catalogue.ViewerPreferences.DisplayDocTitle is True
        kinds = structure_types(document)
        for kind in ("Document", "H1", "H2", "P", "Table", "TR", "TH", "TD"):
            assert kind in kinds, (kind, kinds)
        assert kinds.count("TH") >= 3
        outline = [str(item.title) for item in document.open_outline().root]
        metadata = document.open_metadata()
        assert str(metadata.get("pdfuaid:part")) == "1"
        title = metadata.get("dc:title")
        fonts = list(fonts_of(document))
        assert fonts
        for font in fonts:
            assert font.Subtype == "/Type0", font.get("/BaseFont")
            descriptor = font.DescendantFonts[0].FontDescriptor
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font.BaseFont
    if name == "board file":
        assert title == "Dossier du conseil - Conseil de janvier"
        assert "L" in kinds and "LI" in kinds  # the findings
        assert outline[0] == "Ordre du jour"
        assert outline[1] == f"Point 1 - Vacances en familles{NBSP}: l'été à Saint-Étienne"
    else:
        assert title == "Procès-verbal - Conseil de janvier"
        assert outline == ["Présences", "Ordre du jour et décisions"]


def test_the_board_file_says_the_facts_with_french_typography(session):
    content = documents(session)["board file"]
    raw = text_of(content)
    text = words(content)
    assert "Jeudi 14 janvier 2027 à 14 h" in text
    assert f"Budget prévisionnel 12{NBSP}500,00{NBSP}€" in raw
    assert f"Apport financier{NBSP}: 1{NBSP}500,00{NBSP}€" in raw
    assert f"«{NBSP}D'accord pour piloter{NBSP}»" in raw
    assert "Accepté le lundi 4 janvier 2027" in text
    assert "Manque : Peu de départs en vacances" in text
    assert "Ressource : Un centre social actif" in text
    assert "Des séjours « clés en main » pour les familles du quartier." in text
    assert "lundi 1er mars 2027" in text and "jeudi 30 septembre 2027" in text
    assert "1. Accès aux droits" in text


def test_the_minutes_say_attendance_proxies_quorum_and_decisions(session):
    text = words(documents(session)["minutes"])
    assert "Hélène Dupont Présent" in text
    assert "Bruno Faure Absent Pouvoir donné à Hélène Dupont" in text
    assert "Chloé Perrin À distance" in text
    assert "Émile Roux Présent" in text
    assert "Quorum atteint : 4 administrateurs sur 4 présents ou représentés" in text
    assert "Point 1 - Vacances en familles : l'été à Saint-Étienne" in text
    assert "délibération n° 2027-004" in text and "délibération n° 2027-005" in text
    assert "Conditions ou motif : Un bilan à mi-parcours." in text


def test_user_text_prints_as_written_never_as_markup(session):
    session.title = TRICKY
    session.location = "Salle [A] #2 *"
    for name, content in documents(session).items():
        text = words(content)
        assert TRICKY in text, name
        assert "Lieu : Salle [A] #2 *" in text, name
        with pikepdf.open(io.BytesIO(content)) as document:
            assert TRICKY in document.open_metadata().get("dc:title"), name


def test_a_character_no_font_has_is_replaced_not_fatal(session):
    RoleAssignment.objects.update(description="Un engagement ✓ 🙂\u200d\ufe0f et 漢字 fin")
    session.title = "Conseil « spécial » : œuvre ✓ 🙂"
    content = documents(session)["board file"]
    text = words(content)
    assert "Conseil « spécial » : œuvre ✓" in text
    assert "Un engagement ✓ \ufffd et" in text  # the emoji: one mark, its joiners dropped
    assert "🙂" not in text


def test_without_dejavu_the_bundled_font_is_embedded(session, monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "FONT_DIR", tmp_path)
    session.title = "Conseil « spécial » : œuvre ✓ 🙂"
    for name, content in documents(session).items():
        assert "Conseil « spécial » : œuvre ? ?" in words(content), name
        with pikepdf.open(io.BytesIO(content)) as document:
            names = {str(font.BaseFont) for font in fonts_of(document)}
            assert names and all("Libertinus" in font for font in names), names
            for font in fonts_of(document):
                assert "/FontFile2" in font.DescendantFonts[0].FontDescriptor or (
                    "/FontFile3" in font.DescendantFonts[0].FontDescriptor
                )
