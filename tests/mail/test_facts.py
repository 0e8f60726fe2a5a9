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
        to="member",
        facts=lambda s: ["Conseil d'administration de janvier"],
        why="issue 16 item 3 adds the date, time, place and agenda",
    ),
    Row(
        Kind.BOARD_DECISION,
        to="coordinator",
        about="action",
        facts=lambda s: [s.action.title, "Gier-Ondaine-Pilat"],
        why="issue 16 item 1 adds the outcome, reference, session date and what comes next",
    ),
    Row(
        Kind.EVALUATION_DUE,
        to="social_worker",
        facts=lambda s: [s.action.title, "30 avril 2027"],
    ),
    Row(
        Kind.EVALUATION_OVERDUE,
        to="mayor",
        facts=lambda s: [s.action.title, "30 avril 2027"],
    ),
]


def test_every_kind_of_message_has_a_row():
    assert {row.kind for row in TABLE} == set(Kind.values)


@pytest.mark.parametrize("row", TABLE, ids=lambda row: f"{row.kind}-to-{row.to}")
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
