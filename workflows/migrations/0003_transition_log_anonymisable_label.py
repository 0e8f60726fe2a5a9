"""On PostgreSQL, the append-only trigger lets one change through: the author's label of a row,
and only inside a transaction that declared it is anonymising (``workflows.anonymising``, set
by ``TransitionLogQuerySet.anonymise_actor_label`` for the personal-data retention). Every
other column stays as it was written; deleting is still refused."""

from django.db import migrations

COLUMNS = (
    "id, subject_type_id, subject_id, action_id, transition, source, target, actor_id, "
    "automatic, comment, at"
)

CREATE = f"""
CREATE OR REPLACE FUNCTION workflows_transitionlog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('workflows.anonymising', true) = 'on'
       AND ROW(OLD.{COLUMNS.replace(", ", ", OLD.")}) IS NOT DISTINCT FROM
           ROW(NEW.{COLUMNS.replace(", ", ", NEW.")}) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'workflows_transitionlog is append-only';
END;
$$ LANGUAGE plpgsql;
"""

STRICT = """
CREATE OR REPLACE FUNCTION workflows_transitionlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'workflows_transitionlog is append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STRICT)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0002_transition_log_append_only")]

    operations = [migrations.RunPython(forwards, backwards)]
