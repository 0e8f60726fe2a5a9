"""The actions' passages through their states (``workflows.StateStay``), written from the
transition log they were computed from until now (``workflows.stays.rebuild_stays``: one
window over the log). From now on the engine writes them with each transition."""

from django.db import migrations

from workflows.stays import rebuild_stays


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    action_type = ContentType.objects.filter(app_label="actions", model="action").first()
    if action_type is not None:  # a new database: no log yet
        rebuild_stays(action_type.pk, using=schema_editor.connection.alias)


def backwards(apps, schema_editor):
    StateStay = apps.get_model("workflows", "StateStay")
    StateStay.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0004_actions_list_index"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflows", "0005_state_stays"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
