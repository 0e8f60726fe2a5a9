"""Notification rows follow the workflow; the sweep sends each one once."""

import datetime
import io
import socket
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from backend.accounts.models import StaffRole
from backend.actions.transitions import revise_action, submit_action
from notifications.delivery.sweep import CLAIM_TIMEOUT, sweep
from notifications.models import Kind, Notification, ReminderPolicy, Status
from notifications.planning import schedule
from notifications.planning.preferences import deliveries_for, set_preference

pytestmark = pytest.mark.django_db
PARIS = timezone.get_fixed_timezone(60)  # Europe/Paris in winter


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def submitted(action, pilot, social_worker, manager):
    action.social_worker = social_worker
    action.consultation_deadline = datetime.date(2026, 12, 18)  # a Friday
    action.save()
    submit_action(action, actor=social_worker)
    return action


def rows(**filters):
    return Notification.objects.filter(**filters).order_by("due_at", "kind", "email")


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 30, 10, 0, tzinfo=PARIS), tick=False)


def test_submit_plans_invitation_reminders_and_escalation(submitted, pilot, social_worker, manager):
    invitation = rows(kind=Kind.INVITATION).get()
    assert invitation.contact == pilot.contact and invitation.email == pilot.contact.email
    reminders = [timezone.localtime(r.due_at) for r in rows(kind=Kind.REMINDER)]
    # 5 and 1 business days before Friday 18 December, at 08:30
    assert [(d.date().isoformat(), d.time().isoformat()) for d in reminders] == [
        ("2026-12-11", "08:30:00"),
        ("2026-12-17", "08:30:00"),
    ]
    escalations = rows(kind=Kind.ESCALATION)
    assert {r.user for r in escalations} == {social_worker, manager}
    assert {timezone.localtime(r.due_at).date().isoformat() for r in escalations} == {"2026-12-21"}


def _submit_by_friday_18(action, social_worker):
    action.social_worker = social_worker
    action.consultation_deadline = datetime.date(2026, 12, 18)
    action.save()
    submit_action(action, actor=social_worker)


def _reminder_days() -> list[str]:
    return [timezone.localtime(r.due_at).date().isoformat() for r in rows(kind=Kind.REMINDER)]


def test_a_policy_saved_by_the_staff_applies_to_the_next_submit(action, pilot, social_worker):
    schedule.policy(ReminderPolicy.CONSULTATION)  # read by an earlier transition
    saved = ReminderPolicy.objects.get(name=ReminderPolicy.CONSULTATION)
    saved.reminder_offsets = [3]
    saved.send_from = datetime.time(9, 0)
    saved.save()
    _submit_by_friday_18(action, social_worker)
    # 3 business days before Friday 18 December, at 09:00
    [reminder] = rows(kind=Kind.REMINDER)
    assert timezone.localtime(reminder.due_at).isoformat() == "2026-12-15T09:00:00+01:00"


def test_a_policy_changed_by_another_process_applies_to_the_next_submit(
    action, pilot, social_worker
):
    schedule.policy(ReminderPolicy.CONSULTATION)
    # another process saves it (no signal, no message reaches this one)
    ReminderPolicy.objects.filter(name=ReminderPolicy.CONSULTATION).update(reminder_offsets=[3])
    _submit_by_friday_18(action, social_worker)
    assert _reminder_days() == ["2026-12-15"]


def test_staff_of_other_territories_are_not_notified(submitted, make_staff, other_territory):
    outsider = make_staff(StaffRole.TERRITORY_MANAGER, territories=[other_territory])
    assert not rows(user=outsider).exists()


def test_an_answer_cancels_the_reminders_and_tells_the_staff(api, submitted, pilot, manager):
    from backend.actions.links import token_for

    pilot.refresh_from_db()
    api.post(
        f"/api/v1/respond/{token_for(pilot)}/", {"decision": "request_changes", "comment": "?"}
    )
    assert set(rows(kind=Kind.REMINDER).values_list("status", flat=True)) == {Status.CANCELLED}
    assert rows(kind=Kind.ANSWER_RECEIVED, user=manager).count() == 1
    assert rows(kind=Kind.ESCALATION, status=Status.PLANNED).count() == 2  # still pending


