"""Each role's count of the reminders sent before its answer
(``RoleAssignment.reminders_before_answer``) written from the sent reminders: the data
migration ``actions.0008_role_reminders_before_answer`` and the benchmark's data set (written
by COPY). The sweep keeps it as reminders leave (``notifications.delivery.reminder_counts``),
by the same condition: sent at or before the answer, or at any time while there is none.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from backend.actions.models import RoleAssignment
from notifications.models import Kind, Notification, Status

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


def recount(using, role_type: int, roles: str, notifications: str) -> int:
    """Every role's count written from its sent reminders (one statement, PostgreSQL or
    SQLite); the tables' names given (a migration passes its own models'). Only the roles with
    a sent reminder or a count are written. Returns their number."""
    sql = RECOUNT_SQL.format(roles=roles, notifications=notifications)
    condition = [role_type, Kind.REMINDER.value, Status.SENT.value]
    with using.cursor() as cursor:
        cursor.execute(sql, [*condition, *condition])
        return cursor.rowcount


def recount_all() -> int:
    """``recount`` on the current models (the benchmark's data set, written by COPY)."""
    return recount(
        connection,
        ContentType.objects.get_for_model(RoleAssignment).pk,
        RoleAssignment._meta.db_table,
        Notification._meta.db_table,
    )
