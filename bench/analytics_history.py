"""The history the analytics read, for the actions of the large data set (``bench.dataset``):
their transition log (each action's path from draft to its state, with realistic stays) and
the passages it gives (``workflows.stays.rebuild_stays``, as the data migration), the
log of their roles (invited, answered), the board's decisions (some actions deferred once),
and a sent reminder for a third of the invited roles. Written with COPY; deterministic.

    .venv/bin/python -m bench.analytics_history     # after bench.dataset, into DATABASE_URL
"""

import datetime
import itertools
import random
import time

from bench import say
from bench.dataset import Copier, _max_id, _reset_sequence

# Each state's path from draft, and the stays (days: low, high) in the waiting states.
PATHS = {
    "draft": [],
    "consultation": ["consultation"],
    "ready_for_board": ["consultation", "ready_for_board"],
    "scheduled": ["consultation", "ready_for_board", "scheduled"],
    "approved": ["consultation", "ready_for_board", "scheduled", "approved"],
    "in_progress": ["consultation", "ready_for_board", "scheduled", "approved", "in_progress"],
    "evaluation": [
        *("consultation", "ready_for_board", "scheduled", "approved", "in_progress"),
        "evaluation",
    ],
    "closed": [
        *("consultation", "ready_for_board", "scheduled", "approved", "in_progress"),
        *("evaluation", "closed"),
    ],
    "rejected": ["consultation", "ready_for_board", "scheduled", "rejected"],
    "withdrawn": ["consultation", "withdrawn"],
}
STAYS = {
    "draft": (1, 30),
    "consultation": (3, 45),
    "ready_for_board": (2, 40),
    "scheduled": (3, 20),
    "approved": (1, 15),
    "in_progress": (30, 240),
    "evaluation": (10, 90),
}
TRANSITIONS = {
    ("draft", "consultation"): "submit",
    ("consultation", "ready_for_board"): "complete_consultation",
    ("ready_for_board", "scheduled"): "schedule",
    ("scheduled", "approved"): "approve",
    ("scheduled", "rejected"): "reject",
    ("scheduled", "ready_for_board"): "defer",
    ("approved", "in_progress"): "start",
    ("in_progress", "evaluation"): "evaluate",
    ("evaluation", "closed"): "close",
    ("consultation", "withdrawn"): "withdraw",
}
OUTCOMES = {"approved": "approved", "rejected": "rejected"}
DEFERRED_SHARE = 0.15


