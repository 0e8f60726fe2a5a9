"""The engine that performs a transition of any workflow: lock, check, fire, save, log, and
write the webhook outbox rows of the log rows (``webhooks.outbox``: every transition reaches
the registered endpoints, whichever service fired it).

It does nothing else. What a business transition does besides (invite the roles, plan the
notices, put the action on an agenda…) is written, step by step, in the service of that
transition, in the app that owns it (``backend.actions.transitions``,
``backend.board.transitions``, ``backend.evaluations.transitions``): the service calls
``perform_transition`` (or ``perform_locked_transitions`` for many rows of one model), then
its steps by name, in one transaction.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from webhooks.outbox import record_transitions
from workflows.engine import Refusal, explain, transitions_of
from workflows.errors import (
    InvalidTransitionInput,
    TransitionConflict,
    TransitionForbidden,
    UnknownTransition,
)
from workflows.models import TransitionLog
from workflows.stays import record_stays


def actor_label(actor) -> str:
    if actor is None:
        return str(_("automatique"))
    label = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return label or str(actor)


def _log_row(
    subject, name, source, target, *, actor, comment, automatic, label, at=None, details=None
):
    staff = getattr(actor, "pk", None) and hasattr(actor, "is_staff_member")
    return TransitionLog(
        subject_type_id=ContentType.objects.get_for_model(subject).pk,
        subject_id=subject.pk,
        action_id=subject.log_action_id,
        transition=name,
        source=source,
        target=target,
        actor_id=actor.pk if staff else None,
        actor_label=label or actor_label(actor),
        automatic=automatic,
        comment=comment,
        details=details,
        **({"at": at} if at is not None else {}),
    )


def log_transition(
    subject, name, source, target, *, actor, comment="", automatic=False, label="", details=None
):
    """An audit row for an event that changes no state (a link read, an address changed, a
    role amended: ``details`` says what it was before)."""
    row = _log_row(
        subject,
        name,
        source,
        target,
        actor=actor,
        comment=comment,
        automatic=automatic,
        label=label,
        details=details,
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


def lock(model, pk):
    """The row, locked for the rest of the transaction, with what its checks read
    (``workflow_lock_related``: the relations its permission and guards follow)."""
    related = getattr(model, "workflow_lock_related", ())
    rows = model.objects.select_for_update(of=("self",)).select_related(*related)
    return rows.get(pk=pk)


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
    """Fire ``name`` on ``instance`` for ``actor`` (None with ``automatic``: the system), in
    a transaction of its own (a savepoint inside the caller's).

    Returns the saved instance, reloaded under lock. Raises UnknownTransition (404),
    TransitionForbidden (403), TransitionConflict (409) or InvalidTransitionInput (400).
    """
    with transaction.atomic():
        return run_transition(
            instance,
            name,
            actor=actor,
            comment=comment,
            params=params,
            automatic=automatic,
            actor_display=actor_display,
        )


def run_transition(
    instance,
    name: str,
    *,
    actor,
    comment: str = "",
    params: dict | None = None,
    automatic: bool = False,
    actor_display: str = "",
):
    """``perform_transition`` inside the transaction of a service that has steps to run
    after it: a refusal rolls back the service as a whole."""
    model = type(instance)
    if name not in transitions_of(model):
        raise UnknownTransition(_("Transition inconnue : « %(name)s ».") % {"name": name})
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("run_transition needs a transaction.")
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
    ``bulk_create(update_conflicts=True)`` saves them (``save`` for one row) and one
    ``bulk_create`` writes their log rows, two statements their passages through the states
    (``workflows.stays``: for a model with ``workflow_stays``), and one statement the webhook
    deliveries of those rows (``webhooks.outbox``). An error spoils the caller's transaction (no
    savepoint: the caller holds the locks and rolls back as a whole).
    """
    if not instances:
        return
    model = type(instances[0])
    comment = (comment or "").strip()
    with transaction.atomic(savepoint=False):
        declared = [check_transition(row, name, actor, automatic=automatic) for row in instances]
        if any(d.custom.get("comment_required") for d in declared) and not comment:
            raise InvalidTransitionInput(
                _("Un commentaire est obligatoire pour cette transition."), field="comment"
            )
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        before = [[getattr(row, f.attname) for f in fields] for row in instances]
        sources = []
        for row in instances:
            sources.append(row.state)
            getattr(row, name)(**(params or {}))
        now = timezone.now()  # one time for the rows saved and logged together
        changed = _changed(instances, fields, before, now)
        if len(instances) == 1:
            instances[0].save(update_fields=changed)  # a plain UPDATE, cheaper to build
        else:  # one INSERT … ON CONFLICT (id) DO UPDATE: cheaper to build than bulk_update's CASE
            model.objects.bulk_create(
                instances, update_conflicts=True, unique_fields=["pk"], update_fields=changed
            )
        label = actor_display or actor_label(actor)
        logs = TransitionLog.objects.bulk_create(
            _log_row(
                row,
                name,
                source,
                row.state,
                actor=actor,
                comment=comment,
                automatic=automatic,
                label=label,
                at=now,
            )
            for row, source in zip(instances, sources, strict=True)
        )
        # The passages through the states, beside the log (the models that keep them).
        if getattr(model, "workflow_stays", False):
            record_stays(logs)
        # The webhooks of these transitions: outbox rows in this transaction (one statement),
        # sent by the worker after the commit. The model names its event (None: no webhooks).
        record_transitions(logs, getattr(model, "webhook_event", ""))


def _changed(instances: list, fields: list, before: list, now) -> list[str]:
    """The fields the transition changed on any row, and the ``auto_now`` ones (set to
    ``now``: ``bulk_update`` leaves them to the caller)."""
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
    return sorted(changed)
