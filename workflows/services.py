"""The one service that performs a transition of any workflow.

It locks the row, checks the transition (state, permission, guards), fires it, saves, writes
the log row and runs the effects registered for that transition, all in one transaction.
Effects may write rows (roles invited, notifications planned) and schedule work with
``transaction.on_commit``; nothing leaves the process before the commit.
"""

from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

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


def effect(model: type, name: str):
    """Register ``func(instance, *, actor, comment, source)`` to run inside the transaction
    of every ``name`` transition of ``model``, after the state has been saved."""

    def register(func: Effect) -> Effect:
        _effects[(model, name)].append(func)
        return func

    return register


def actor_label(actor) -> str:
    if actor is None:
        return str(_("automatique"))
    label = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return label or str(actor)


def log_transition(subject, name, source, target, *, actor, comment="", automatic=False, label=""):
    return TransitionLog.objects.create(
        subject=subject,
        action_id=subject.log_action_id,
        transition=name,
        source=source,
        target=target,
        actor=actor if getattr(actor, "pk", None) and hasattr(actor, "is_staff_member") else None,
        actor_label=label or actor_label(actor),
        automatic=automatic,
        comment=comment,
    )


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
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=instance.pk)
        declared = check_transition(locked, name, actor, automatic=automatic)
        if declared.custom.get("comment_required") and not comment:
            raise InvalidTransitionInput(
                _("Un commentaire est obligatoire pour cette transition."), field="comment"
            )
        source = locked.state
        getattr(locked, name)(**(params or {}))
        locked.save()
        log_transition(
            locked,
            name,
            source,
            locked.state,
            actor=actor,
            comment=comment,
            automatic=automatic,
            label=actor_display,
        )
        for run in _effects[(model, name)]:
            run(locked, actor=actor, comment=comment, source=source)
    return locked
