"""One notification per subject, kind, recipient and occasion, without the ``stage`` string:
two partial unique constraints (rows with a date, rows without), which PostgreSQL and SQLite
both enforce."""

from django.db import migrations, models

KEY = [
    "subject_type",
    "subject_id",
    "kind",
    "recipient_key",
    "round",
    "answer",
    "days_before",
    "decision_number",
]


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_notification_occasion_fields")]

    operations = [
        migrations.RemoveField(model_name="notification", name="stage"),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(("date__isnull", False)),
                fields=(*KEY, "date"),
                name="one_dated_notification_per_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(("date__isnull", True)),
                fields=KEY,
                name="one_undated_notification_per_key",
            ),
        ),
    ]
