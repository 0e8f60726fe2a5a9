"""The notification's ``stage`` string becomes fields: the invitation round, the partner's
answer, the days before the deadline, the board decision's number and the date. Existing rows
are converted (and converted back when migrating backwards)."""

import datetime

from django.db import migrations, models

BATCH = 2000


def occasion(kind: str, stage: str) -> dict:
    """The fields a stage written by ``notifications.planning.notices`` stood for."""
    parts = stage.split(":") if stage else []
    fields = {}
    if kind == "answer_received" and parts:  # "{answer}:{round}"
        fields["answer"] = parts.pop(0)
    if kind in ("invitation", "reminder", "answer_received") and parts:  # the round first
        fields["round"] = parts.pop(0)[:12]
    for part in parts:
        if part.startswith("j-") and part[2:].isdigit():  # "j-{days before}"
            fields["days_before"] = int(part[2:])
        elif part.startswith("decision-") and part[9:].isdigit():  # "decision-{number}"
            fields["decision_number"] = int(part[9:])
        else:  # a deadline, a due date, a digest's day
            fields["date"] = datetime.date.fromisoformat(part)
    return fields


def stage(row) -> str:
    """The stage string of a converted row, as ``notifications.planning.notices`` wrote it."""
    parts = [row.answer, row.round]
    if row.kind in ("reminder", "evaluation_due"):
        parts.append(f"j-{row.days_before}")
    if row.date is not None:
        parts.append(row.date.isoformat())
    if row.decision_number:
        parts.append(f"decision-{row.decision_number}")
    return ":".join(part for part in parts if part)


def forwards(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    names = ["round", "answer", "days_before", "decision_number", "date"]
    rows = Notification.objects.exclude(stage="").only("pk", "kind", "stage").order_by("pk")
    changed = []
    for row in rows.iterator(chunk_size=BATCH):
        for name, value in occasion(row.kind, row.stage).items():
            setattr(row, name, value)
        changed.append(row)
        if len(changed) == BATCH:
            Notification.objects.bulk_update(changed, names)
            changed = []
    Notification.objects.bulk_update(changed, names)


def backwards(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    changed = []
    for row in Notification.objects.order_by("pk").iterator(chunk_size=BATCH):
        row.stage = stage(row)
        if row.stage:
            changed.append(row)
        if len(changed) == BATCH:
            Notification.objects.bulk_update(changed, ["stage"])
            changed = []
    Notification.objects.bulk_update(changed, ["stage"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_default_reminder_policies")]

    operations = [
        # dropped before the conversion, and put back (going backwards) after it
        migrations.RemoveConstraint(
            model_name="notification",
            name="one_notification_per_subject_kind_recipient_stage",
        ),
        migrations.AddField(
            model_name="notification",
            name="round",
            field=models.CharField(
                blank=True, max_length=12, verbose_name="tour d'invitation"
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="answer",
            field=models.CharField(
                blank=True, max_length=32, verbose_name="réponse du partenaire"
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="days_before",
            field=models.PositiveSmallIntegerField(
                default=0, verbose_name="jours avant l'échéance"
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="decision_number",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="décision n°"),
        ),
        migrations.AddField(
            model_name="notification",
            name="date",
            field=models.DateField(
                blank=True,
                help_text="L'échéance de la relance ou de l'alerte, ou le jour du récapitulatif.",
                null=True,
                verbose_name="date",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
