"""The e-mails, as a real SMTP server receives them from the sweep."""

import datetime
from email import message_from_bytes
from email.policy import default

import pytest
from django.conf import settings
from django.test import Client

from backend.accounts.models import StaffRole
from backend.actions.links import token_for
from backend.actions.transitions import submit_action
from backend.evaluations.models import Evaluation
from notifications.delivery.emails import build_message
from notifications.delivery.lookups import Lookups
from notifications.delivery.sweep import claim, sweep
from notifications.models import Kind, Notification, Status
from notifications.planning.rows import plan
from tests import factories
from tests.notifications import (
    DEADLINE,
    answer,
    at,
    headline_of,
    html_of,
    subject_of,
    text_of,
)

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    assert url.startswith(settings.SITE_URL + "/"), url
    return url.removeprefix(settings.SITE_URL)


def test_the_invitation_says_what_to_do_and_by_when(submitted, pilot, smtp):
    report = sweep()
    assert report.sent == 1
    [message] = smtp.messages
    title = submitted.title
    assert subject_of(message) == f"[CAF Loire] {title}"  # the action's thread
    assert headline_of(message) == (
        f"Votre rôle sur l'action « {title} » : merci de répondre avant le 18 décembre 2026"
    )
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["To"] == pilot.contact.email
    text = text_of(message)
    assert "Bonjour Dominique " in text
    assert "vendredi 18 décembre 2026" in text
    assert "Gier-Ondaine-Pilat" in text
    assert "Pilote (" + pilot.organisation.name + ")" in text
    assert pilot.description in text
    assert "&#x27;" not in text and "&quot;" not in text  # plain text is not HTML-escaped
    html = html_of(message)
    assert '<html lang="fr">' in html
    assert "vendredi 18 décembre 2026" in html

    # The personal link is in both parts, and it works.
    link = f"{settings.SITE_URL}/respond/{token_for(pilot)}/"
    assert link in text and f'href="{link}"' in html
    page = Client().get(path_of(link))
    assert page.status_code == 200 and title in page.content.decode()


