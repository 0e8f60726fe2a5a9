"""The one service that performs a transition of any workflow.

It locks the row, checks the transition (state, permission, guards), fires it, saves, writes
the log row and runs the effects registered for that transition, all in one transaction.
Effects may write rows (roles invited, notifications planned) and schedule work with
``transaction.on_commit``; nothing leaves the process before the commit.

An effect that fires the same transition on several rows at once (opening a consultation
invites every proposed role) locks them in one query and hands them to
``perform_locked_transitions``: one UPDATE for all. The log rows of a transition and of all
the transitions its effects fire are written in one INSERT after its last effect.
Apps may also wrap the outermost transition in a ``scope`` (the notifications app collects
the rows planned by every effect and writes them in one statement at its end).
"""

import contextlib
import contextvars
import threading
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.core.baked import Baked
from backend.core.rows import insert_rows, update_rows
from workflows.engine import Refusal, explain, transitions_of
from workflows.errors import (
    InvalidTransitionInput,
    TransitionConflict,
    TransitionForbidden,
    UnknownTransition,
)
from workflows.models import TransitionLog

Effect = Callable[..., None]
_effects: dict[tuple[type, str], list[Effect]] = defaultdict(list)
_scopes: list[Callable[[], AbstractContextManager]] = []
_nesting = threading.local()


def effect(model: type, name: str):
    """Register ``func(instance, *, actor, comment, source)`` to run inside the transaction
    of every ``name`` transition of ``model``, after the state has been saved."""

    def register(func: Effect) -> Effect:
        _effects[(model, name)].append(func)
        return func

    return register


def scope(factory: Callable[[], AbstractContextManager]):
    """Register a context manager entered around every outermost transition, inside its
    transaction: its exit runs after the last effect, before the commit (on success only if
    it checks for an exception)."""
    _scopes.append(factory)
    return factory


def actor_label(actor) -> str:
    if actor is None:
        return str(_("automatique"))
    label = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return label or str(actor)


def _log_values(subject, name, source, target, *, actor, comment, automatic, label) -> dict:
    staff = getattr(actor, "pk", None) and hasattr(actor, "is_staff_member")
    return {
        "subject_type_id": ContentType.objects.get_for_model(subject).pk,
        "subject_id": subject.pk,
        "action_id": subject.log_action_id,
        "transition": name,
        "source": source,
        "target": target,
        "actor_id": actor.pk if staff else None,
        "actor_label": label or actor_label(actor),
        "automatic": automatic,
        "comment": comment,
    }


def log_transition(subject, name, source, target, *, actor, comment="", automatic=False, label=""):
    row = TransitionLog(
        **_log_values(
            subject,
            name,
            source,
            target,
            actor=actor,
            comment=comment,
            automatic=automatic,
            label=label,
        )
    )
    row.save()
    return row


def check_transition(instance, name: str, actor, *, automatic: bool = False):
    """Raise the error a transition would meet now; return its declaration otherwise."""
    table = transitions_of(type(instance))
    if name not in table:
        raise UnknownTransition(_("Transition inconnue : « %(name)s ».") % {"name": name})
    availability = explain(instance, name, None if automatic else actor)
    if not availability.allowed:
        if availability.refusal is Refusal.PERMISSION:
            raise TransitionForbidden(availability.reason)
        raise TransitionConflict(availability.reason)
    return table[name].get(instance.state) or table[name].get("*")


_lock_queries: dict[type, Baked] = {}


def lock(model, pk):
    """The row, locked for the rest of the transaction, with what its checks read
    (``workflow_lock_related``: the relations its permission and guards follow)."""
    query = _lock_queries.get(model)
    if query is None:
        related = getattr(model, "workflow_lock_related", ())

        def locked(pk):
            rows = model.objects.select_for_update(of=("self",)).filter(pk=pk)
            return rows.select_related(*related) if related else rows

        query = _lock_queries[model] = Baked(locked)
    found = query(pk)
    if not found:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    return found[0]


