"""Board and evaluation notices: the agenda with its iCalendar invitation, decisions, and the
evaluation reminders."""

import datetime

import icalendar
import pytest
from django.utils import timezone

from backend.actions.models import Action
from backend.actions.transitions import approve_action, schedule_action
from backend.board.models import BoardSession
from backend.board.transitions import hold_session, publish_agenda
from backend.partners.models import ContactCategory
from notifications.delivery.sweep import sweep
from notifications.models import Kind, Notification, Status
from tests import factories

pytestmark = pytest.mark.django_db
PARIS = timezone.get_fixed_timezone(60)
SESSION_AT = datetime.datetime(2027, 1, 14, 14, 0, tzinfo=PARIS)


@pytest.fixture
def scheduled(time_machine, project, pilot, manager, secretary, social_worker):
    time_machine.move_to(datetime.datetime(2026, 12, 14, 10, 0, tzinfo=PARIS), tick=False)
    board = factories.OrganisationFactory(name="Conseil d'administration", kind="caf")
    member = factories.ContactFactory(
        organisation=board, category=ContactCategory.OTHER, email="administratrice@example.org"
    )
    session = BoardSession.objects.create(date=SESSION_AT, title="Conseil de janvier")
    session.members.add(member)
    action = pilot.action
    Action.objects.filter(pk=action.pk).update(state="ready_for_board", social_worker=social_worker)
    pilot.invite()
    pilot.accept()
    pilot.save()
    action.refresh_from_db()
    schedule_action(action, actor=manager, board_session=session)
    return session, action, member


def test_the_published_agenda_carries_an_icalendar_invitation(smtp, scheduled, secretary, pilot):
    session, action, member = scheduled
    publish_agenda(session, actor=secretary)
    assert sweep().sent >= 3
    to_member = smtp.to(member.email)
    assert len(to_member) == 1
    [attachment] = [part for part in to_member[0].iter_attachments()]
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"  # an invitation calendars can accept
    content = attachment.get_content()
    assert content.count("\r\n") == content.count("\n")  # RFC 5545: every line ends CRLF
    calendar = icalendar.Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == SESSION_AT
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Paris"
    assert action.title in str(event["DESCRIPTION"])
    assert smtp.to(pilot.contact.email), "the action's partner is told too"
    assert sweep().sent == 0  # once only


def test_a_decision_tells_staff_and_partners(scheduled, secretary, pilot, manager, time_machine):
    session, action, _member = scheduled
    publish_agenda(session, actor=secretary)
    time_machine.move_to(SESSION_AT, tick=False)
    hold_session(session, actor=secretary)
    approve_action(action, actor=secretary, comment="2027-001")
    decided = Notification.objects.filter(kind=Kind.BOARD_DECISION, action=action)
    assert {row.contact_id for row in decided if row.contact_id} == {pilot.contact_id}
    assert manager.pk in {row.user_id for row in decided}


def test_approval_plans_the_evaluation_reminders(scheduled, secretary, social_worker, time_machine):
    session, action, _member = scheduled
    Action.objects.filter(pk=action.pk).update(planned_end=datetime.date(2027, 6, 30))
    action.refresh_from_db()
    publish_agenda(session, actor=secretary)
    time_machine.move_to(SESSION_AT, tick=False)
    hold_session(session, actor=secretary)
    approve_action(action, actor=secretary)
    rows = Notification.objects.filter(user=social_worker, kind__startswith="evaluation")
    days = sorted((row.kind, timezone.localtime(row.due_at).date().isoformat()) for row in rows)
    # due 30 July 2027: 30 and 7 days before (a business day at the latest), the day after
    assert days == [
        ("evaluation_due", "2027-06-30"),
        ("evaluation_due", "2027-07-23"),
        ("evaluation_overdue", "2027-08-02"),
    ]
    assert {row.status for row in rows} == {Status.PLANNED}
