"""What tells one notice from another is fields (the invitation round, the partner's answer,
the days before the deadline, the decision's number, the date), and the database refuses a
second copy of a notice whether it has a date or not. Rows written with the old ``stage``
string are converted by the migration, and back."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from backend.actions.consultation import answer_role
from notifications.models import Kind, Notification
from tests.notifications import DEADLINE

pytestmark = pytest.mark.django_db


def test_each_notice_of_a_consultation_says_its_occasion_in_fields(submitted, pilot, manager):
    round_ = pilot.link_nonce[:12]
    invitation = Notification.objects.get(kind=Kind.INVITATION)
    assert (invitation.round, invitation.date) == (round_, None)
    reminders = Notification.objects.filter(kind=Kind.REMINDER)
    assert {(r.round, r.days_before, r.date) for r in reminders} == {
        (round_, 5, DEADLINE),
        (round_, 1, DEADLINE),
    }
    assert {r.date for r in Notification.objects.filter(kind=Kind.ESCALATION)} == {DEADLINE}

    answer_role(pilot.pk, decision="decline", responder=pilot.contact, comment="Pas cette année.")
    answer = Notification.objects.get(kind=Kind.ANSWER_RECEIVED, user=manager)
    assert (answer.answer, answer.round, answer.date) == ("declined", round_, None)


@pytest.mark.parametrize("kind", [Kind.INVITATION, Kind.REMINDER])  # without, with a date
def test_the_database_refuses_a_second_copy_of_a_notice(submitted, kind):
    row = Notification.objects.filter(kind=kind).first()
    row.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save(force_insert=True)
    row.days_before += 2  # another occasion: another notice
    with transaction.atomic():
        row.save(force_insert=True)
    assert Notification.objects.filter(kind=kind).count() == (2 if kind == Kind.INVITATION else 3)


OLD_STAGES = {
    ("invitation", "abcdef123456"): {"round": "abcdef123456"},
    ("reminder", "abcdef123456:j-5:2026-12-18"): {
        "round": "abcdef123456",
        "days_before": 5,
        "date": DEADLINE,
    },
    ("escalation", "2026-12-18"): {"date": DEADLINE},
    ("answer_received", "changes_requested:abcdef123456"): {
        "answer": "changes_requested",
        "round": "abcdef123456",
    },
    ("consultation_complete", ""): {},
    ("board_decision", "decision-2"): {"decision_number": 2},
    ("evaluation_due", "j-30:2027-06-01"): {"days_before": 30, "date": datetime.date(2027, 6, 1)},
    ("evaluation_overdue", "2027-06-01"): {"date": datetime.date(2027, 6, 1)},
    ("digest", "2026-12-01"): {"date": datetime.date(2026, 12, 1)},
}
BEFORE = [("notifications", "0002_default_reminder_policies")]
AFTER = [("notifications", "0004_notification_key_without_stage")]
EMPTY = {"round": "", "answer": "", "days_before": 0, "decision_number": 0, "date": None}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_stages_into_fields_and_back(manager):
    apps = _migrate(BEFORE)
    try:
        Old = apps.get_model("notifications", "Notification")
        subject = apps.get_model("contenttypes", "ContentType").objects.get(
            app_label="accounts", model="user"
        )
        common = {
            "subject_type": subject,
            "subject_id": manager.pk,
            "user_id": manager.pk,
            "recipient_key": f"user:{manager.pk}",
            "email": manager.email,
            "due_at": datetime.datetime(2026, 12, 1, 8, 30, tzinfo=datetime.UTC),
        }
        for kind, stage in OLD_STAGES:
            Old.objects.create(kind=kind, stage=stage, **common)

        New = _migrate(AFTER).get_model("notifications", "Notification")
        converted = {
            row.kind: {name: getattr(row, name) for name in EMPTY} for row in New.objects.all()
        }
        assert converted == {kind: {**EMPTY, **fields} for (kind, _), fields in OLD_STAGES.items()}

        Old = _migrate(BEFORE).get_model("notifications", "Notification")
        assert set(Old.objects.values_list("kind", "stage")) == set(OLD_STAGES)
    finally:  # back to the latest state, whatever migrations came after this one (of any app:
        # going back unapplied those that depend on a later notifications migration too)
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
