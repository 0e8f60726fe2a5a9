"""What the board's decision and the evaluation say to those who receive them, read from real
e-mails (aiosmtpd, parsed with the ``email`` package as a mail client does). Partners have no
account: every fact they need is in the message, in its text and in its HTML part."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from backend.actions.transitions import evaluate_action, start_action
from backend.board.decisions import DecisionInput, record_decisions
from backend.board.models import Outcome
from backend.evaluations.links import token_for
from backend.evaluations.models import Evaluation
from backend.evaluations.reports import update_plan
from backend.evaluations.transitions import mark_due
from notifications.delivery.sweep import sweep
from tests.notifications import headline_of
from tests.notifications.mail_reading import assert_says

pytestmark = pytest.mark.django_db
PARIS = timezone.get_fixed_timezone(60)
INDICATORS = [
    {"label": "Familles parties en vacances", "baseline": 0, "target": 12, "unit": "familles"},
    {"label": "Rencontres du groupe de parents", "target": 8, "unit": "séances"},
]


def decide(session, action, secretary, outcome, conditions=""):
    record_decisions(
        session,
        [DecisionInput(outcome, "2027-014", action=action, conditions=conditions)],
        user=secretary,
    )


def decision_to(smtp, address):
    [message] = [m for m in smtp.to(address) if "Le conseil d'administration a" in headline_of(m)]
    return message


def test_an_approval_with_conditions_states_them_and_the_evaluation_to_come(
    smtp, held, secretary, pilot, social_worker
):
    session, action = held
    conditions = "Associer le centre social de Saint-Julien dès le premier atelier."
    decide(session, action, secretary, Outcome.APPROVED_WITH_CONDITIONS, conditions)
    sweep()
    to_partner = decision_to(smtp, pilot.contact.email)
    assert headline_of(to_partner) == (
        f"Le conseil d'administration a approuvé sous conditions l'action « {action.title} »"
    )
    assert_says(
        to_partner,
        "Approuvée sous conditions",
        "2027-014",  # the deliberation
        "jeudi 14 janvier 2027",  # the session
        conditions,
        "L'action peut démarrer, dans le respect des conditions ci-dessus.",
        "le compte rendu est attendu le vendredi 30 juillet 2027",  # the evaluation's due date
        "vous recevrez par e-mail votre lien personnel pour remettre le compte rendu",
    )
    to_staff = decision_to(smtp, social_worker.email)
    assert_says(to_staff, "Approuvée sous conditions", "2027-014", conditions, "30 juillet 2027")


@pytest.mark.parametrize(
    ("outcome", "verb", "label", "next_step"),
    [
        (
            Outcome.REJECTED,
            "a rejeté",
            "Rejetée",
            "proposée de nouveau au conseil sous la forme d'une nouvelle action",
        ),
        (
            Outcome.DEFERRED,
            "a ajourné",
            "Ajournée",
            "elle sera présentée de nouveau à une prochaine séance du conseil",
        ),
    ],
)
def test_a_rejection_or_a_deferral_gives_the_reason_and_what_comes_next(
    smtp, held, secretary, pilot, outcome, verb, label, next_step
):
    session, action = held
    reason = "Le budget de fonctionnement n'est pas couvert au-delà de juin."
    decide(session, action, secretary, outcome, reason)
    sweep()
    message = decision_to(smtp, pilot.contact.email)
    assert headline_of(message) == f"Le conseil d'administration {verb} l'action « {action.title} »"
    assert_says(
        message,
        label,
        reason,
        "2027-014",
        "jeudi 14 janvier 2027",
        next_step,
    )
    assert "plan d'évaluation" not in message.get_body(("plain",)).get_content()


# --- the pilot partner's report link ----------------------------------------------------------


@pytest.fixture
def in_progress(held, secretary, social_worker):
    """Approved, its evaluation planned with two indicators, and started: the evaluation."""
    session, action = held
    decide(session, action, secretary, Outcome.APPROVED)
    action.refresh_from_db()
    evaluation = update_plan(action.evaluation, user=social_worker, indicators=INDICATORS)
    start_action(action, actor=social_worker)
    sweep()  # the decision e-mails are out
    return evaluation


def report_request_to(smtp, address):
    [message] = [m for m in smtp.to(address) if "entre en évaluation" in headline_of(m)]
    return message


def assert_carries_the_plan_and_a_working_link(message, evaluation):
    assert_says(
        message,
        "Familles parties en vacances",
        "12 familles",
        "Rencontres du groupe de parents",
        "8 séances",
        "vendredi 30 juillet 2027",
    )
    link = f"{settings.SITE_URL}/report/{token_for(evaluation)}/"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert link in text and f'href="{link}"' in html
    page = Client().get(link.removeprefix(settings.SITE_URL))
    assert page.status_code == 200
    assert "Familles parties en vacances" in page.content.decode()


def test_entering_evaluation_by_hand_sends_the_pilot_its_plan_and_report_link(
    smtp, in_progress, pilot, social_worker
):
    evaluation = in_progress
    evaluate_action(evaluation.action, actor=social_worker)
    sweep()
    message = report_request_to(smtp, pilot.contact.email)
    assert headline_of(message) == (
        f"L'action « {evaluation.action.title} » entre en évaluation : compte rendu à remettre "
        "avant le 30 juillet 2027"
    )
    evaluation.refresh_from_db()
    assert_carries_the_plan_and_a_working_link(message, evaluation)
    assert not [m for m in smtp.to(social_worker.email) if "entre en évaluation" in headline_of(m)]
    sweep()
    assert (
        len([m for m in smtp.to(pilot.contact.email) if "entre en évaluation" in headline_of(m)])
        == 1
    )


def test_an_evaluation_falling_due_sends_the_pilot_its_report_link(
    smtp, in_progress, pilot, time_machine
):
    evaluation = in_progress
    time_machine.move_to(datetime.datetime(2027, 7, 30, 9, 0, tzinfo=PARIS), tick=False)
    assert mark_due() == 1
    sweep()
    evaluation.refresh_from_db()
    assert evaluation.action.state == "evaluation"
    assert_carries_the_plan_and_a_working_link(
        report_request_to(smtp, pilot.contact.email), evaluation
    )


def test_the_evaluation_reminders_carry_the_report_link(smtp, in_progress, pilot, time_machine):
    evaluation = in_progress
    time_machine.move_to(datetime.datetime(2027, 6, 30, 9, 0, tzinfo=PARIS), tick=False)
    sweep()  # 30 days before the due date
    [reminder] = [
        m for m in smtp.to(pilot.contact.email) if "Évaluation à remettre" in headline_of(m)
    ]
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    assert_carries_the_plan_and_a_working_link(reminder, evaluation)
