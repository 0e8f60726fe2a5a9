"""The reminders sent before a partner's answer, counted on its role as they leave
(``RoleAssignment.reminders_before_answer``, read by the partners' figures): the sweep counts
each reminder it marks sent, not one sent after the answer, not one cancelled or failed; the
count written from the sent reminders (the data migration's) equals the sweep's."""

import datetime
import importlib
import types

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from backend.actions.consultation import answer_role
from backend.actions.models import RoleAssignment
from backend.actions.reminder_counts import recount_all
from backend.actions.transitions import submit_action
from notifications.delivery.sweep import sweep
from notifications.models import Kind, Notification, Status
from tests import factories

pytestmark = pytest.mark.django_db
PARIS = timezone.get_fixed_timezone(60)  # Europe/Paris in winter
MIGRATION = importlib.import_module("backend.actions.migrations.0008_role_reminders_before_answer")


def _on(time_machine, day: int, hour: int = 9) -> None:
    time_machine.move_to(datetime.datetime(2026, 12, day, hour, 0, tzinfo=PARIS), tick=False)


@pytest.fixture
def consultation(time_machine, action, pilot, social_worker, settings):
    """The action submitted on Monday 30 November, answers due by Friday 18 December: the
    reminders go out on 11 and 17 December at 08:30; a second partner, a funder."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(datetime.datetime(2026, 11, 30, 10, 0, tzinfo=PARIS), tick=False)
    funder = factories.RoleFactory(
        action=action,
        kind="funder",
        contact=factories.ContactFactory(),
    )
    funder.organisation = funder.contact.organisation
    funder.save()
    action.social_worker = social_worker
    action.consultation_deadline = datetime.date(2026, 12, 18)
    action.save()
    submit_action(action, actor=social_worker)
    return types.SimpleNamespace(pilot=pilot, funder=funder)


def _counts(*roles) -> list[int]:
    return [RoleAssignment.objects.get(pk=role.pk).reminders_before_answer for role in roles]


def _sent(*roles) -> list[int]:
    sent = Notification.objects.filter(kind=Kind.REMINDER, status=Status.SENT)
    return [sent.filter(subject_id=role.pk).count() for role in roles]


def test_the_count_follows_the_reminders_sent(time_machine, consultation):
    pilot, funder = consultation.pilot, consultation.funder
    sweep()  # the invitations: no reminder yet
    assert _counts(pilot, funder) == [0, 0]
    _on(time_machine, 11)
    assert sweep().sent == 2  # the first reminders
    assert _counts(pilot, funder) == [1, 1]
    _on(time_machine, 14)
    answer_role(pilot.pk, decision="accept", responder=pilot.contact)  # cancels its next one
    _on(time_machine, 17)
    sweep()  # the funder's second reminder (and the staff told of the answer)
    assert _sent(pilot, funder) == [1, 2]
    assert _counts(pilot, funder) == [1, 2]
    # A reminder that leaves after the answer (claimed before it, sent after): not counted.
    Notification.objects.filter(
        subject_id=pilot.pk, kind=Kind.REMINDER, status=Status.CANCELLED
    ).update(status=Status.PLANNED)
    assert sweep().sent == 1
    assert _sent(pilot, funder) == [2, 2]
    assert _counts(pilot, funder) == [1, 2]
    # A reminder that failed is not counted either.
    Notification.objects.filter(subject_id=funder.pk, kind=Kind.REMINDER).update(
        status=Status.FAILED
    )
    assert _counts(pilot, funder) == [1, 2]


def test_the_partners_figures_read_the_count(api, time_machine, consultation, manager):
    pilot = consultation.pilot
    _on(time_machine, 11)
    sweep()
    _on(time_machine, 14)
    answer_role(pilot.pk, decision="accept", responder=pilot.contact)
    rows = api.as_user(manager).get("/api/v1/analytics/partners/").json()
    figures = {row["organisation"]: row["reminders_before_answer"] for row in rows}
    # The funder has had one too, but has not answered: its reminder counts once it does.
    assert figures == {pilot.organisation_id: 1, consultation.funder.organisation_id: 0}


def _from_the_reminders() -> dict[int, int]:
    """Each role's sent reminders before its answer (or so far), counted in Python."""
    counts = {}
    for role in RoleAssignment.objects.all():
        sent = Notification.objects.filter(
            subject_id=role.pk, kind=Kind.REMINDER, status=Status.SENT
        ).exclude(subject_type__model="action")
        if role.responded_at is not None:
            sent = sent.filter(sent_at__lte=role.responded_at)
        counts[role.pk] = sent.count()
    return counts


def test_the_count_written_from_the_reminders_equals_the_sweeps(time_machine, consultation):
    pilot = consultation.pilot
    _on(time_machine, 11)
    sweep()
    _on(time_machine, 14)
    answer_role(pilot.pk, decision="accept", responder=pilot.contact)
    _on(time_machine, 17)
    sweep()
    kept = dict(RoleAssignment.objects.values_list("pk", "reminders_before_answer"))
    assert kept == _from_the_reminders()
    assert kept == {pilot.pk: 1, consultation.funder.pk: 2}
    # The data migration's count, from nothing (and over a wrong count): the same.
    RoleAssignment.objects.update(reminders_before_answer=0)
    MIGRATION.count_the_sent_reminders(apps, types.SimpleNamespace(connection=connection))
    assert dict(RoleAssignment.objects.values_list("pk", "reminders_before_answer")) == kept
    RoleAssignment.objects.update(reminders_before_answer=5)
    assert recount_all() == 2
    assert dict(RoleAssignment.objects.values_list("pk", "reminders_before_answer")) == kept
