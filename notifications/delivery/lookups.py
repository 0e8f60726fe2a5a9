"""What a batch of e-mails reads from the database, read once for the whole batch.

The sweep claims up to 100 rows at a time. Rendering one e-mail needs more than its row (which
the claim loads with its recipient and action): the role it is about, the action's other roles,
the evaluation, board session or webhook of the other kinds. Read row by row, that was one query per
e-mail, the largest single cost of building it. ``Lookups.for_rows(rows)`` reads all of it in
a constant number of queries (at most one per kind of lookup the batch needs: roles, then one
per type of subject), and ``build_message`` takes what it needs from it. Whatever
``build_message`` is not given (one e-mail built alone) it reads for that one row.

Also read once a batch: the thread of each recipient's e-mails about each action (the
Message-IDs already sent to them about it: a new e-mail answers the last and refers to the
first), and the board's decisions on the actions of decision e-mails (with the evaluation plan
an approval made).

Still read per e-mail, on purpose: a digest's items (a digest is one e-mail per person a day;
kept here, so that once the digest has left the sweep marks exactly the items it listed) and
the agenda's iCalendar invitation, which is written for each recipient.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from backend.actions.models import RoleAssignment, RoleState
from backend.board.models import BoardDecision
from backend.evaluations.models import Evaluation
from notifications.delivery.digest import digest_items
from notifications.models import Kind, Notification, Status

# The kinds whose e-mail shows the role they are about, and those that list the action's roles.
ABOUT_A_ROLE = frozenset(
    {
        Kind.INVITATION,
        Kind.REMINDER,
        Kind.ANSWER_RECEIVED,
        Kind.ROLE_WITHDRAWN,
        Kind.CONSULTATION_REVISED,
        Kind.ACTION_WITHDRAWN,
    }
)
LISTING_ROLES = frozenset({Kind.ANSWER_RECEIVED, Kind.ESCALATION, Kind.CONSULTATION_COMPLETE})
# Kinds whose builder (see emails.BUILDERS) reads no subject besides the role or action.
WITHOUT_SUBJECT = ABOUT_A_ROLE | LISTING_ROLES | {Kind.DIGEST, Kind.BOARD_DECISION}
# Relations that a subject's ``__str__`` or the agenda's invitation follows.
SUBJECT_RELATIONS = ("action", "project", "reporting_role__organisation")
SUBJECT_PREFETCH = {
    "board.boardsession": ("members", "staff_invited"),
    "evaluations.evaluation": ("indicators",),
}


@dataclass
class Lookups:
    roles: dict[int, RoleAssignment] = field(default_factory=dict)
    roles_of_action: dict[int, list[RoleAssignment]] = field(default_factory=dict)
    subjects: dict[tuple[int, int], object] = field(default_factory=dict)
    digests: dict[int, list[Notification]] = field(default_factory=dict)
    # (action id, recipient key) -> the Message-IDs sent to them about it, oldest first
    threads: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    # action id -> (its decisions, oldest first; its evaluation or None)
    decided: dict[int, tuple[list[BoardDecision], Evaluation | None]] = field(default_factory=dict)

    @classmethod
    def for_rows(cls, rows: list[Notification]) -> "Lookups":
        lookups = cls()
        lookups._read_roles_of(rows)
        lookups._read_subjects(rows)
        lookups._read_threads(rows)
        lookups._read_decisions({row.action_id for row in rows if row.kind == Kind.BOARD_DECISION})
        return lookups

    def thread(self, notification: Notification) -> list[str]:
        """The Message-IDs already sent to this recipient about this action, oldest first."""
        key = (notification.action_id, notification.recipient_key)
        if key not in self.threads:
            self._read_threads([notification])
        return self.threads[key]

    def sent(self, notification: Notification, message_id: str) -> None:
        """An e-mail of the batch has left: the next ones to the same person follow it."""
        if notification.action_id:
            self.thread(notification).append(message_id)

    def decisions(self, notification: Notification):
        """(the decisions on the row's action, oldest first; the action's evaluation)."""
        if notification.action_id not in self.decided:
            self._read_decisions({notification.action_id})
        return self.decided[notification.action_id]

    def role(self, notification: Notification) -> RoleAssignment:
        """The role the row is about; ValueError if it is about something else or is gone."""
        if notification.subject_type_id != _role_type():
            raise ValueError(f"notification {notification.pk} is not about a RoleAssignment")
        if notification.subject_id not in self.roles:
            self._read_roles(role_ids={notification.subject_id})
        try:
            return self.roles[notification.subject_id]
        except KeyError:
            raise ValueError(f"notification {notification.pk}: its role no longer exists") from None

    def action_roles(self, notification: Notification) -> list[RoleAssignment]:
        """Every role of the row's action, by id, the withdrawn ones left out."""
        if notification.action_id not in self.roles_of_action:
            self._read_roles(action_ids={notification.action_id})
        return self.roles_of_action[notification.action_id]

    def subject(self, notification: Notification):
        """What a row is about: a session, an evaluation, a webhook (None if it no longer
        exists)."""
        key = (notification.subject_type_id, notification.subject_id)
        if key not in self.subjects:
            self._read_subjects([notification], every_kind=True)
        return self.subjects[key]

    def digest_items(self, digest: Notification) -> list[Notification]:
        """The rows a digest lists (read when its e-mail is built, the same list after)."""
        if digest.pk not in self.digests:
            self.digests[digest.pk] = digest_items(digest)
        return self.digests[digest.pk]

    # --- reading -------------------------------------------------------------------------

    def _read_roles_of(self, rows: list[Notification]) -> None:
        role_type = _role_type()
        self._read_roles(
            role_ids={
                row.subject_id
                for row in rows
                if row.kind in ABOUT_A_ROLE and row.subject_type_id == role_type
            },
            action_ids={row.action_id for row in rows if row.kind in LISTING_ROLES},
        )

    def _read_roles(self, role_ids=frozenset(), action_ids=frozenset()) -> None:
        """Roles by id and every role of some actions: one query."""
        if not role_ids and not action_ids:
            return
        roles = RoleAssignment.objects.filter(
            Q(pk__in=role_ids) | Q(action_id__in=action_ids)
        ).select_related("organisation", "contact", "action__social_worker")
        listed = {action_id: [] for action_id in action_ids}
        for role in roles.order_by("pk"):
            self.roles[role.pk] = role
            if role.action_id in listed and role.state != RoleState.WITHDRAWN:
                listed[role.action_id].append(role)
        self.roles_of_action.update(listed)

    def _read_threads(self, rows: list[Notification]) -> None:
        """What was sent to these recipients about these actions: one query."""
        keys = {(row.action_id, row.recipient_key) for row in rows if row.action_id}
        keys -= set(self.threads)
        if not keys:
            return
        for key in keys:
            self.threads[key] = []
        sent = Notification.objects.filter(
            action_id__in={action_id for action_id, _ in keys},
            recipient_key__in={recipient for _, recipient in keys},
            status=Status.SENT,
        ).exclude(message_id="")
        for action_id, recipient, message_id in sent.order_by("sent_at", "id").values_list(
            "action_id", "recipient_key", "message_id"
        ):
            if (action_id, recipient) in keys:
                self.threads[(action_id, recipient)].append(message_id)

    def _read_decisions(self, action_ids: set[int]) -> None:
        """The decisions on these actions with their sessions, and their evaluations with
        the indicators: three queries."""
        action_ids = {pk for pk in action_ids if pk and pk not in self.decided}
        if not action_ids:
            return
        decisions = BoardDecision.objects.filter(action_id__in=action_ids).select_related("session")
        evaluations = Evaluation.objects.filter(action_id__in=action_ids).prefetch_related(
            "indicators"
        )
        by_action = {pk: [] for pk in action_ids}
        for decision in decisions.order_by("id"):
            by_action[decision.action_id].append(decision)
        evaluation_of = {evaluation.action_id: evaluation for evaluation in evaluations}
        for pk in action_ids:
            self.decided[pk] = (by_action[pk], evaluation_of.get(pk))

    def _read_subjects(self, rows: list[Notification], every_kind: bool = False) -> None:
        """The rows' subjects: one query per type of subject."""
        wanted = defaultdict(set)
        for row in rows:
            if every_kind or row.kind not in WITHOUT_SUBJECT:
                wanted[row.subject_type_id].add(row.subject_id)
        for type_id, ids in wanted.items():
            content_type = ContentType.objects.get_for_id(type_id)
            model = content_type.model_class()
            found = {}
            if model is not None:
                names = {f.name for f in model._meta.get_fields() if f.many_to_one}
                objects = model._default_manager.filter(pk__in=ids).select_related(
                    *(name for name in SUBJECT_RELATIONS if name.split("__")[0] in names)
                )
                label = f"{content_type.app_label}.{content_type.model}"
                found = objects.prefetch_related(*SUBJECT_PREFETCH.get(label, ())).in_bulk()
            for pk in ids:
                self.subjects[(type_id, pk)] = found.get(pk)


def _role_type() -> int:
    return ContentType.objects.get_for_model(RoleAssignment).pk
