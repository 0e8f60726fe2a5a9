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
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from backend.actions.models import RoleAssignment, RoleState
from backend.analytics.scope import Scope
from backend.analytics.stats import (
    DaysBetween,
    fill_percentiles,
    in_database,
    percentile_annotations,
    rounded,
)
from backend.partners.models import ContactCategory
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


def _reminders_before_answer():
    """Per role (outer row): the reminders sent about it before its answer."""
    sent = (
        Notification.objects.filter(
            subject_type=ContentType.objects.get_for_model(RoleAssignment),
            subject_id=OuterRef("pk"),
            kind=Kind.REMINDER,
            status=Status.SENT,
            sent_at__lte=OuterRef("responded_at"),
        )
        .order_by()
        .values("subject_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(sent, output_field=IntegerField()), 0)


def _answers(roles, group: tuple[str, ...]) -> list[dict]:
    days = DaysBetween("responded_at", "invited_at")
    rows = list(
        roles.annotate(reminders=_reminders_before_answer())
        .values(*group)
        .annotate(
            invited=Count("pk"),
            answered=Count("pk", filter=ANSWERED),
            declined=Count("pk", filter=Q(state=R.DECLINED)),
            changes_requested=Count("pk", filter=Q(state=R.CHANGES_REQUESTED)),
            pending=Count("pk", filter=Q(state=R.INVITED)),
            reminders_before_answer=Sum("reminders", filter=ANSWERED, default=0),
            **percentile_annotations(days, filter=ANSWERED),
        )
    )
    if not in_database():
        pairs = roles.filter(ANSWERED).values_list(*group, days)
        fill_percentiles(rows, lambda row: tuple(row[g] for g in group), _pairs(pairs, group))
    for row in rows:
        row["median_days_to_answer"] = rounded(row.pop("median_days"))
        row["p90_days_to_answer"] = rounded(row.pop("p90_days"))
    return rows


def _pairs(values, group):
    """(group key, value) from ``values_list(*group, value)``."""
    width = len(group)
    return ((tuple(row[:width]), row[width]) for row in values)


def by_organisation(scope: Scope, category: str = "") -> list[dict]:
    """One row per organisation, by name: ``organisation`` (its id), ``name``, ``invited``,
    ``answered``, ``median_days_to_answer``, ``p90_days_to_answer``, ``declined``,
    ``changes_requested``, ``pending``, ``reminders_before_answer``."""
    rows = _answers(_roles(scope, category), ("organisation", "organisation__name"))
    for row in rows:
        row["name"] = row.pop("organisation__name")
    return sorted(rows, key=lambda row: (row["name"], row["organisation"]))


def by_category(scope: Scope) -> list[dict]:
    """One row per category of contact (elected officials, technicians, associations…), in
    the categories' order, with the same figures; ``category`` and its ``label``."""
    answers = _answers(_roles(scope), ("contact__category",))
    rows = {row["contact__category"]: row for row in answers}
    result = []
    for value, label in ContactCategory.choices:
        row = rows.get(value)
        if row is not None:
            row.pop("contact__category")
            result.append({"category": value, "label": str(label), **row})
    return result
