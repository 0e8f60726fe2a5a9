"""A whole consultation lived through with time-machine, the sweep run every 15 minutes as
beat would: exactly the planned e-mails go out, reminders and escalation on business days
(French public holidays skipped) in office hours, and answers cancel what became moot.

The consultation opens on Wednesday 29 April 2026 at 10:00; its default deadline is
10 business days later, skipping 1 May, 8 May and Ascension (14 May): Monday 18 May.
Reminders: 5 business days before (Thursday 7 May, 8 May being a holiday) and 1 before
(Friday 15 May, 14 May being a holiday), at 08:30. Escalation: Tuesday 19 May at 08:30.
"""

import datetime
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.actions.consultation import answer_role
from backend.actions.models import RoleKind
from backend.actions.transitions import submit_action
from notifications.delivery.sweep import sweep
from notifications.models import Kind, Notification, Status
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PARIS = ZoneInfo("Europe/Paris")
STEP = datetime.timedelta(minutes=15)


def at(day: str, time: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=PARIS)


OPENING = at("2026-04-29", "10:00")
A_ACCEPTS = at("2026-05-11", "14:00")
C_ACCEPTS = at("2026-05-12", "11:00")
END = at("2026-05-22", "18:00")
J5, J1, ESCALATION = at("2026-05-07", "08:30"), at("2026-05-15", "08:30"), at("2026-05-19", "08:30")


def test_a_whole_consultation_sends_exactly_the_planned_emails(
    project, organisation, social_worker, manager, mailoutbox
):
    staff = {social_worker.email, manager.email}
    with time_machine.travel(OPENING, tick=False) as traveller:
        # X: two partners, A answers after the first reminder, B never answers (escalation).
        # Y: one partner, C accepts: the consultation completes, nothing more is sent.
        x = factories.ActionFactory(
            project=project, social_worker=social_worker, consultation_deadline=None
        )
        a = factories.RoleFactory(action=x, organisation=organisation)
        b = factories.RoleFactory(action=x, kind=RoleKind.FUNDER)
        y = factories.ActionFactory(
            project=project, social_worker=social_worker, consultation_deadline=None
        )
        c = factories.RoleFactory(action=y)
        for action in (x, y):
            submit_action(action, actor=social_worker)
            action.refresh_from_db()
            assert action.consultation_deadline == datetime.date(2026, 5, 18)

        # What the opening planned: reminders and escalations are rows with a due time.
        reminders = Notification.objects.filter(kind=Kind.REMINDER)
        assert Counter(reminders.values_list("email", "due_at")) == Counter(
            (role.contact.email, due) for role in (a, b, c) for due in (J5, J1)
        )
        escalations = Notification.objects.filter(kind=Kind.ESCALATION)
        assert Counter(escalations.values_list("action_id", "email", "due_at")) == Counter(
            (action.pk, email, ESCALATION) for action in (x, y) for email in staff
        )

        events = {
            A_ACCEPTS: lambda: answer_role(a.pk, decision="accept", responder=a.contact),
            C_ACCEPTS: lambda: answer_role(c.pk, decision="accept", responder=c.contact),
        }
        moment = OPENING
        while moment <= END:
            traveller.move_to(moment)
            if moment in events:
                events.pop(moment)()
            sweep()
            moment += STEP
        assert not events

    sent = Notification.objects.filter(status=Status.SENT)
    got = Counter(
        (row.kind, row.action_id, row.email, row.sent_at.astimezone(PARIS)) for row in sent
    )
    expected = Counter(
        [(Kind.INVITATION, role.action_id, role.contact.email, OPENING) for role in (a, b, c)]
        + [(Kind.REMINDER, role.action_id, role.contact.email, J5) for role in (a, b, c)]
        + [(Kind.ANSWER_RECEIVED, x.pk, email, A_ACCEPTS) for email in staff]
        + [(Kind.ANSWER_RECEIVED, y.pk, email, C_ACCEPTS) for email in staff]
        + [(Kind.CONSULTATION_COMPLETE, y.pk, email, C_ACCEPTS) for email in staff]
        + [(Kind.REMINDER, x.pk, b.contact.email, J1)]
        + [(Kind.ESCALATION, x.pk, email, ESCALATION) for email in staff]
    )
    assert got == expected

    # Reminders and escalations: business days, office hours (the sweep after 08:30).
    for row in sent.filter(kind__in=[Kind.REMINDER, Kind.ESCALATION]):
        local = row.sent_at.astimezone(PARIS)
        assert local.weekday() < 5
        assert local.date() not in {datetime.date(2026, 5, d) for d in (1, 8, 14)}
        assert datetime.time(8, 30) <= local.time() < datetime.time(18, 0)

    # What became moot was cancelled, not sent: A's and C's last reminder, Y's escalation.
    cancelled = Counter(
        Notification.objects.filter(status=Status.CANCELLED).values_list("kind", "email")
    )
    assert cancelled == Counter(
        [(Kind.REMINDER, a.contact.email), (Kind.REMINDER, c.contact.email)]
        + [(Kind.ESCALATION, email) for email in staff]
    )
    assert not Notification.objects.exclude(status__in=[Status.SENT, Status.CANCELLED]).exists()

    # The e-mails themselves: one per sent row, to the row's address, none twice.
    assert len(mailoutbox) == sent.count() == 15
    assert Counter(message.to[0] for message in mailoutbox) == Counter(
        sent.values_list("email", flat=True)
    )
    assert len({message.extra_headers["Message-ID"] for message in mailoutbox}) == 15