def perform_transition(
    instance,
    name: str,
    *,
    actor,
    comment: str = "",
    params: dict | None = None,
    automatic: bool = False,
    actor_display: str = "",
):
    """Fire ``name`` on ``instance`` for ``actor`` (None with ``automatic``: the system).

    Returns the saved instance, reloaded under lock. Raises UnknownTransition (404),
    TransitionForbidden (403), TransitionConflict (409) or InvalidTransitionInput (400).
    """
    model = type(instance)
    if name not in transitions_of(model):
        raise UnknownTransition(_("Transition inconnue : « %(name)s ».") % {"name": name})
    with transaction.atomic():
        locked = lock(model, instance.pk)
        perform_locked_transitions(
            [locked],
            name,
            actor=actor,
            comment=comment,
            params=params,
            automatic=automatic,
            actor_display=actor_display,
        )
    return locked


def perform_locked_transitions(
    instances: list,
    name: str,
    *,
    actor,
    comment: str = "",
    params: dict | None = None,
    automatic: bool = False,
    actor_display: str = "",
) -> None:
    """Fire ``name`` on rows of one model that the caller has locked in its transaction.

    Every row is checked first (the first refusal raises, nothing is written); then one
    statement saves them, their log rows join those of the outermost transition (written
    after its last effect), and the effects run row by row. An
    error spoils the caller's transaction (no savepoint: the caller holds the locks and
    rolls back as a whole).
    """
    if not instances:
        return
    model = type(instances[0])
    comment = (comment or "").strip()
    with transaction.atomic(savepoint=False), _OutermostScope():
        declared = [check_transition(row, name, actor, automatic=automatic) for row in instances]
        if any(d.custom.get("comment_required") for d in declared) and not comment:
            raise InvalidTransitionInput(
                _("Un commentaire est obligatoire pour cette transition."), field="comment"
            )
        fields = _fields(model)
        before = [[getattr(row, f.attname) for f in fields] for row in instances]
        sources = []
        for row in instances:
            sources.append(row.state)
            getattr(row, name)(**(params or {}))
        now = timezone.now()  # one time for the rows saved and logged together
        _save(model, instances, fields, before, now)
        label = actor_display or actor_label(actor)
        _pending_logs.get().extend(
            SimpleNamespace(
                **_log_values(
                    row,
                    name,
                    source,
                    row.state,
                    actor=actor,
                    comment=comment,
                    automatic=automatic,
                    label=label,
                ),
                at=now,
            )
            for row, source in zip(instances, sources, strict=True)
        )
        for run in _effects[(model, name)]:
            for row, source in zip(instances, sources, strict=True):
                run(row, actor=actor, comment=comment, source=source)


def _fields(model) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _save(model, instances: list, fields: list, before: list, now) -> None:
    """One UPDATE of the fields the transition changed, for every row (``auto_now`` fields
    set to ``now``)."""
    changed = {
        field.name
        for row, old in zip(instances, before, strict=True)
        for field, value in zip(fields, old, strict=True)
        if getattr(row, field.attname) != value
    }
    for field in fields:
        if getattr(field, "auto_now", False):
            for row in instances:
                setattr(row, field.attname, now)
            changed.add(field.name)
    update_rows(model, instances, sorted(changed))


LOG_FIELDS = [
    "subject_type",
    "subject_id",
    "action",
    "transition",
    "source",
    "target",
    "actor",
    "actor_label",
    "automatic",
    "comment",
    "at",
]


# The log rows of the current outermost transition and of those its effects fire.
_pending_logs: contextvars.ContextVar[list] = contextvars.ContextVar("logs")


@contextlib.contextmanager
def _logs_written_at_end():
    """One INSERT for the log rows of a transition and of every transition its effects fire,
    after its last effect (on success only: an error rolls everything back anyway)."""
    rows: list[TransitionLog] = []
    token = _pending_logs.set(rows)
    try:
        yield
        insert_rows(TransitionLog, rows, LOG_FIELDS)
    finally:
        _pending_logs.reset(token)


class _OutermostScope(ExitStack):
    """Enters the registered scopes around the outermost transition only."""

    def __enter__(self):
        super().__enter__()
        depth = getattr(_nesting, "depth", 0)
        _nesting.depth = depth + 1
        self.callback(setattr, _nesting, "depth", depth)
        if depth == 0:
            self.enter_context(_logs_written_at_end())
            for factory in _scopes:
                self.enter_context(factory())
        return self
