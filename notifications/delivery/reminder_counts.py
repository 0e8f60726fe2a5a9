"""The reminders sent before a partner's answer, counted on its role
(``RoleAssignment.reminders_before_answer``) as they leave, so that the partners' figures
(``backend.analytics.partners``) read the roles alone instead of joining the reminders.

The count is the reminders about the role (notifications of kind ``reminder``) marked sent at
or before its answer (``sent_at <= responded_at``), or at any time while it has none. The
sweep adds a reminder to it as it marks the reminder sent: on PostgreSQL in the same statement
(``notifications.delivery.sweep.MARK_SENT_GROUP_SQL``), elsewhere in the same transaction
(``count_sent``); a role answers after the reminders already sent, so its count stands.
``backend.actions.reminder_counts.recount`` writes it from the sent reminders (the data
migration ``actions.0008_role_reminders_before_answer``, the benchmark's data set).
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q

from backend.actions.models import RoleAssignment
from notifications.models import Kind, Notification

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
