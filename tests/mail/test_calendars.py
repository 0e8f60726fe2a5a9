"""Every calendar of the story, as the recipient's calendar reads it: each version of each
session (the agenda's invitation, the convocation and its reminder, the move, the cancellation)
parsed by two independent parsers (icalendar and vobject, which must agree), and matching the
session as it was when the e-mail left."""

from collections import defaultdict

import pytest

from notifications.models import Kind
from tests.notifications.test_session_calendar import calendar_of

pytestmark = pytest.mark.django_db

WITH_A_CALENDAR = {
    Kind.AGENDA_PUBLISHED,
    Kind.CONVOCATION,
    Kind.ATTENDANCE_REMINDER,
    Kind.SESSION_MOVED,
    Kind.SESSION_CANCELLED,
}


def calendars(story):
    return [
        (received, calendar_of(received.message))
        for received in story.received
        if received.kind in WITH_A_CALENDAR
    ]


def test_every_session_e_mail_carries_its_calendar_read_alike_by_two_parsers(story):
    found = calendars(story)
    assert {received.kind for received, _ in found} == WITH_A_CALENDAR
    for received, calendar in found:
        session = received.subject  # as it was when the e-mail left
        where = f"{received.kind} to {received.to}"
        assert calendar["start"] == session.date, where
        assert calendar["location"] == session.location, where
        cancelled = received.kind == Kind.SESSION_CANCELLED
        assert calendar["status"] == ("CANCELLED" if cancelled else "CONFIRMED"), where
        convened = received.contact is not None and received.contact in session.members.all()
        if convened:  # an attendee: the invitation names them, the cancellation removes it
            assert calendar["method"] == ("CANCEL" if cancelled else "REQUEST"), where
            assert f"mailto:{received.contact.email}" in calendar["attendees"], where
        else:  # informed: the event is published in their calendar
            assert calendar["method"] == "PUBLISH", where


def test_each_recipient_s_calendar_follows_each_session_version_after_version(story):
    versions = defaultdict(list)
    for received, calendar in calendars(story):
        versions[(received.to, calendar["uid"])].append((received.kind, calendar))
    assert len({uid for _, uid in versions}) == 2  # one event per session, whoever reads it
    moved = 0
    for (to, _uid), seen in versions.items():
        sequences = [calendar["sequence"] for _, calendar in seen]
        assert sequences == sorted(sequences), to  # never an older version after a newer
        kinds = [kind for kind, _ in seen]
        if Kind.SESSION_MOVED in kinds:
            moved += 1
            before = seen[kinds.index(Kind.SESSION_MOVED) - 1][1]
            after = seen[kinds.index(Kind.SESSION_MOVED)][1]
            assert after["sequence"] > before["sequence"], to  # the calendar takes the move
            assert after["start"] != before["start"], to
    assert moved >= 5
