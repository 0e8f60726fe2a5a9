"""Partners: per organisation (or per category of contact), the roles they were invited to
on the scope's actions, how many they answered, the median days from the invitation to the
answer, how many they declined or asked to change, how many wait for an answer now, and the
reminders sent before the answers came.

A role counts once invited (its current invitation round: a role invited again after asking
for changes counts from its new invitation); a withdrawn role, or one never invited, does
not count. Days to answer: ``responded_at - invited_at``. Reminders before the answer: the
reminder e-mails sent (status « sent ») about the role before its answer.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, Q

from backend.actions.models import COUNTED_ROLES, Action, RoleAssignment, RoleState
from backend.analytics.scope import Scope
from backend.analytics.stats import (
    PERCENTILES,
    DaysBetween,
    fill_percentiles,
    in_database,
    percentile_annotations,
    rounded,
)
from backend.partners.models import Contact, ContactCategory, Organisation
from notifications.models import Kind, Notification, Status

R = RoleState
COUNTED = (R.INVITED, R.ACCEPTED, R.DECLINED, R.CHANGES_REQUESTED)
ANSWERED = Q(responded_at__isnull=False)
COUNTS = ("invited", "answered", "declined", "changes_requested", "pending")


def _roles(scope: Scope, category: str = ""):
    # The condition of the counted roles' indexes (``role_counted_by_organisation``).
    roles = RoleAssignment.objects.filter(COUNTED_ROLES)
    if scope.restricted:
        roles = roles.filter(action__in=scope.actions().values("pk"))
    if category:
        roles = roles.filter(contact__category=category)
    return roles.order_by()


def _reminders_before_answer(scope: Scope, category: str, column: str) -> dict:
    """Per organisation (``column`` "r.organisation_id") or per category ("c.category"): the
    reminders sent about the counted roles before their answers. One join, in SQL: the
    notification's subject is a generic key, which the ORM cannot join on."""
    condition, params = scope.sql()
    tables = {
        "n": Notification._meta.db_table,
        "r": RoleAssignment._meta.db_table,
        "a": Action._meta.db_table,
        "c": Contact._meta.db_table,
    }
    joins = []
    if params:  # every action of every territory: no join
        joins.append(f"JOIN {tables['a']} a ON a.id = r.action_id")
    if category or column.startswith("c."):
        joins.append(f"LEFT JOIN {tables['c']} c ON c.id = r.contact_id")
    states = ", ".join(["%s"] * len(COUNTED))
    # Both sides from covering indexes, without reading the tables: the sent reminders'
    # (``notification_sent_reminders``) and the counted roles' by id (``role_counted_by_id``),
    # joined in the roles' order (a merge join) or hashed, as the planner judges.
    sql = f"""
        SELECT {column}, COUNT(*)
        FROM {tables["n"]} n
        JOIN {tables["r"]} r ON r.id = n.subject_id
        {" ".join(joins)}
        WHERE n.subject_type_id = %s AND n.kind = %s AND n.status = %s
          AND n.sent_at <= r.responded_at AND r.invited_at IS NOT NULL AND r.state IN ({states})
          AND {condition} {"AND c.category = %s" if category else ""}
        GROUP BY {column}
    """
    role_type = ContentType.objects.get_for_model(RoleAssignment).pk
    values = [role_type, Kind.REMINDER, Status.SENT, *COUNTED, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, values + ([category] if category else []))
        return dict(cursor.fetchall())


def _figures(within: Q | None = None) -> dict:
    """The aggregates of the figures, over the roles ``within`` (all: None)."""

    def only(condition: Q | None) -> Q | None:
        if within is None:
            return condition
        return within if condition is None else within & condition

    days = DaysBetween("responded_at", "invited_at")
    return {
        "invited": Count("pk", filter=only(None)),
        "answered": Count("pk", filter=only(ANSWERED)),
        "declined": Count("pk", filter=only(Q(state=R.DECLINED))),
        "changes_requested": Count("pk", filter=only(Q(state=R.CHANGES_REQUESTED))),
        "pending": Count("pk", filter=only(Q(state=R.INVITED))),
        **percentile_annotations(days, filter=only(ANSWERED)),
    }


def _finish(rows: list[dict], key, pairs, reminders: dict) -> list[dict]:
    """The percentiles computed in Python where the database has none, the reminders, the
    days rounded."""
    if not in_database():
        fill_percentiles(rows, key, pairs)
    for row in rows:
        row["reminders_before_answer"] = reminders.get(key(row), 0)
        row["median_days_to_answer"] = rounded(row.pop("median_days"))
        row["p90_days_to_answer"] = rounded(row.pop("p90_days"))
    return rows


def by_organisation(scope: Scope, category: str = "") -> list[dict]:
    """One row per organisation, by name: ``organisation`` (its id), ``name``, ``invited``,
    ``answered``, ``median_days_to_answer``, ``p90_days_to_answer``, ``declined``,
    ``changes_requested``, ``pending``, ``reminders_before_answer``."""
    reminders = _reminders_before_answer(scope, category, "r.organisation_id")
    roles = _roles(scope, category)
    # Grouped by the organisation alone (in the order of the index of the counted roles),
    # its name read after (a join before the grouping would sort every role).
    rows = list(roles.values("organisation").annotate(**_figures()))
    days = roles.filter(ANSWERED).values_list(
        "organisation", DaysBetween("responded_at", "invited_at")
    )
    rows = _finish(rows, lambda row: row["organisation"], days, reminders)
    names = dict(
        Organisation.objects.filter(pk__in=[row["organisation"] for row in rows]).values_list(
            "pk", "name"
        )
    )
    for row in rows:
        row["name"] = names[row["organisation"]]
    return sorted(rows, key=lambda row: (row["name"], row["organisation"]))


def by_category(scope: Scope) -> list[dict]:
    """One row per category of contact (elected officials, technicians, associations…), in
    the categories' order, with the same figures; ``category`` and its ``label``.

    The counts grouped by category (hashed: no sort); the percentiles as one pair of
    aggregates per category over the answered roles (a FILTER each, their sort shared), not
    grouped: a grouping with percentiles sorts every role by its category first."""
    reminders = _reminders_before_answer(scope, "", "c.category")
    roles = _roles(scope)
    counts = {name: figure for name, figure in _figures().items() if name in COUNTS}
    rows = {
        row.pop("contact__category"): row
        for row in roles.values("contact__category").annotate(**counts)
    }
    days = DaysBetween("responded_at", "invited_at")
    percentiles = {}
    for value in ContactCategory.values:
        for name, aggregate in percentile_annotations(
            days, filter=Q(contact__category=value)
        ).items():
            percentiles[f"{value}__{name}"] = aggregate
    answered = roles.filter(ANSWERED)
    totals = answered.aggregate(**percentiles) if percentiles else {}
    result = []
    for value, label in ContactCategory.choices:
        row = rows.get(value)
        if row is None:
            continue
        for name, _fraction in PERCENTILES:
            row[name] = totals.get(f"{value}__{name}")
        result.append({"category": value, "label": str(label), **row})
    pairs = answered.values_list("contact__category", days)
    return _finish(result, lambda row: row["category"], pairs, reminders)
