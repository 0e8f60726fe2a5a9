"""Business days in France: weekends and French public holidays are not worked."""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _french_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.France(years=year).keys())


def is_business_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _french_holidays(day.year)


def add_business_days(start: datetime.date, count: int) -> datetime.date:
    """The business day ``count`` business days after ``start`` (before it if negative)."""
    step = 1 if count >= 0 else -1
    day, remaining = start, abs(count)
    while remaining:
        day += datetime.timedelta(days=step)
        if is_business_day(day):
            remaining -= 1
    return day
