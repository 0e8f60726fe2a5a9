"""The reminders sent before a partner's answer, counted on its role
(``RoleAssignment.reminders_before_answer``) as they leave, so that the partners' figures
(``backend.analytics.partners``) read the roles alone instead of joining the reminders.

The count is the reminders about the role (notifications of kind ``reminder``) marked sent at
or before its answer (``sent_at <= responded_at``), or at any time while it has none. The
sweep adds a reminder to it as it marks the reminder sent: on PostgreSQL in the same statement
(``notifications.delivery.sweep.MARK_SENT_GROUP_SQL``), elsewhere in the same transaction
(``count_sent``); a role answers after the reminders already sent, so its count stands.
``recount`` writes it from the sent reminders (the data migration
``actions.0007_role_reminders_before_answer``, the benchmark's data set).
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q

from backend.actions.models import RoleAssignment
from notifications.models import Kind, Notification, Status

REMINDED_ROLES = RoleAssignment._meta.db_table
# The content type of the roles, in SQL (no query of its own before the sweep's statement).
REMINDED_ROLE_TYPE_SQL = (
    "SELECT id FROM django_content_type WHERE app_label = 'actions' AND model = 'roleassignment'"
)


def count_sent(sent: list[tuple[Notification, object]]) -> int:
    """Elsewhere than PostgreSQL: add the reminders just marked sent (``(row, sent_at)``
    pairs: any kind, only the reminders about a role count) to their roles' counts, if the
    role had not answered before. Returns the number of roles whose count grew."""
    reminders = [(row, sent_at) for row, sent_at in sent if row.kind == Kind.REMINDER]
    if not reminders:
        return 0
    role_type = ContentType.objects.get_for_model(RoleAssignment).pk
    grown = 0
    for row, sent_at in reminders:
        if row.subject_type_id != role_type:
            continue
        grown += (
            RoleAssignment.objects.filter(pk=row.subject_id)
            .filter(Q(responded_at__isnull=True) | Q(responded_at__gte=sent_at))
            .update(reminders_before_answer=F("reminders_before_answer") + 1)
        )
    return grown


RECOUNT_SQL = """
UPDATE {roles} SET reminders_before_answer = (
    SELECT COUNT(*) FROM {notifications} n
    WHERE n.subject_type_id = %s AND n.subject_id = {roles}.id
      AND n.kind = %s AND n.status = %s
      AND ({roles}.responded_at IS NULL OR n.sent_at <= {roles}.responded_at)
)
WHERE reminders_before_answer <> 0 OR id IN (
    SELECT subject_id FROM {notifications}
    WHERE subject_type_id = %s AND kind = %s AND status = %s
)
"""


def recount(connection, role_type: int, roles: str, notifications: str) -> int:
    """Every role's count written from its sent reminders (one statement, PostgreSQL or
    SQLite); the tables' names given (a migration passes its own models'). Only the roles with
    a sent reminder or a count are written. Returns their number."""
    sql = RECOUNT_SQL.format(roles=roles, notifications=notifications)
    condition = [role_type, Kind.REMINDER.value, Status.SENT.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*condition, *condition])
        return cursor.rowcount


def recount_all() -> int:
    """``recount`` on the current models (the benchmark's data set, written by COPY)."""
    from django.db import connection

    return recount(
        connection,
        ContentType.objects.get_for_model(RoleAssignment).pk,
        RoleAssignment._meta.db_table,
        Notification._meta.db_table,
    )
