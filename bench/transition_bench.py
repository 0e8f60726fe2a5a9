"""Transitions benchmark: ``submit`` on draft actions with their partner roles, through the real
service (``backend.actions.transitions.submit_action``), against raw SQL doing the same writes.

What one ``submit`` does, in one transaction: lock the action, check its guards (state,
permission, a pilot, a contact on every role, the deadline), set the state and the default
consultation deadline, write the log row, then invite every proposed role (lock it, set it
invited with a fresh personal link, its own log row) and plan the notification rows: an
invitation and two reminders per role, the escalation to the action's staff. The floor does
the same writes on a plain psycopg connection (server-side binding, statements prepared after
5 runs): lock the action and its roles, the same checks in Python, one UPDATE of the action,
one UPDATE of its roles, one INSERT of the log rows and one of the notification rows (each
from arrays, ``unnest``: one statement whatever the number of rows, the service's own
technique), one commit. Due times and the notices' keys are computed the same way
(``notifications.planning.schedule``).

Both sides run on the generated data set, alternately in blocks, one transition after another
(one client): transitions per second and the median time of one transition.
"""

import datetime
import secrets
import time

from bench import accumulating, median, progress, say

BLOCK = 25


def _drafts(count: int) -> list[int]:
    """Draft actions whose roles are all proposed, with a contact, and a pilot among them."""
    from django.db.models import Count, Q

    from backend.actions.models import Action

    return list(
        Action.objects.filter(state="draft", consultation_deadline__isnull=True)
        .annotate(
            pilots=Count("roles", filter=Q(roles__kind="pilot")),
            bad=Count("roles", filter=Q(roles__contact__isnull=True) | ~Q(roles__state="proposed")),
        )
        .filter(pilots__gt=0, bad=0)
        .order_by("id")
        .values_list("id", flat=True)[:count]
    )


def _actors() -> dict[int, object]:
    """The social worker of each territory (the usual author of a submit)."""
    from backend.accounts.models import StaffRole, User

    actors = {}
    for user in User.objects.filter(role=StaffRole.SOCIAL_WORKER).prefetch_related("territories"):
        for territory in user.territories.all():
            actors.setdefault(territory.pk, user)
    return actors


def _territories(action_ids: list[int]) -> dict[int, int]:
    from backend.actions.models import Action

    return dict(Action.objects.filter(pk__in=action_ids).values_list("pk", "project__territory"))


def run_service(action_ids: list[int], actors: dict) -> list[float]:
    """The service starts from the action's id, as the floor does (it locks and reads the
    row itself); the actor is the social worker of the action's territory."""
    from backend.actions.models import Action
    from backend.actions.transitions import submit_action

    territory_of = _territories(action_ids)
    timings = []
    for action_id in action_ids:
        started = time.perf_counter()
        actor = actors[territory_of[action_id]]
        submit_action(Action(pk=action_id), actor=actor)
        timings.append(time.perf_counter() - started)
    return timings


