"""The passages through each state (``StateStay``), kept by the engine beside the log.

``record_stays`` is called by ``workflows.services.perform_locked_transitions`` right after
it writes the log rows of a transition, in the same transaction, for the models that declare
``workflow_stays = True``: the subjects' passages under way end at the transition's time and
new ones begin in their new states. A log row that changes no state (a link read) neither
ends nor begins a passage, as the log's readers always counted it.

``rebuild_stays`` writes them again from the log of one kind of subject (the data migration
of an app that declares them, and the benchmarks' data set written with ``COPY``): a
passage begins at a log row that changes the state and ends at the subject's next such row.
"""

from django.db import connections

from workflows.models import StateStay, TransitionLog


def record_stays(logs: list[TransitionLog]) -> None:
    """End the passages under way of these log rows' subjects, begin the new ones (two
    statements, whatever the number of rows)."""
    moved = [log for log in logs if log.source != log.target]
    if not moved:
        return
    subject_type = moved[0].subject_type_id
    StateStay.objects.filter(
        subject_type_id=subject_type,
        subject_id__in=[log.subject_id for log in moved],
        left_at__isnull=True,
    ).update(left_at=moved[0].at)
    StateStay.objects.bulk_create(
        StateStay(
            subject_type_id=log.subject_type_id,
            subject_id=log.subject_id,
            state=log.target,
            entered_at=log.at,
        )
        for log in moved
    )


def rebuild_stays(subject_type_id: int, using: str = "default") -> int:
    """The passages of one kind of subject written again from its log (those there are
    deleted first); returns how many. One statement each: a window over the log."""
    stays, log = StateStay._meta.db_table, TransitionLog._meta.db_table
    with connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {stays} WHERE subject_type_id = %s", [subject_type_id])
        cursor.execute(
            f"""
            INSERT INTO {stays} (subject_type_id, subject_id, state, entered_at, left_at)
            SELECT subject_type_id, subject_id, target, at,
                   LEAD(at) OVER (PARTITION BY subject_id ORDER BY at, id)
            FROM {log}
            WHERE subject_type_id = %s AND source <> target
            """,
            [subject_type_id],
        )
        return cursor.rowcount
