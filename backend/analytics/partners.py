"""Partners: per organisation (or per category of contact), the roles they were invited to
on the scope's actions, how many they answered, the median days from the invitation to the
answer, how many they declined or asked to change, how many wait for an answer now, and the
reminders sent before the answers came.

A role counts once invited (its current invitation round: a role invited again after asking
for changes counts from its new invitation); a withdrawn role, or one never invited, does
not count. Days to answer: ``responded_at - invited_at``. Reminders before the answer: the
reminder e-mails sent (status « sent ») about the answered roles before their answers, counted
on each role as they leave (``RoleAssignment.reminders_before_answer``, kept by the sweep:
``notifications.delivery.reminder_counts``), so the reminders are not read here.
"""

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from backend.actions.models import COUNTED_ROLES, RoleAssignment, RoleState
from backend.analytics.scope import Scope
from backend.analytics.stats import (
    PERCENTILES,
    DaysBetween,
    fill_percentiles,
    in_database,
    percentile_annotations,
    rounded,
)
from backend.partners.models import ContactCategory, Organisation

R = RoleState
COUNTED = (R.INVITED, R.ACCEPTED, R.DECLINED, R.CHANGES_REQUESTED)
ANSWERED = Q(responded_at__isnull=False)
COUNTS = (
    *("invited", "answered", "declined", "changes_requested", "pending"),
    "reminders_before_answer",
)


def _roles(scope: Scope, category: str = ""):
    # The condition of the counted roles' indexes (``role_counted_by_organisation``).
    roles = RoleAssignment.objects.filter(COUNTED_ROLES)
    if scope.restricted:
        roles = roles.filter(action__in=scope.actions().values("pk"))
    if category:
        roles = roles.filter(contact__category=category)
    return roles.order_by()


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
        "reminders_before_answer": Coalesce(
            Sum("reminders_before_answer", filter=only(ANSWERED)), 0
        ),
        **percentile_annotations(days, filter=only(ANSWERED)),
    }


def _finish(rows: list[dict], key, pairs) -> list[dict]:
    """The percentiles computed in Python where the database has none, the days rounded."""
    if not in_database():
        fill_percentiles(rows, key, pairs)
    for row in rows:
        row["median_days_to_answer"] = rounded(row.pop("median_days"))
        row["p90_days_to_answer"] = rounded(row.pop("p90_days"))
    return rows


def by_organisation(scope: Scope, category: str = "") -> list[dict]:
    """One row per organisation, by name: ``organisation`` (its id), ``name``, ``invited``,
    ``answered``, ``median_days_to_answer``, ``p90_days_to_answer``, ``declined``,
    ``changes_requested``, ``pending``, ``reminders_before_answer``."""
    roles = _roles(scope, category)
    # Grouped by the organisation alone (in the order of the index of the counted roles),
    # its name read after (a join before the grouping would sort every role).
    rows = list(roles.values("organisation").annotate(**_figures()))
    days = roles.filter(ANSWERED).values_list(
        "organisation", DaysBetween("responded_at", "invited_at")
    )
    rows = _finish(rows, lambda row: row["organisation"], days)
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

    Over every action, the counts grouped by category (hashed: no sort) and the percentiles
    as one pair of aggregates per category over the answered roles (a FILTER each, their sort
    shared), not grouped: a grouping with percentiles would sort the 370,000 roles of the
    benchmark's data set by category first. Over some projects or an axis (a quarter of them
    or less), that sort is cheaper than a second pass: one grouping with everything."""
    roles = _roles(scope)
    days = DaysBetween("responded_at", "invited_at")
    answered = roles.filter(ANSWERED)
    grouped = scope.restricted and in_database()
    figures = _figures() if grouped else {n: f for n, f in _figures().items() if n in COUNTS}
    rows = {
        row.pop("contact__category"): row
        for row in roles.values("contact__category").annotate(**figures)
    }
    totals = {}
    if not grouped:
        percentiles = {}
        for value in ContactCategory.values:
            for name, aggregate in percentile_annotations(
                days, filter=Q(contact__category=value)
            ).items():
                percentiles[f"{value}__{name}"] = aggregate
        totals = answered.aggregate(**percentiles) if percentiles else {}
    result = []
    for value, label in ContactCategory.choices:
        row = rows.get(value)
        if row is None:
            continue
        if not grouped:
            for name, _fraction in PERCENTILES:
                row[name] = totals.get(f"{value}__{name}")
        result.append({"category": value, "label": str(label), **row})
    pairs = answered.values_list("contact__category", days)
    return _finish(result, lambda row: row["category"], pairs)
