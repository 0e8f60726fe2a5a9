"""The e-mails write a date, a time and an amount as the pages do (``backend.core.moments``):
« lundi 1er mars 2027 », « 10 h 00 », « 12 500,50 € » held together by no-break spaces; in
English "Monday 1 March 2027", "14:00", "€12,500.50"."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from backend.actions.transitions import submit_action
from backend.board.reader_agenda import when
from notifications.delivery.sweep import sweep
from tests.notifications import PARIS, headline_of, html_of, text_of
from tests.notifications.test_emails import answer

pytestmark = pytest.mark.django_db
NB = "\u00a0"
FIRST_OF_MARCH = datetime.date(2027, 3, 1)  # a Monday


@pytest.mark.parametrize(
    ("language", "headline_end", "deadline", "amount"),
    [
        (
            "fr",
            "merci de répondre avant le 1er mars 2027",
            "lundi 1er mars 2027",
            f"12{NB}500,50{NB}€",
        ),
        ("en", "please answer by 1 March 2027", "Monday 1 March 2027", "€12,500.50"),
    ],
)
def test_the_invitation_writes_its_deadline_and_amount_as_the_pages_do(
    monday, action, pilot, social_worker, smtp, language, headline_end, deadline, amount
):
    pilot.financial_commitment = Decimal("12500.50")
    pilot.save()
    pilot.contact.preferred_language = language
    pilot.contact.save()
    action.social_worker = social_worker
    action.consultation_deadline = FIRST_OF_MARCH
    action.save()
    submit_action(action, actor=social_worker)
    sweep()
    [message] = smtp.to(pilot.contact.email)
    assert headline_of(message).endswith(headline_end)
    for part in (text_of(message), html_of(message)):
        assert deadline in part
        assert amount in part


def test_the_answer_e_mail_writes_the_hour_as_the_pages_do(submitted, pilot, manager, smtp):
    answer(pilot, "decline", "Pas cette année.")  # Monday 30 November 2026, 10:00 in Paris
    sweep()
    [message] = smtp.to(manager.email)
    assert f"a répondu le lundi 30 novembre 2026 à 10{NB}h{NB}00" in text_of(message)


def test_a_session_s_time_reads_the_same_in_the_e_mails_and_on_the_agenda_page():
    session_at = datetime.datetime(2027, 1, 14, 14, 0, tzinfo=PARIS)
    assert when(session_at) == f"jeudi 14 janvier 2027 à 14{NB}h{NB}00"
    with translation.override("en"):
        assert when(session_at) == "Thursday 14 January 2027 at 14:00"
    # in Paris time, whatever the time zone it was given in
    assert when(session_at.astimezone(datetime.UTC)) == f"jeudi 14 janvier 2027 à 14{NB}h{NB}00"
