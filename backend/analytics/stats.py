"""The statistics the analytics share: days between two instants, and the continuous
percentile (PostgreSQL's ``percentile_cont``, or the same computed in Python elsewhere)."""

import math
from collections.abc import Iterable

from django.db import connection
from django.db.models import Aggregate, FloatField, Func

PERCENTILES = (("median_days", 0.5), ("p90_days", 0.9))


def in_database() -> bool:
    """Whether the database computes percentiles itself (PostgreSQL)."""
    return connection.vendor == "postgresql"


class DaysBetween(Func):
    """``later - earlier`` in days (a fraction): PostgreSQL and SQLite."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        later, earlier = (compiler.compile(expression) for expression in self.source_expressions)
        # date_part gives a float (EXTRACT a numeric: slower to sum and to sort).
        return (
            f"(date_part('epoch', {later[0]} - {earlier[0]}) / 86400.0)",
            (*later[1], *earlier[1]),
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        later, earlier = (compiler.compile(expression) for expression in self.source_expressions)
        return f"(julianday({later[0]}) - julianday({earlier[0]}))", (*later[1], *earlier[1])


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(f) WITHIN GROUP (ORDER BY x)``
    (Django and django.contrib.postgres have none); a FILTER clause works as for any
    aggregate. PostgreSQL only: elsewhere use ``percentile`` on the values."""

    function = "percentile_cont"
    name = "PercentileCont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile is a fraction between 0 and 1.")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def percentile(values: Iterable[float], fraction: float) -> float | None:
    """``percentile_cont`` in Python: linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    lower, upper = math.floor(position), math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def percentile_annotations(value, **extra) -> dict:
    """The median and p90 of ``value`` as annotations, on PostgreSQL; nothing elsewhere (the
    caller then reads the values and calls ``fill_percentiles``)."""
    if not in_database():
        return {}
    return {name: PercentileCont(value, fraction, **extra) for name, fraction in PERCENTILES}


def fill_percentiles(rows: list[dict], key, pairs: Iterable[tuple]) -> None:
    """Elsewhere than PostgreSQL: each row's median and p90 from the (group, value) pairs;
    ``key(row)`` is the row's group."""
    groups: dict = {}
    for group, value in pairs:
        if value is not None:
            groups.setdefault(group, []).append(float(value))
    for row in rows:
        values = groups.get(key(row), [])
        for name, fraction in PERCENTILES:
            row[name] = percentile(values, fraction)


def rounded(days: float | None) -> float | None:
    return None if days is None else round(days, 1)