def test_headers_message_id_thread_unsubscribe(submitted, pilot, smtp):
    sweep()
    [message] = smtp.messages
    row = Notification.objects.get(kind=Kind.INVITATION)
    assert message["Message-ID"] == row.message_id and message["Message-ID"].startswith("<")
    # the first e-mail about the action to this person starts its thread
    assert message["In-Reply-To"] is None and message["References"] is None
    unsubscribe = message["List-Unsubscribe"].strip()
    assert unsubscribe.startswith(f"<{settings.SITE_URL}/unsubscribe/") and unsubscribe.endswith(
        "/>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"


def test_reminders_count_the_business_days_left_and_thread_with_the_invitation(
    submitted, pilot, smtp
):
    sweep()
    sweep(now=at(11))  # 5 business days before Friday 18 December
    sweep(now=at(17))  # 1 business day before
    invitation, first, last = smtp.messages
    title = submitted.title
    assert headline_of(first) == (
        f"Plus que 5 jours ouvrés pour répondre : votre rôle sur l'action « {title} » "
        "(avant le 18 décembre 2026)"
    )
    assert headline_of(last) == (
        f"Plus qu'un jour ouvré pour répondre : votre rôle sur l'action « {title} » "
        "(avant le 18 décembre 2026)"
    )
    assert "il vous reste 5 jours ouvrés pour répondre" in text_of(first)
    assert "le vendredi 18 décembre 2026" in text_of(first)
    assert f"{settings.SITE_URL}/respond/{token_for(pilot)}/" in text_of(last)
    ids = {m["Message-ID"] for m in (invitation, first, last)}
    assert len(ids) == 3
    # one thread: one subject, each reminder answers the last e-mail and refers to the first
    assert {subject_of(m) for m in (invitation, first, last)} == {f"[CAF Loire] {title}"}
    assert first["In-Reply-To"] == first["References"] == invitation["Message-ID"]
    assert last["In-Reply-To"] == first["Message-ID"]
    assert last["References"].split() == [invitation["Message-ID"], first["Message-ID"]]


def test_an_english_speaking_contact_gets_english(submitted, pilot, smtp):
    pilot.contact.preferred_language = "en"
    pilot.contact.save()
    sweep()
    [message] = smtp.messages
    assert subject_of(message) == f"[CAF Loire] {submitted.title}"
    assert headline_of(message) == (
        f"Your role in the action “{submitted.title}”: please answer by 18 December 2026"
    )
    text = text_of(message)
    assert "Friday 18 December 2026" in text
    assert "Hello Dominique" in text
    assert '<html lang="en">' in html_of(message)


def test_the_escalation_tells_the_staff_who_has_not_answered(
    submitted, pilot, social_worker, manager, smtp
):
    sweep(now=at(21))  # the business day after the deadline
    [to_manager] = smtp.to(manager.email)
    assert len(smtp.to(social_worker.email)) == 1
    assert headline_of(to_manager) == (
        f"Relance nécessaire : un partenaire n'a pas répondu sur l'action « {submitted.title} » "
        "(date limite du 18 décembre 2026 dépassée)"
    )
    text = text_of(to_manager)
    assert "vendredi 18 décembre 2026" in text
    assert pilot.organisation.name in text and pilot.contact.email in text
    page = f"{settings.SITE_URL}/actions/{submitted.pk}/"  # the staff page, not the admin
    assert page in text and f'href="{page}"' in html_of(to_manager)
    assert to_manager["References"] is None  # the first e-mail to the manager about it


def test_an_answer_tells_the_staff_what_to_do(submitted, pilot, manager, smtp):
    answer(pilot, "decline", "Pas de moyens cette année.")
    sweep()
    [message] = smtp.to(manager.email)
    organisation = pilot.organisation.name
    assert headline_of(message) == (
        f"À traiter : {organisation} refuse son rôle sur l'action « {submitted.title} »"
    )
    text = text_of(message)
    assert f"{pilot.contact.full_name} ({organisation}) a répondu le lundi 30 novembre 2026" in text
    assert "Pas de moyens cette année." in text
    assert "proposez ce rôle à un autre partenaire" in text


def test_the_last_acceptance_says_the_consultation_is_complete(
    submitted, pilot, social_worker, smtp
):
    answer(pilot, "accept")
    sweep()
    subjects = sorted(headline_of(m) for m in smtp.to(social_worker.email))
    assert subjects == sorted(
        [
            f"{pilot.organisation.name} accepte son rôle sur l'action « {submitted.title} »",
            f"Consultation terminée : inscrivez l'action « {submitted.title} » à une séance "
            "du conseil",
        ]
    )


def test_html_is_escaped_and_text_is_not(monday, action, pilot, social_worker, smtp):
    action.title = 'Jardins & "potagers" <partagés>'
    action.social_worker = social_worker
    action.consultation_deadline = DEADLINE
    action.save()
    submit_action(action, actor=social_worker)
    sweep()
    [message] = smtp.messages
    assert 'Jardins & "potagers" <partagés>' in subject_of(message)
    assert 'Jardins & "potagers" <partagés>' in text_of(message)
    assert "Jardins &amp; &quot;potagers&quot; &lt;partagés&gt;" in html_of(message)


def test_the_evaluation_reminder_and_the_agenda_render_a_correct_message(submitted, manager):
    evaluation = Evaluation.objects.create(action=submitted, due_date=datetime.date(2027, 6, 30))
    plan(Kind.EVALUATION_DUE, subject=evaluation, recipient=manager, action=submitted)
    agenda_session = factories.BoardSessionFactory()
    plan(Kind.AGENDA_PUBLISHED, subject=agenda_session, recipient=manager)
    rows = Notification.objects.filter(user=manager).exclude(kind=Kind.ESCALATION)
    messages = {row.kind: build_message(row) for row in rows}
    due = messages[Kind.EVALUATION_DUE]
    assert due.subject == f"[CAF Loire] {submitted.title}"
    assert due.body.startswith(
        f"Évaluation à remettre le 30 juin 2027 : action « {submitted.title} »\n"
    )
    assert f"L'évaluation de l'action « {submitted.title} » (Gier-Ondaine-Pilat)" in due.body
    assert "mercredi 30 juin 2027" in due.body
    assert f"{settings.SITE_URL}/evaluations/{evaluation.pk}/" in due.body  # its staff page
    assert "/admin/" not in due.body
    agenda = messages[Kind.AGENDA_PUBLISHED]
    assert agenda.subject.startswith("Ordre du jour : Conseil d'administration, ")  # its date
    assert "In-Reply-To" not in agenda.extra_headers  # about no action: no thread
    assert f"{settings.SITE_URL}/conseil/{agenda_session.pk}/" in agenda.body
    assert "/admin/" not in "".join(m.body + m.alternatives[0].content for m in messages.values())
    for message in messages.values():
        assert message.alternatives[0].mimetype == "text/html"


def test_rendering_costs_two_queries_per_message(
    submitted, pilot, make_staff, django_assert_num_queries
):
    make_staff(StaffRole.TERRITORY_MANAGER)
    rows = claim(at(1), 100)  # as the sweep loads them: the invitation...
    answer(pilot, "request_changes", "Le budget ?")
    rows += claim(at(21), 100)  # ... the answers, the escalations
    assert {row.kind for row in rows} == {Kind.INVITATION, Kind.ANSWER_RECEIVED, Kind.ESCALATION}
    build_message(rows[0])  # warm the template cache
    for row in rows:  # what it needs, and what its recipient already received about the action
        with django_assert_num_queries(2):
            message = build_message(row)
        assert message.subject and message.body
    assert Notification.objects.filter(status=Status.CLAIMED).count() == len(rows)


def open_consultation(project, social_worker):
    action = factories.ActionFactory(
        project=project, social_worker=social_worker, consultation_deadline=DEADLINE
    )
    role = factories.RoleFactory(action=action)
    submit_action(action, actor=social_worker)
    role.refresh_from_db()
    return action, role


@pytest.mark.parametrize("actions", [1, 4])
def test_a_batch_of_e_mails_costs_the_same_few_queries_whatever_its_size(
    actions, monday, project, social_worker, manager, django_assert_num_queries
):
    consultations = [open_consultation(project, social_worker) for _ in range(actions)]
    for action, _role in consultations:
        evaluation = Evaluation.objects.create(action=action, due_date=datetime.date(2027, 6, 30))
        plan(Kind.EVALUATION_DUE, subject=evaluation, recipient=manager, action=action)
    rows = claim(at(1), 1000)
    answer(consultations[0][1], "request_changes", "Le budget ?")
    rows += claim(at(21), 1000)  # the answers, the reminders, the escalations
    by_kind = {row.kind: row for row in rows}
    assert {Kind.INVITATION, Kind.ANSWER_RECEIVED, Kind.ESCALATION} < set(by_kind)
    for row in by_kind.values():
        build_message(row)  # warm the template and content type caches
    # The roles (the subject roles and every role of the actions listing them), the
    # evaluations and their indicators, the threads (what each recipient already received
    # about each action): four queries for 1 action's e-mails as for 4's.
    with django_assert_num_queries(4):
        lookups = Lookups.for_rows(rows)
        messages = [build_message(row, lookups=lookups) for row in rows]
    assert len(messages) == len(rows) > 5 * actions
    assert len({m.extra_headers["Message-ID"] for m in messages}) == len(rows)


def test_an_e_mail_reads_back_as_it_was_built(submitted, pilot, manager):
    """Parsed by a mail client's rules, the e-mail has the subject, the addresses and the two
    bodies it was built with, and no line longer than RFC 5322 allows (998 characters).

    The subject is compared as a client shows it, without leading white space: Django 5.2
    writes with Python's compat32 policy, which may start a long encoded subject on the line
    after ``Subject:``."""
    pilot.contact.preferred_language = "en"
    pilot.contact.save()
    submitted.title = "Éveil musical des tout-petits à Saint-Julien"
    submitted.save()
    rows = Notification.objects.all()
    assert {row.kind for row in rows} >= {Kind.INVITATION, Kind.REMINDER}
    for row in rows:
        built = build_message(row)
        raw = built.message().as_bytes(linesep="\r\n")
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998
        parsed = message_from_bytes(raw, policy=default)
        assert parsed["Subject"].strip() == built.subject and not built.subject.isascii()
        assert parsed["From"] == settings.DEFAULT_FROM_EMAIL and parsed["To"] == row.email
        assert parsed["Message-ID"] == built.extra_headers["Message-ID"]
        for kind, sent in (("plain", built.body), ("html", built.alternatives[0][0])):
            received = parsed.get_body((kind,)).get_content().replace("\r\n", "\n")
            assert received == sent
