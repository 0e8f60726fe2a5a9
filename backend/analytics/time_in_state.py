"""Time in each state: for every state where actions wait (consultation, ready for the board,
scheduled, in progress, evaluation), how many actions went through it and the median and 90th
percentile of the days they spent there; how many sit in it now, and which of them for longer
than that state's 90th percentile (flagged).

A *passage* is an action's stay in a state: from the transition that brought it there to
its next transition that changed its state (rows of the log that change no state, such as a
link read, end no passage). The engine keeps them beside the log (``workflows.StateStay``,
one row per passage, written in the transition's transaction; the data migration filled
them from the log). An action's days in a state are the sum of its finished passages (a
deferred action passes twice through « ready for the board »); the statistics are over the
actions with at least one finished passage. An action in a state now is flagged when its
current passage has lasted longer than the state's 90th percentile.

One SQL statement gives the figures and the flagged actions (the finished passages summed
per action and state, then ``percentile_cont``), one more query the flagged actions' titles:
Django's ORM cannot aggregate over an aggregate (the percentiles of per-action sums), so the
statement is written here, with the scope's condition and every value as parameters.
"""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from backend.actions.models import Action, ActionState
from backend.analytics.scope import Scope
from backend.analytics.stats import in_database, percentile, rounded
from workflows.models import StateStay

S = ActionState
WAITING_STATES = (S.CONSULTATION, S.READY_FOR_BOARD, S.SCHEDULED, S.IN_PROGRESS, S.EVALUATION)


@dataclass
class StateFigures:
    state: str
    label: str
    actions: int = 0  # actions with a finished passage in the state
    median_days: float | None = None
    p90_days: float | None = None
    now: int = 0  # actions in the state now
    over_p90: int = 0  # of those, sitting there longer than p90_days (flagged)


@dataclass
class Flagged:
    action: Action
    state: str
    label: str
    since: object  # the instant the action entered the state
    days: float
    p90_days: float


def _passages_sql(scope: Scope) -> tuple[str, list]:
    """The CTEs ``finished`` (per action of the scope and waiting state, the days of its
    finished passages) and ``current`` (the passages under way in a waiting state, with
    their days so far), read from the actions' passages (``workflows.StateStay``)."""
    condition, params = scope.sql()
    stays = StateStay._meta.db_table
    actions = Action._meta.db_table
    if connection.vendor == "postgresql":  # date_part: a float (EXTRACT gives a numeric)
        days = "date_part('epoch', {later} - {earlier}) / 86400.0"
    else:
        days = "(julianday({later}) - julianday({earlier}))"
    states = ", ".join(["%s"] * len(WAITING_STATES))
    # Every action of every territory (a director, no filter): the passages alone.
    joins = "" if not params else f"JOIN {actions} a ON a.id = s.subject_id"
    # The scope's passages, read twice: the finished ones, then those under way (each
    # through its own partial index; a shared CTE would be materialised: a full scan).
    passages = f"""
        FROM {stays} s
        {joins}
        WHERE s.subject_type_id = %s AND s.state IN ({states}) AND {condition}
    """
    sql = f"""
        WITH finished AS (
            SELECT s.subject_id AS action_id, s.state,
                   SUM({days.format(later="s.left_at", earlier="s.entered_at")}) AS days
            {passages} AND s.left_at IS NOT NULL
            GROUP BY s.state, s.subject_id  -- the order of the index of finished passages
        ),
        current AS (
            SELECT s.subject_id AS action_id, s.state, s.entered_at AS entered,
                   {days.format(later="%s", earlier="s.entered_at")} AS days
            {passages} AND s.left_at IS NULL
        )
    """
    action_type = ContentType.objects.get_for_model(Action).pk
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    scoped = [action_type, *WAITING_STATES, *params]
    return sql, [*scoped, now, *scoped]


@dataclass
class TimeInState:
    states: list[StateFigures]
    flagged: list[Flagged]


# Flagged first: the longest stay against the state's 90th percentile (at least one hour, so
# that a percentile of zero still orders them).
RATIO = "days / GREATEST(p90, 1.0 / 24)"