def test_the_last_acceptance_cancels_the_escalation(api, submitted, pilot, social_worker):
    from backend.actions.links import token_for

    pilot.refresh_from_db()
    api.post(f"/api/v1/respond/{token_for(pilot)}/", {"decision": "accept"})
    submitted.refresh_from_db()
    assert submitted.state == "ready_for_board"
    assert set(rows(kind=Kind.ESCALATION).values_list("status", flat=True)) == {Status.CANCELLED}
    assert rows(kind=Kind.CONSULTATION_COMPLETE, user=social_worker).count() == 1


def test_revise_cancels_everything_planned(submitted, social_worker, pilot):
    revise_action(submitted, actor=social_worker)
    # only the partner's notice that the consultation is suspended is left to send
    [left] = rows(status=Status.PLANNED)
    assert (left.kind, left.contact_id) == (Kind.CONSULTATION_REVISED, pilot.contact_id)


def test_resubmitting_plans_a_new_invitation_not_a_copy(submitted, social_worker, pilot):
    revise_action(submitted, actor=social_worker)
    submit_action(submitted, actor=social_worker)
    invitations = rows(kind=Kind.INVITATION)
    assert invitations.count() == 2
    assert sorted(invitations.values_list("status", flat=True)) == [
        Status.CANCELLED,
        Status.PLANNED,
    ]


def test_the_sweep_sends_what_is_due_once(submitted):
    report = sweep()
    assert report.sent == 1 and len(mail.outbox) == 1
    sent = rows(kind=Kind.INVITATION).get()
    assert sent.status == Status.SENT and sent.sent_at and sent.message_id
    assert sweep().sent == 0 and len(mail.outbox) == 1
    assert rows(kind=Kind.REMINDER, status=Status.PLANNED).count() == 2  # not due yet


def test_dispatch_due_with_now_sends_the_reminders_that_fell_due(submitted):
    out = io.StringIO()
    call_command("dispatch_due", "--now", "2026-12-11T08:31:00+01:00", stdout=out)
    assert "envoyées : 2" in out.getvalue()  # the invitation and the first reminder
    assert rows(kind=Kind.REMINDER, status=Status.SENT).count() == 1


def test_dispatch_due_rejects_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("dispatch_due", "--now", "demain")


def test_smtp_down_means_retry_later_not_lost(submitted, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    report = sweep()
    assert (report.sent, report.retried) == (0, 1)
    row = rows(kind=Kind.INVITATION).get()
    assert row.status == Status.PLANNED and row.attempts == 1 and row.last_error
    assert row.due_at > timezone.now()  # backed off


def test_a_claim_never_confirmed_is_surfaced_not_resent(submitted):
    row = rows(kind=Kind.INVITATION).get()
    claimed_at = timezone.now() - CLAIM_TIMEOUT - datetime.timedelta(minutes=1)
    Notification.objects.filter(pk=row.pk).update(status=Status.CLAIMED, claimed_at=claimed_at)
    report = sweep()
    row.refresh_from_db()
    assert report.unconfirmed == 1 and report.sent == 0
    assert row.status == Status.UNCONFIRMED and "confirmé" in row.last_error
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_another_sweep_is_skipped(action, pilot, social_worker):
    submit_action(action, actor=social_worker)
    row = rows(kind=Kind.INVITATION).get()
    locked, release = threading.Event(), threading.Event()

    def other_sweep():
        with transaction.atomic():
            Notification.objects.select_for_update().get(pk=row.pk)
            locked.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=other_sweep)
    holder.start()
    locked.wait(10)
    try:
        assert sweep().sent == 0  # skipped, not waited for
    finally:
        release.set()
        holder.join()
    assert sweep().sent == 1


def test_optional_kinds_follow_preferences(api, submitted, pilot, manager, social_worker):
    from backend.actions.links import token_for

    set_preference(user=manager, kind=Kind.ANSWER_RECEIVED, delivery="none")
    set_preference(user=social_worker, kind=Kind.ANSWER_RECEIVED, delivery="digest")
    pilot.refresh_from_db()
    api.post(f"/api/v1/respond/{token_for(pilot)}/", {"decision": "decline", "comment": "Non"})
    sweep()
    assert rows(kind=Kind.ANSWER_RECEIVED, user=manager).get().status == Status.SKIPPED
    assert rows(kind=Kind.ANSWER_RECEIVED, user=social_worker).get().status == Status.IN_DIGEST


