"""When notifications fall due: business days (French public holidays), office hours."""

import datetime

from django.utils import timezone

from backend.core.business_days import add_business_days, is_business_day
from notifications.models import ReminderPolicy

DEFAULTS = {
    ReminderPolicy.CONSULTATION: {
        "reminder_offsets": [5, 1],
        "business_days": True,
        "escalation_offset": 1,
    },
    ReminderPolicy.EVALUATION: {
        "reminder_offsets": [30, 7],
        "business_days": False,
        "escalation_offset": 1,
    },
    # Members who have not said whether they attend: one reminder 3 business days before.
    ReminderPolicy.BOARD_SESSION: {
        "reminder_offsets": [3],
        "business_days": True,
        "escalation_offset": None,
    },
}


def policy(name: str) -> ReminderPolicy:
    """The rule for this kind of deadline (the defaults when none is saved), as saved now. A
    service planning for several roles reads it once and hands it to each."""
    found = ReminderPolicy.objects.filter(name=name).first()
    return found or ReminderPolicy(name=name, **DEFAULTS[name])


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _as_time(value) -> datetime.time:
    return value if isinstance(value, datetime.time) else datetime.time.fromisoformat(str(value))


def in_office_hours(moment: datetime.datetime, rule: ReminderPolicy) -> datetime.datetime:
    """``moment`` if it is within office hours on a business day, else the next opening."""
    local = timezone.localtime(moment)
    start, end = _as_time(rule.send_from), _as_time(rule.send_until)
    day = local.date()
    if is_business_day(day) and start <= local.time() < end:
        return moment
    if is_business_day(day) and local.time() < start:
        return _at(day, start)
    return _at(add_business_days(day, 1), start)


def reminder_times(
    deadline: datetime.date, rule: ReminderPolicy
) -> list[tuple[int, datetime.datetime]]:
    """(offset, due time) of each reminder before ``deadline``."""
    times = []
    for offset in rule.reminder_offsets:
        if rule.business_days:
            day = add_business_days(deadline, -int(offset))
        else:
            day = deadline - datetime.timedelta(days=int(offset))
            while not is_business_day(day):  # never later than planned: the business day before
                day -= datetime.timedelta(days=1)
        times.append((int(offset), _at(day, _as_time(rule.send_from))))
    return times


def escalation_time(deadline: datetime.date, rule: ReminderPolicy) -> datetime.datetime | None:
    if rule.escalation_offset is None:
        return None
    day = add_business_days(deadline, rule.escalation_offset)
    return _at(day, _as_time(rule.send_from))
