"""A row that records a fact may say more (``details``: a role amended, what it was before).
Nullable: the column is added without touching a row (the log is append-only). The trigger of
0003 now also keeps ``details`` as it was written when a row's author label is anonymised."""

from django.db import migrations, models

COLUMNS = (
    "id, subject_type_id, subject_id, action_id, transition, source, target, actor_id, "
    "automatic, comment, at"
)


def function(columns: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION workflows_transitionlog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('workflows.anonymising', true) = 'on'
       AND ROW(OLD.{columns.replace(", ", ", OLD.")}) IS NOT DISTINCT FROM
           ROW(NEW.{columns.replace(", ", ", NEW.")}) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'workflows_transitionlog is append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(function(COLUMNS + ", details"))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(function(COLUMNS))


class Migration(migrations.Migration):
    dependencies = [("workflows", "0003_transition_log_anonymisable_label")]

    operations = [
        migrations.AddField(
            model_name="transitionlog",
            name="details",
            field=models.JSONField(blank=True, null=True, verbose_name="détails"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