class Floor:
    """The same writes in raw SQL, one transaction per transition."""

    def __init__(self, dsn: str, actors: dict):
        import psycopg
        from django.contrib.contenttypes.models import ContentType

        from backend.actions.models import Action, RoleAssignment
        from notifications.models import ReminderPolicy
        from notifications.planning.schedule import policy
        from workflows.services import actor_label

        self.conn = psycopg.connect(dsn)
        self.actors = {
            territory: (user.pk, actor_label(user)) for territory, user in actors.items()
        }
        self.ct_action = ContentType.objects.get_for_model(Action).pk
        self.ct_role = ContentType.objects.get_for_model(RoleAssignment).pk
        self.policy = policy(ReminderPolicy.CONSULTATION)

    def close(self) -> None:
        self.conn.close()

    def submit(self, action_id: int) -> None:
        from backend.actions.machine import DEFAULT_CONSULTATION_BUSINESS_DAYS
        from backend.core.business_days import add_business_days
        from notifications.planning.schedule import escalation_time, reminder_times

        conn = self.conn
        now = datetime.datetime.now(datetime.UTC)
        with conn.transaction():
            row = conn.execute(
                "SELECT a.state, a.consultation_deadline, p.territory_id, a.social_worker_id "
                "FROM actions_action a JOIN territories_territoryproject p ON p.id = a.project_id "
                "WHERE a.id = %s FOR UPDATE OF a",
                (action_id,),
            ).fetchone()
            state, deadline, territory, social_worker = row
            roles = conn.execute(
                "SELECT r.id, r.kind, r.state, r.contact_id, c.email FROM actions_roleassignment r "
                "LEFT JOIN partners_contact c ON c.id = r.contact_id "
                "WHERE r.action_id = %s AND r.state <> 'withdrawn' ORDER BY r.id FOR UPDATE OF r",
                (action_id,),
            ).fetchall()
            actor_id, label = self.actors[territory]
            if state != "draft" or not any(kind == "pilot" for _, kind, *_ in roles):
                raise RuntimeError(f"action {action_id} cannot be submitted")
            if any(contact is None for *_, contact, _ in roles):
                raise RuntimeError(f"action {action_id}: a role without contact")
            if deadline is None:
                deadline = add_business_days(
                    datetime.date.today(), DEFAULT_CONSULTATION_BUSINESS_DAYS
                )
            conn.execute(
                "UPDATE actions_action SET state = 'consultation', consultation_deadline = %s, "
                "updated_at = %s WHERE id = %s",
                (deadline, now, action_id),
            )
            proposed = [r for r in roles if r[2] == "proposed"]
            nonces = [secrets.token_urlsafe(24) for _ in proposed]
            conn.execute(
                "UPDATE actions_roleassignment r SET state = 'invited', invited_at = %s, "
                "responded_at = NULL, link_nonce = u.nonce, updated_at = %s "
                "FROM unnest(%s::bigint[], %s::text[]) AS u(id, nonce) WHERE r.id = u.id",
                (now, now, [r[0] for r in proposed], nonces),
            )
            logs = [(self.ct_action, action_id, "submit", "draft", "consultation")]
            logs += [(self.ct_role, r[0], "invite", "proposed", "invited") for r in proposed]
            conn.execute(
                "INSERT INTO workflows_transitionlog (subject_type_id, subject_id, action_id, "
                "transition, source, target, actor_id, actor_label, automatic, comment, at) "
                "SELECT u.ct, u.sid, %s, u.t, u.s, u.g, %s, %s, false, '', %s "
                "FROM unnest(%s::int[], %s::bigint[], %s::text[], %s::text[], %s::text[]) "
                "AS u(ct, sid, t, s, g)",
                (action_id, actor_id, label, now, *map(list, zip(*logs, strict=True))),
            )
            notices = []
            reminders = [(o, due) for o, due in reminder_times(deadline, self.policy) if due > now]
            for (role_id, _, _, contact_id, email), nonce in zip(proposed, nonces, strict=True):
                key = f"contact:{contact_id}"
                notices.append(
                    (
                        *("invitation", nonce[:12], 0, None, self.ct_role, role_id),
                        *(None, contact_id, key, email, now),
                    )
                )
                for offset, due in reminders:
                    notices.append(
                        (
                            *("reminder", nonce[:12], offset, deadline, self.ct_role, role_id),
                            *(None, contact_id, key, email, due),
                        )
                    )
            staff = conn.execute(
                "SELECT DISTINCT u.id, u.email FROM accounts_user u "
                "LEFT JOIN accounts_user_territories t ON t.user_id = u.id "
                "WHERE u.is_active AND ((u.role = 'territory_manager' AND t.territory_id = %s) "
                "OR u.id = %s)",
                (territory, social_worker or 0),
            ).fetchall()
            escalation = escalation_time(deadline, self.policy)
            for user_id, email in staff:
                if email:
                    notices.append(
                        (
                            *("escalation", "", 0, deadline, self.ct_action, action_id),
                            *(user_id, None, f"user:{user_id}", email, escalation),
                        )
                    )
            conn.execute(
                "INSERT INTO notifications_notification (kind, round, days_before, date, "
                "subject_type_id, subject_id, user_id, contact_id, recipient_key, email, due_at, "
                "action_id, answer, decision_number, status, attempts, last_error, message_id, "
                "created_at) SELECT u.*, %s, '', 0, 'planned', 0, '', '', %s "
                "FROM unnest(%s::text[], %s::text[], %s::int[], %s::date[], "
                "%s::int[], %s::bigint[], %s::bigint[], %s::bigint[], %s::text[], %s::text[], "
                "%s::timestamptz[]) AS u ON CONFLICT DO NOTHING",
                (action_id, now, *map(list, zip(*notices, strict=True))),
            )

    def run(self, action_ids: list[int]) -> list[float]:
        timings = []
        for action_id in action_ids:
            started = time.perf_counter()
            self.submit(action_id)
            timings.append(time.perf_counter() - started)
        return timings


