"""The default reminder policies of DESIGN.md, as data (editable in the admin)."""

import datetime

from django.db import migrations

DEFAULTS = [
    {"name": "consultation", "reminder_offsets": [5, 1], "business_days": True, "escalation_offset": 1},
    {"name": "evaluation", "reminder_offsets": [30, 7], "business_days": False, "escalation_offset": 1},
]


def create(apps, schema_editor):
    ReminderPolicy = apps.get_model("notifications", "ReminderPolicy")
    for values in DEFAULTS:
        ReminderPolicy.objects.get_or_create(
            name=values["name"],
            defaults={
                **values,
                "send_from": datetime.time(8, 30),
                "send_until": datetime.time(18, 0),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
