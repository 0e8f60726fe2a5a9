"""The daily digest: the messages a person chose to receive once a day, in one e-mail.

The sweep parks those rows as ``in_digest``. Every business day at 08:30 the planner
(``notifications.plan_digests``, Celery beat) plans one DIGEST row per person who has some,
dated the day: running it twice plans nothing more, and a person whose previous
digest has not left yet (SMTP down) gets no second one. The sweep sends the digest row like any
other; the e-mail lists the parked rows grouped by territory then action, and once it has
left the sweep marks them ``digested`` (``mark_digested``). If sending fails they stay parked
and go with the retry.
"""

import datetime
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import User
from backend.actions.models import RoleAssignment
from backend.partners.models import Contact
from notifications.models import Kind, Notification, ReminderPolicy, Status
from notifications.planning.rows import cancel, notice, write
from notifications.planning.schedule import in_office_hours

DIGEST_AT = datetime.time(8, 30)
OFFICE_CLOSES = datetime.time(18, 0)
WAITING_TO_LEAVE = (Status.PLANNED, Status.CLAIMED)


def digest_time(now: datetime.datetime) -> datetime.datetime:
    """08:30 on a business day: now if the office is open, else the next opening."""
    hours = ReminderPolicy(send_from=DIGEST_AT, send_until=OFFICE_CLOSES)
    return in_office_hours(now, hours)


def plan_digests(now: datetime.datetime | None = None) -> int:
    """Plan today's digest for everyone with parked rows; returns how many were planned."""
    now = now or timezone.now()
    due_at = digest_time(now)
    day = timezone.localdate(due_at)
    parked = Notification.objects.filter(status=Status.IN_DIGEST)
    pending = Notification.objects.filter(kind=Kind.DIGEST, status__in=WAITING_TO_LEAVE)
    users = User.objects.filter(
        is_active=True, pk__in=parked.filter(user__isnull=False).values("user_id")
    ).exclude(pk__in=pending.filter(user__isnull=False).values("user_id"))
    contacts = Contact.objects.filter(
        pk__in=parked.filter(contact__isnull=False).values("contact_id")
    ).exclude(pk__in=pending.filter(contact__isnull=False).values("contact_id"))
    rows = [
        notice(Kind.DIGEST, subject=recipient, recipient=recipient, due_at=due_at, date=day)
        for recipient in [*users.order_by("pk"), *contacts.order_by("pk")]
    ]
    # Only the rows written now count: today's digest already sent is not planned again.
    return len(write([row for row in rows if row is not None]))


# --- rendering -------------------------------------------------------------------------------


def digest_items(digest: Notification) -> list[Notification]:
    """The rows parked for the digest's recipient, each with its role if it is about one
    (two queries in all)."""
    owner = Q(user_id=digest.user_id) if digest.user_id else Q(contact_id=digest.contact_id)
    items = list(
        Notification.objects.filter(owner, status=Status.IN_DIGEST)
        .select_related("action__project__territory")
        .order_by("due_at", "id")
    )
    role_type = ContentType.objects.get_for_model(RoleAssignment).pk
    role_ids = {item.subject_id for item in items if item.subject_type_id == role_type}
    roles = RoleAssignment.objects.select_related("organisation", "contact").in_bulk(role_ids)
    for item in items:
        item.role = roles.get(item.subject_id) if item.subject_type_id == role_type else None
    return items


def group_items(items: list[Notification]) -> list[dict]:
    """[{"territory", "actions": [{"action", "items"}]}], territories and actions by name;
    rows about no action come last."""
    by_action = defaultdict(list)
    for item in items:
        by_action[item.action].append(item)
    by_territory = defaultdict(list)
    for action, rows in by_action.items():
        territory = action.project.territory if action else None
        by_territory[territory].append({"action": action, "items": rows})
    return [
        {
            "territory": territory,
            "actions": sorted(groups, key=lambda g: (g["action"] is None, _title(g["action"]))),
        }
        for territory, groups in sorted(
            by_territory.items(), key=lambda pair: (pair[0] is None, _title(pair[0], "name"))
        )
    ]


def _title(obj, attribute: str = "title") -> str:
    return getattr(obj, attribute, "").casefold() if obj is not None else ""


def mark_digested(items: list[Notification], message_id: str) -> None:
    """The digest listing these rows has left: they are ``digested`` (those still parked)."""
    Notification.objects.filter(pk__in=[item.pk for item in items], status=Status.IN_DIGEST).update(
        status=Status.DIGESTED, sent_at=timezone.now(), message_id=message_id
    )


def drop_parked(kind: str, *, user=None, contact=None) -> int:
    """Rows of ``kind`` parked for this person's digest are not sent after all (the person
    turned that kind off); a digest planned with nothing left to list is cancelled."""
    owner = {"user": user} if user is not None else {"contact": contact}
    mine = Notification.objects.filter(**owner)
    dropped = mine.filter(status=Status.IN_DIGEST, kind=kind).update(status=Status.SKIPPED)
    if dropped and not mine.filter(status=Status.IN_DIGEST).exists():
        cancel(mine.filter(kind=Kind.DIGEST))
    return dropped