def test_preferences_are_read_once_for_a_whole_batch(
    api, submitted, pilot, manager, social_worker, django_assert_num_queries
):
    from backend.actions.links import token_for

    set_preference(user=manager, kind=Kind.ANSWER_RECEIVED, delivery="none")
    pilot.refresh_from_db()
    answer = {"decision": "decline", "comment": "Non"}
    answered = api.post(f"/api/v1/respond/{token_for(pilot)}/", answer)
    assert answered.status_code == 200
    batch = list(rows(status=Status.PLANNED))
    assert len({row.kind for row in batch}) > 1 and len({row.email for row in batch}) > 1
    with django_assert_num_queries(1):
        deliveries = deliveries_for(batch)
    by_row = {(row.kind, row.user_id): deliveries[row.pk] for row in batch}
    assert by_row[(Kind.ANSWER_RECEIVED, manager.pk)] == "none"
    assert by_row[(Kind.ANSWER_RECEIVED, social_worker.pk)] == "immediate"
    assert by_row[(Kind.ESCALATION, manager.pk)] == "immediate"  # a deadline: always sent


def test_deadline_kinds_cannot_be_turned_off(manager):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        set_preference(user=manager, kind=Kind.ESCALATION, delivery="none")


def test_the_action_lists_its_reminders(api, submitted, social_worker):
    response = api.as_user(social_worker).get(f"/api/v1/actions/{submitted.pk}/reminders/")
    assert response.status_code == 200
    kinds = sorted(r["kind"] for r in response.data)
    assert kinds == ["escalation", "escalation", "invitation", "reminder", "reminder"]
    assert {"kind", "recipient", "due_at", "status"} <= set(response.data[0])


def test_my_notifications_and_mark_read(api, submitted, manager, social_worker):
    client = api.as_user(manager)
    mine = client.get("/api/v1/notifications/").data["results"]
    assert [n["kind"] for n in mine] == ["escalation"]
    read = client.post(f"/api/v1/notifications/{mine[0]['id']}/read/")
    assert read.status_code == 200 and read.data["read_at"]
    others = rows(user=social_worker).first()
    assert client.post(f"/api/v1/notifications/{others.pk}/read/").status_code == 404


def test_planning_twice_makes_no_copy(submitted, pilot):
    from notifications.planning.rows import plan

    pilot.refresh_from_db()
    before = Notification.objects.count()
    plan(Kind.INVITATION, subject=pilot, recipient=pilot.contact, round=pilot.link_nonce[:12])
    assert Notification.objects.count() == before


def test_moving_the_deadline_moves_the_reminders(api, submitted, social_worker):
    response = api.as_user(social_worker).patch(
        f"/api/v1/actions/{submitted.pk}/", {"consultation_deadline": "2027-01-15"}
    )
    assert response.status_code == 200, response.data
    planned = rows(status=Status.PLANNED, kind__in=[Kind.REMINDER, Kind.ESCALATION])
    days = sorted({timezone.localtime(r.due_at).date().isoformat() for r in planned})
    assert days == ["2027-01-08", "2027-01-14", "2027-01-18"]
    assert rows(status=Status.CANCELLED).count() == 4  # the old two reminders, two escalations


@pytest.mark.parametrize("roles", [2, 12])
def test_a_sweep_costs_the_same_queries_for_2_or_12_e_mails(
    roles, project, social_worker, django_assert_num_queries
):
    """Claimed in one statement, what the e-mails need read once for the batch, marked in one
    statement: the cost follows the batches, not the e-mails."""
    from tests import factories

    action = factories.ActionFactory(project=project, social_worker=social_worker)
    for index in range(roles):
        factories.RoleFactory(action=action, kind="pilot" if index == 0 else "contributor")
    submit_action(action, actor=social_worker)
    # the unconfirmed claims, the claim (savepoint, synchronous commit, UPDATE … RETURNING,
    # release), the contacts, the actions, the roles, the threads (what each recipient
    # already received about the action), the marks, the synchronous commit twice
    with django_assert_num_queries(12):
        report = sweep()
    assert report.sent == roles == len(mail.outbox)
    assert rows(kind=Kind.INVITATION, status=Status.SENT).count() == roles