def time_in_state(scope: Scope, flagged: int = 0) -> TimeInState:
    """One row per waiting state, in the workflow's order, and the ``flagged`` actions
    sitting longest beyond their state's 90th percentile (none by default)."""
    figures, late = _computed(scope, flagged)
    actions = (
        Action.objects.select_related("project__territory").in_bulk([pk for pk, *_ in late])
        if late
        else {}
    )
    return TimeInState(
        list(figures.values()),
        [
            Flagged(actions[pk], state, S(state).label, _instant(entered), days, p90)
            for pk, state, entered, days, p90 in late
        ],
    )


def _computed(scope: Scope, flagged: int) -> tuple[dict, list[tuple]]:
    """The figures per state and the flagged actions' (id, state, since, days, p90)."""
    figures = {state: StateFigures(state, S(state).label) for state in WAITING_STATES}
    sql, params = _passages_sql(scope)
    with connection.cursor() as cursor:
        if in_database():
            late = _in_database(cursor, sql, params, figures, flagged)
        else:
            late = _in_python(cursor, sql, params, figures, flagged)
    for row in figures.values():
        row.median_days, row.p90_days = rounded(row.median_days), rounded(row.p90_days)
    return figures, late


def _in_database(cursor, sql: str, params: list, figures: dict, flagged: int) -> list[tuple]:
    cursor.execute(
        sql
        + f""",
        stats AS (
            SELECT state, COUNT(*) AS actions,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY days) AS p90_days
            FROM finished GROUP BY state
        ),
        measured AS (
            SELECT c.action_id, c.state, c.entered, c.days::float AS days, s.p90_days AS p90
            FROM current c LEFT JOIN stats s ON s.state = c.state
        ),
        waiting AS (
            SELECT state, COUNT(*) AS now, COUNT(*) FILTER (WHERE days > p90) AS over_p90
            FROM measured GROUP BY state
        ),
        late AS (
            SELECT action_id, state, entered, days, p90 FROM measured WHERE days > p90
            ORDER BY {RATIO} DESC, action_id LIMIT %s
        )
        SELECT 'state', COALESCE(s.state, w.state), COALESCE(s.actions, 0), s.median_days,
               s.p90_days, COALESCE(w.now, 0), COALESCE(w.over_p90, 0),
               NULL::bigint, NULL::timestamptz, NULL::float
        FROM stats s FULL OUTER JOIN waiting w ON w.state = s.state
        UNION ALL
        SELECT 'late', state, NULL, NULL, p90, NULL, NULL, action_id, entered, days FROM late
        """,
        [*params, flagged],
    )
    late = []
    for kind, state, actions, median, p90, now, over, action_id, entered, days in cursor:
        if kind == "late":
            late.append((action_id, state, entered, days, p90))
            continue
        row = figures[state]
        row.actions, row.median_days, row.p90_days = actions, median, p90
        row.now, row.over_p90 = now, over
    late.sort(key=lambda item: (-item[3] / max(item[4], 1 / 24), item[0]))
    return late


def _in_python(cursor, sql: str, params: list, figures: dict, flagged: int) -> list[tuple]:
    """The same figures from the passages' rows, where the database has no percentiles."""
    cursor.execute(sql + " SELECT state, days FROM finished", params)
    days: dict[str, list[float]] = {}
    for state, value in cursor.fetchall():
        days.setdefault(state, []).append(float(value))
    for state, values in days.items():
        row = figures[state]
        row.actions = len(values)
        row.median_days, row.p90_days = percentile(values, 0.5), percentile(values, 0.9)
    cursor.execute(sql + " SELECT action_id, state, entered, days FROM current", params)
    late = []
    for action_id, state, entered, value in cursor.fetchall():
        row, value = figures[state], float(value)
        row.now += 1
        if row.p90_days is not None and value > row.p90_days:
            row.over_p90 += 1
            late.append((action_id, state, entered, value, row.p90_days))
    late.sort(key=lambda item: (-item[3] / max(item[4], 1 / 24), item[0]))
    return late[:flagged]


def _instant(value):
    """A raw timestamp as an aware datetime (SQLite gives text, in UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, datetime.UTC)
