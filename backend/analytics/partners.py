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

from backend.actions.models import Action, RoleAssignment, RoleState
from backend.analytics.kept import kept
from backend.analytics.scope import Scope
from backend.analytics.stats import (
    DaysBetween,
    fill_percentiles,
    in_database,
    percentile_annotations,
    rounded,
)
from backend.partners.models import Contact, ContactCategory
from backend.territories.models import TerritoryProject
from notifications.models import Kind, Notification, Status

R = RoleState
COUNTED = (R.INVITED, R.ACCEPTED, R.DECLINED, R.CHANGES_REQUESTED)
ANSWERED = Q(responded_at__isnull=False)


def _roles(scope: Scope, category: str = ""):
    roles = RoleAssignment.objects.filter(
        action__in=scope.actions().values("pk"), state__in=COUNTED, invited_at__isnull=False
    )
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
        "p": TerritoryProject._meta.db_table,
        "c": Contact._meta.db_table,
    }
    states = ", ".join(["%s"] * len(COUNTED))
    sql = f"""
        SELECT {column}, COUNT(*)
        FROM {tables["n"]} n
        JOIN {tables["r"]} r ON r.id = n.subject_id
        JOIN {tables["a"]} a ON a.id = r.action_id
        JOIN {tables["p"]} p ON p.id = a.project_id
        LEFT JOIN {tables["c"]} c ON c.id = r.contact_id
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


def _answers(roles, group: tuple[str, ...], reminders: dict) -> list[dict]:
    """The figures per ``group`` (its first field is the key of ``reminders``)."""
    days = DaysBetween("responded_at", "invited_at")
    rows = list(
        roles.values(*group).annotate(
            invited=Count("pk"),
            answered=Count("pk", filter=ANSWERED),
            declined=Count("pk", filter=Q(state=R.DECLINED)),
            changes_requested=Count("pk", filter=Q(state=R.CHANGES_REQUESTED)),
            pending=Count("pk", filter=Q(state=R.INVITED)),
            **percentile_annotations(days, filter=ANSWERED),
        )
    )
    if not in_database():
        pairs = roles.filter(ANSWERED).values_list(*group, days)
        fill_percentiles(rows, lambda row: tuple(row[g] for g in group), _pairs(pairs, group))
    for row in rows:
        row["reminders_before_answer"] = reminders.get(row[group[0]], 0)
        row["median_days_to_answer"] = rounded(row.pop("median_days"))
        row["p90_days_to_answer"] = rounded(row.pop("p90_days"))
    return rows


def _pairs(values, group):
    """(group key, value) from ``values_list(*group, value)``."""
    width = len(group)
    return ((tuple(row[:width]), row[width]) for row in values)


def by_organisation(scope: Scope, category: str = "") -> list[dict]:
    """See ``_by_organisation`` (kept in the cache: ``backend.analytics.kept``)."""
    return kept("by_organisation", scope, _by_organisation, category)


def _by_organisation(scope: Scope, category: str) -> list[dict]:
    """One row per organisation, by name: ``organisation`` (its id), ``name``, ``invited``,
    ``answered``, ``median_days_to_answer``, ``p90_days_to_answer``, ``declined``,
    ``changes_requested``, ``pending``, ``reminders_before_answer``."""
    reminders = _reminders_before_answer(scope, category, "r.organisation_id")
    rows = _answers(_roles(scope, category), ("organisation", "organisation__name"), reminders)
    for row in rows:
        row["name"] = row.pop("organisation__name")
    return sorted(rows, key=lambda row: (row["name"], row["organisation"]))


def by_category(scope: Scope) -> list[dict]:
    """See ``_by_category`` (kept in the cache: ``backend.analytics.kept``)."""
    return kept("by_category", scope, _by_category)


def _by_category(scope: Scope) -> list[dict]:
    """One row per category of contact (elected officials, technicians, associations…), in
    the categories' order, with the same figures; ``category`` and its ``label``."""
    reminders = _reminders_before_answer(scope, "", "c.category")
    answers = _answers(_roles(scope), ("contact__category",), reminders)
    rows = {row["contact__category"]: row for row in answers}
    result = []
    for value, label in ContactCategory.choices:
        row = rows.get(value)
        if row is not None:
            row.pop("contact__category")
            result.append({"category": value, "label": str(label), **row})
    return result
