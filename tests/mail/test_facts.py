"""What each kind of message must tell its reader: one row per kind (add a row for a new
kind; add facts to a row when a message says more).

A row names the reader (an attribute of the story: ``mayor``, ``social_worker``…), optionally
what the message is about (``about``: an attribute of the story, compared with the
notification's subject), and the facts: strings that the reader must find in the subject and the
plain-text part, AND in the subject and the HTML part as a reader sees it (tags out, entities
decoded), of every such message the reader received in the story (``story.py``).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from notifications.models import Kind
from tests.mail.story import Story

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Row:
    kind: str
    to: str
    facts: Callable[[Story], list[str]]
    about: str = ""
    why: str = field(default="", compare=False)


def row_id(row: Row) -> str:
    return f"{row.kind}-to-{row.to}" + (f"-about-{row.about}" if row.about else "")


TABLE = [
    Row(
        Kind.INVITATION,
        to="mayor",
        about="pilot",
        facts=lambda s: [
            s.action.title,
            "Gier-Ondaine-Pilat",
            "Ville de Saint-Chamond",
            "Pilote",
            "Pilote l'action.",  # the commitment
            "vendredi 18 décembre 2026",
            "Claire Besson",  # whom to ask
            "ts.gop@caf42.example",
        ],
    ),
    Row(
        Kind.REMINDER,
        to="officer",  # reads English
        about="funder",
        facts=lambda s: [
            s.action.title,
            "Département de la Loire",
            "Funder",
            "5 000 €",
            "Friday 18 December 2026",
            "Claire Besson",
        ],
    ),
    Row(
        Kind.ESCALATION,
        to="manager",
        facts=lambda s: [
            s.action.title,
            "vendredi 18 décembre 2026",
            "Centre social Saint-Julien",  # who has not answered, and how to reach them
            "Nadia Benali",
            s.coordinator.email,
            "Département de la Loire",
            "Sam Collins",
            s.officer.email,
        ],
    ),
    Row(
        Kind.ANSWER_RECEIVED,
        to="social_worker",
        about="pilot",
        facts=lambda s: [
            s.action.title,
            "Hervé Reynaud (Ville de Saint-Chamond)",
            "mardi 1 décembre 2026",
            "pilote",
            "accepté",
            "La Ville pilotera avec plaisir.",
        ],
    ),
    Row(
        Kind.CONSULTATION_COMPLETE,
        to="social_worker",
        facts=lambda s: [
            s.action.title,
            "Ville de Saint-Chamond",
            "Centre social Saint-Julien",
            "Département de la Loire",
            "inscrivez l'action",
        ],
    ),
    Row(
        Kind.DIGEST,
        to="manager",
        facts=lambda s: [
            "mercredi 2 décembre 2026",
            "Gier-Ondaine-Pilat",
            s.action.title,
            "Ville de Saint-Chamond accepte son rôle « pilote »",
            "Centre social Saint-Julien demande des modifications",
            "Nous ne pouvons animer qu'un atelier.",
        ],
    ),
    Row(
        Kind.AGENDA_PUBLISHED,
        to="coordinator",
        facts=lambda s: [
            "Conseil d'administration de janvier",
            "jeudi 14 janvier 2027 à 14:00",
            "Saint-Étienne, siège de la CAF",
            s.action.title,  # her action on the agenda
            s.montreynaud.title,  # and the other points
            "/agenda/",  # the agenda, without an account
            ".ics",
        ],
    ),
    Row(
        Kind.CONVOCATION,
        to="member",
        about="january",
        facts=lambda s: [
            "Conseil d'administration de janvier",
            "jeudi 14 janvier 2027 à 14 h 00",
            "Saint-Étienne, siège de la CAF",
            s.action.title,
            s.montreynaud.title,
            "présent, à distance ou absent",
            "pouvoir",
            "/attendance/",  # her answer, without an account
            "dossier du conseil",
        ],
    ),
    Row(
        Kind.ATTENDANCE_REMINDER,
        to="silent_member",
        facts=lambda s: [
            "Conseil d'administration de janvier",
            "pas encore indiqué",
            "jeudi 21 janvier 2027 à 09 h 30",  # where and when the session now is
            "Saint-Chamond, hôtel de ville",
            "/attendance/",
        ],
    ),
    Row(
        Kind.SESSION_MOVED,
        to="coordinator",
        facts=lambda s: [
            "Conseil d'administration de janvier",
            "jeudi 14 janvier 2027 à 14:00",  # from
            "jeudi 21 janvier 2027 à 09:30",  # to
            "Saint-Étienne, siège de la CAF",
            "Saint-Chamond, hôtel de ville",
            s.action.title,
        ],
    ),
    Row(
        Kind.SESSION_MOVED,
        to="member",
        facts=lambda s: [
            "jeudi 14 janvier 2027 à 14:00",
            "jeudi 21 janvier 2027 à 09:30",
            "Saint-Étienne, siège de la CAF",
            "Saint-Chamond, hôtel de ville",
        ],
    ),
    Row(
        Kind.SESSION_CANCELLED,
        to="silent_member",
        facts=lambda s: [
            "Conseil extraordinaire de février",
            "jeudi 11 février 2027 à 17:00",
            "annulée",
            "Le quorum ne sera pas atteint.",
        ],
    ),
    Row(
        Kind.BOARD_DECISION,
        to="coordinator",
        about="action",
        facts=lambda s: [
            s.action.title,
            "Gier-Ondaine-Pilat",
            "Approuvée",
            "2027-001",  # the deliberation
            "Conseil d'administration de janvier, jeudi 21 janvier 2027",  # as moved
            "L'action peut démarrer",  # what comes next
            "vendredi 30 avril 2027",
        ],
    ),
    Row(
        Kind.BOARD_DECISION,
        to="mayor",  # the pilot: it will report
        about="action",
        facts=lambda s: ["Approuvée", "2027-001", "votre lien personnel pour remettre"],
    ),
    Row(
        Kind.BOARD_DECISION,
        to="social_worker",
        about="mulsant",
        facts=lambda s: [
            s.mulsant.title,
            "Approuvée sous conditions",
            "2027-002",
            "Associer le conseil citoyen",
            "jeudi 21 janvier 2027",
            "dans le respect des conditions",
        ],
    ),
    Row(
        Kind.BOARD_DECISION,
        to="social_worker",
        about="vacances",
        facts=lambda s: [
            s.vacances.title,
            "Rejetée",
            "2027-003",
            "Hors du champ du projet",  # the reason
            "jeudi 21 janvier 2027",
            "nouvelle action",
        ],
    ),
    Row(
        Kind.BOARD_DECISION,
        to="social_worker",
        about="montreynaud",
        facts=lambda s: [
            s.montreynaud.title,
            "Ajournée",
            "2027-004",
            "jeudi 21 janvier 2027",
            "Inscrivez-la à une prochaine séance",
        ],
    ),
    Row(
        Kind.REPORT_REQUESTED,
        to="mayor",
        facts=lambda s: [
            s.action.title,
            "vendredi 30 avril 2027",
            "Habitants venus aux ateliers",  # the indicators and their targets
            "40",
            "Ateliers tenus",
            "/report/",  # the report, without an account
            "Claire Besson",
        ],
    ),
    Row(
        Kind.EVALUATION_DUE,
        to="social_worker",
        facts=lambda s: [s.action.title, "30 avril 2027", "Habitants venus aux ateliers"],
    ),
    Row(
        Kind.EVALUATION_OVERDUE,
        to="mayor",
        facts=lambda s: [s.action.title, "30 avril 2027"],
    ),
    Row(
        Kind.ROLE_WITHDRAWN,
        to="volunteer",
        about="host",
        facts=lambda s: [
            s.action.title,
            "Association Habitat et Humanisme",
            "accueil / lieu",
            "retiré",
            "Les ateliers auront lieu au centre social.",  # why
            "ne fonctionne plus",
            "Claire Besson",
        ],
    ),
    Row(
        Kind.CONSULTATION_REVISED,
        to="coordinator",
        about="revised_role",
        facts=lambda s: [
            s.revised.title,
            "suspendue",
            "Le bailleur doit d'abord confirmer le terrain.",
            "nouvelle invitation",
            "Claire Besson",
        ],
    ),
    Row(
        Kind.ACTION_WITHDRAWN,
        to="mayor",
        about="withdrawn_role",
        facts=lambda s: [
            s.withdrawn.title,
            "abandonné",
            "Ville de Saint-Chamond",
            "pilote",
            "L'école a fermé ses portes.",
            "Claire Besson",
        ],
    ),
    Row(
        Kind.WEBHOOK_DISABLED,
        to="admin",
        about="endpoint",
        facts=lambda s: [
            s.endpoint.url,
            "5 jours",
            "désactivé",
            "réactivez",
            f"/admin/webhooks/endpoint/{s.endpoint.pk}/change/",
        ],
    ),
]


def test_every_kind_of_message_has_a_row():
    assert {row.kind for row in TABLE} == set(Kind.values)


def test_a_member_who_answered_is_not_reminded_and_one_who_did_not_is_once(story):
    reminded = [r.contact for r in story.received if r.kind == Kind.ATTENDANCE_REMINDER]
    assert reminded == [story.silent_member]


@pytest.mark.parametrize("row", TABLE, ids=row_id)
def test_the_reader_finds_the_facts_in_the_message(story, row):
    reader = getattr(story, row.to)
    about = getattr(story, row.about) if row.about else None
    messages = [
        received
        for received in story.received
        if received.kind == row.kind
        and reader in (received.user, received.contact)
        and (about is None or received.subject == about)
    ]
    assert messages, f"{row.to} received no {row.kind}"
    for received in messages:
        as_text = f"{received.subject_line}\n{received.text}"
        as_html = f"{received.subject_line}\n{received.html_as_text}"
        missing_in_text = [fact for fact in row.facts(story) if fact not in as_text]
        missing_in_html = [fact for fact in row.facts(story) if fact not in as_html]
        assert (missing_in_text, missing_in_html) == ([], []), received.subject_line


def test_a_decision_given_without_a_reason_does_not_point_to_one(story):
    deferred = [
        received
        for received in story.received
        if received.kind == Kind.BOARD_DECISION and received.subject == story.montreynaud
    ]
    assert deferred
    for received in deferred:
        assert "Ajournée" in received.text
        assert "motif" not in received.text.lower(), received.to
        assert "motif" not in received.html_as_text.lower(), received.to