def _written(action_ids: list[int]) -> dict:
    """What the transitions wrote for these actions (the two sides must agree)."""
    from backend.actions.models import Action, RoleAssignment
    from notifications.models import Notification
    from workflows.models import TransitionLog

    return {
        "consultation": Action.objects.filter(pk__in=action_ids, state="consultation").count(),
        "invited": RoleAssignment.objects.filter(action__in=action_ids, state="invited").count(),
        "log rows": TransitionLog.objects.filter(action__in=action_ids).count(),
        "notifications": Notification.objects.filter(action__in=action_ids).count(),
    }


def _queries_of_one(action_id: int, actors: dict) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backend.actions.models import Action
    from backend.actions.transitions import submit_action

    actor = actors[_territories([action_id])[action_id]]
    with CaptureQueriesContext(connection) as captured:
        submit_action(Action(pk=action_id), actor=actor)
    control = {"BEGIN", "COMMIT"}  # counted apart, as the floor's commit is
    return sum(query["sql"] not in control for query in captured.captured_queries)


def breakdown(action_ids: list[int], actors: dict) -> dict[str, float]:
    """Where one submit's time goes, in ms (averaged over these actions): the SQL statements
    (sent, executed, read back), the commit, the push to the broker after the commit, and the
    rest (Python: the ORM building queries and objects, the state machine, the guards, the
    effects)."""
    from django.db import connection
    from django.db.backends.base.base import BaseDatabaseWrapper

    from notifications.planning import rows as planning

    spent = {"statements": 0.0, "commit": 0.0, "push": 0.0}

    def statement(execute, sql, params, many, context):
        return accumulating(spent, "statements", execute)(sql, params, many, context)

    originals = BaseDatabaseWrapper._commit, planning.push
    BaseDatabaseWrapper._commit = accumulating(spent, "commit", originals[0])
    planning.push = accumulating(spent, "push", originals[1])
    try:
        with connection.execute_wrapper(statement):
            total = sum(run_service(action_ids, actors))
    finally:
        BaseDatabaseWrapper._commit, planning.push = originals
    spent["Python"] = total - spent["statements"] - spent["commit"] - spent["push"]
    return {name: 1000 * seconds / len(action_ids) for name, seconds in spent.items()}


BREAKDOWN = 100


def run(*, dsn: str, count: int = 2000) -> dict:
    """``count`` submits on each side (plus one whose queries are counted)."""
    say(f"transitions benchmark: {count:,} submits through the service, {count:,} in raw SQL")
    needed = 2 * count + 1 + BREAKDOWN
    ids = _drafts(needed)
    if len(ids) < needed:
        raise RuntimeError(f"only {len(ids)} draft actions to submit, {needed} needed")
    actors = _actors()
    spent = breakdown([ids.pop() for _ in range(BREAKDOWN)], actors)
    queries = _queries_of_one(ids.pop(), actors)  # caches warm, as in a running process
    service_ids, floor_ids = ids[0::2], ids[1::2]
    floor = Floor(dsn, actors)
    timings = {"service": [], "floor": []}
    elapsed = {"service": 0.0, "floor": 0.0}
    try:
        for start in range(0, count, BLOCK):
            for name, ids_ in (("floor", floor_ids), ("service", service_ids)):
                if (start // BLOCK) % 2:  # alternate which side goes first
                    name, ids_ = (
                        ("service", service_ids) if name == "floor" else ("floor", floor_ids)
                    )
                block = ids_[start : start + BLOCK]
                began = time.perf_counter()
                timings[name] += (
                    run_service(block, actors) if name == "service" else floor.run(block)
                )
                elapsed[name] += time.perf_counter() - began
            progress("transitions (each side)", min(count, start + BLOCK), count)
    finally:
        floor.close()
    written = {"service": _written(service_ids), "floor": _written(floor_ids)}
    roles = written["service"]["invited"]
    result = {
        "count": count,
        "queries": queries,
        "roles_per_action": roles / count,
        "written": written,
        "breakdown": spent,
    }
    for name in ("service", "floor"):
        result[name] = {
            "rate": count / elapsed[name],
            "seconds": elapsed[name],
            "median_ms": 1000 * median(timings[name]),
            "p95_ms": 1000 * sorted(timings[name])[int(0.95 * (len(timings[name]) - 1))],
        }
    result["ratio"] = result["floor"]["rate"] / result["service"]["rate"]
    result["ratio_median"] = result["service"]["median_ms"] / result["floor"]["median_ms"]
    say(
        f"    service {result['service']['rate']:,.0f}/s, floor {result['floor']['rate']:,.0f}/s: "
        f"{result['ratio']:.2f}x; written {written}"
    )
    return result