def generate(seed: int = 43) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from backend.accounts.models import StaffRole, User
    from backend.actions.models import Action, RoleAssignment
    from backend.actions.reminder_counts import recount_all
    from backend.board.models import BoardDecision, BoardSession
    from notifications.models import Notification
    from workflows.models import StateStay, TransitionLog
    from workflows.stays import rebuild_stays

    stays_table = StateStay._meta.db_table
    rng = random.Random(seed)
    started = time.monotonic()
    now = datetime.datetime.now(datetime.UTC)
    action_type = ContentType.objects.get_for_model(Action).pk
    role_type = ContentType.objects.get_for_model(RoleAssignment).pk
    session = BoardSession.objects.order_by("date").values_list("id", flat=True).first()
    secretary = User.objects.filter(role=StaffRole.BOARD_SECRETARY).values_list("id", flat=True)[0]
    actions = list(Action.objects.order_by("id").values_list("id", "state", "social_worker_id"))
    say(f"analytics history for {len(actions):,} actions")
    log_table = TransitionLog._meta.db_table
    columns = (
        *("id", "subject_type_id", "subject_id", "action_id", "transition", "source", "target"),
        *("actor_id", "actor_label", "automatic", "comment", "at"),
    )
    decided: dict[int, datetime.datetime] = {}
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        log_id = _max_id(cursor, log_table)
        log = Copier(cursor, log_table, columns, len(actions) * 8, "log rows")
        decisions = Copier(
            cursor,
            BoardDecision._meta.db_table,
            (
                *("id", "session_id", "action_id", "project_id", "outcome", "conditions"),
                *("reference", "year", "recorded_by_id", "recorded_at"),
            ),
            len(actions),
            "decisions",
        )
        decision_id = _max_id(cursor, BoardDecision._meta.db_table)

        def row(action_id, source, target, at, actor):
            nonlocal log_id
            log_id += 1
            name = TRANSITIONS[(source, target)]
            log.add(
                (
                    log_id,
                    action_type,
                    action_id,
                    action_id,
                    name,
                    source,
                    target,
                    actor,
                    "bench",
                    name == "complete_consultation",
                    "",
                    at,
                )
            )

        def decision(action_id, outcome, at):
            nonlocal decision_id
            decision_id += 1
            decisions.add(
                (
                    decision_id,
                    session,
                    action_id,
                    None,
                    outcome,
                    "",
                    f"B{decision_id}",
                    at.year,
                    secretary,
                    at,
                )
            )

        for action_id, state, actor in actions:
            path = PATHS[state]
            deferred = "scheduled" in path and rng.random() < DEFERRED_SHARE
            steps = ["draft", *path]
            if deferred:  # scheduled, deferred, ready again, scheduled again
                index = steps.index("scheduled") + 1
                steps[index:index] = ["ready_for_board", "scheduled"]
            # The last entry a few weeks ago, the earlier ones before it.
            at = now - datetime.timedelta(days=rng.uniform(0, 60))
            times = [at]
            for state_before in reversed(steps[:-1]):
                low, high = STAYS.get(state_before, (1, 10))
                at -= datetime.timedelta(days=rng.uniform(low, high))
                times.append(at)
            times.reverse()
            for (source, target), when in zip(itertools.pairwise(steps), times[1:], strict=True):
                row(action_id, source, target, when, actor)
                if source == "scheduled" and target == "ready_for_board":
                    decision(action_id, "deferred", when)
                elif source == "scheduled":
                    decision(action_id, OUTCOMES[target], when)
            decided[action_id] = times[0]
        log.flush()
        decisions.flush()
        counts["action log rows"] = log.done
        counts["decisions"] = decisions.done

        # The roles: their invitation and answer in the log, a sent reminder for a third.
        roles = RoleAssignment.objects.exclude(invited_at=None).order_by("id")
        roles = roles.values_list(
            "id", "action_id", "state", "invited_at", "responded_at", "contact_id"
        )
        notification_table = Notification._meta.db_table
        reminders = Copier(
            cursor,
            notification_table,
            (
                *("id", "kind", "round", "answer", "days_before", "decision_number", "date"),
                *("subject_type_id", "subject_id", "action_id", "contact_id", "recipient_key"),
                *("email", "due_at", "status", "attempts", "last_error", "sent_at"),
                *("message_id", "created_at", "details"),
            ),
            len(actions),
            "reminders",
        )
        reminder_id = _max_id(cursor, notification_table)
        answers = {
            "accepted": "accept",
            "declined": "decline",
            "changes_requested": "request_changes",
        }
        for role_id, action_id, state, invited, responded, contact in roles.iterator(10_000):
            log_id += 1
            log.add(
                (
                    log_id,
                    role_type,
                    role_id,
                    action_id,
                    "invite",
                    "proposed",
                    "invited",
                    None,
                    "bench",
                    True,
                    "",
                    invited,
                )
            )
            if responded is not None and state in answers:
                log_id += 1
                log.add(
                    (
                        log_id,
                        role_type,
                        role_id,
                        action_id,
                        answers[state],
                        "invited",
                        state,
                        None,
                        "bench",
                        False,
                        "",
                        responded,
                    )
                )
            if rng.random() < 1 / 3:
                reminder_id += 1
                sent = invited + datetime.timedelta(days=1, hours=12)
                reminders.add(
                    (
                        reminder_id,
                        "reminder",
                        "1",
                        "",
                        5,
                        0,
                        sent.date(),
                        role_type,
                        role_id,
                        action_id,
                        contact,
                        f"c{contact}",
                        f"contact{contact}@partenaires.example",
                        sent,
                        "sent",
                        1,
                        "",
                        sent,
                        "",
                        invited,
                        "{}",
                    )
                )
        log.flush()
        reminders.flush()
        counts["log rows"] = log.done
        counts["reminders"] = reminders.done
        for table in (log_table, BoardDecision._meta.db_table, notification_table):
            _reset_sequence(cursor, table)
        # The roles' counts of the reminders sent before their answers (as the sweep keeps
        # them, as the data migration writes them).
        counts["roles with reminders"] = recount_all()
        # The actions' passages through their states, from the log just written (as the
        # data migration fills them): what the engine would have written with each row.
        counts["action stays"] = rebuild_stays(action_type)
    with connection.cursor() as cursor:
        roles_table = RoleAssignment._meta.db_table
        for table in (
            log_table,
            BoardDecision._meta.db_table,
            notification_table,
            stays_table,
            roles_table,
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")  # the visibility map: index-only scans
    counts["seconds"] = time.monotonic() - started
    say(f"  {counts}")
    return counts


def main() -> int:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    django.setup()
    generate()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
