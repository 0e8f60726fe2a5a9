"""The small vocabulary that transitions are declared with.

A transition (django-fsm-2's ``@transition``) names its source and target, a list of
``Guard`` conditions and a ``Permission``. Both explain themselves: ``explain`` tells why
a transition is refused, in words, without firing it. The engine knows no model: the machines
live beside their models, in the apps that own them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from django.utils.translation import gettext_lazy as _
from django_fsm import FSMFieldMixin


class Guard:
    """A named condition on the instance, with the reason to show when it does not hold.

    ``reason`` may be a string or a callable (instance -> string) for a precise message.
    """

    def __init__(self, check: Callable[[object], bool], reason):
        self.check = check
        self.reason = reason
        self.__name__ = getattr(check, "__name__", "guard")

    def __call__(self, instance) -> bool:
        return bool(self.check(instance))

    def explain(self, instance) -> str:
        return str(self.reason(instance) if callable(self.reason) else self.reason)


class Permission(Protocol):
    """What a transition's ``permission=`` is to the engine: a callable (django-fsm asks it
    ``permission(instance, user)``) that also says why it refuses, and who it lets through in
    words. The project's own live beside the machines (``backend.accounts.permissions``)."""

    def __call__(self, instance, user) -> bool: ...

    def refusal(self, instance, user) -> str | None: ...

    def who(self) -> str: ...


class Refusal(StrEnum):
    """Why a transition cannot be fired: decides the HTTP status (409 or 403)."""

    STATE = "state"
    GUARD = "guard"
    PERMISSION = "permission"


@dataclass(frozen=True)
class Availability:
    name: str
    target: str | None
    allowed: bool
    reason: str = ""
    refusal: Refusal | None = None


def fsm_field(model_or_instance, field_name: str = "state") -> FSMFieldMixin:
    field = model_or_instance._meta.get_field(field_name)
    assert isinstance(field, FSMFieldMixin)
    return field


_tables: dict[tuple[type, str], dict[str, dict]] = {}


def transitions_of(model, field_name: str = "state") -> dict[str, dict]:
    """Every declared transition of a model: name -> {source: django_fsm Transition}.
    Transitions are declared with the class: the table is built once per model (a subclass
    that declares more has its own)."""
    table = _tables.get((model, field_name))
    if table is None:
        table = {}
        for transition in fsm_field(model, field_name).get_all_transitions(model):
            table.setdefault(transition.name, {})[transition.source] = transition
        _tables[(model, field_name)] = table
    return table


def declared(model, name: str, key: str, field_name: str = "state"):
    """What a transition declares under ``key`` in its ``custom={...}`` (from any source)."""
    for transition in transitions_of(model, field_name).get(name, {}).values():
        if key in transition.custom:
            return transition.custom[key]
    return None


def transition_label(model, name: str, field_name: str = "state") -> str:
    """A transition's name for people, as declared (``custom={"label": ...}``), lower case:
    a button says it with a capital (``capfirst``), the diagram as it is."""
    label = declared(model, name, "label", field_name)
    return str(label) if label else name


def transition_done(model, name: str, field_name: str = "state") -> str:
    """What a history says of a transition once fired: its ``custom={"done": ...}`` (« a
    accepté », « approuvée par le conseil »), else its label."""
    done = declared(model, name, "done", field_name)
    return str(done) if done else transition_label(model, name, field_name)


def state_label(instance, state: str, field_name: str = "state") -> str:
    return str(dict(fsm_field(instance, field_name).choices).get(state, state))


def shared_by_guards(instance, key: str, load: Callable[[], object]):
    """What several guards of one check read (``load()`` runs once per ``explain``)."""
    memo = instance.__dict__.setdefault("_guard_memo", {})
    if key not in memo:
        memo[key] = load()
    return memo[key]


def explain(instance, name: str, user, field_name: str = "state") -> Availability:
    """Can ``user`` fire transition ``name`` on ``instance`` now? If not, why not."""
    instance.__dict__.pop("_guard_memo", None)  # each check reads the world afresh
    by_source = transitions_of(type(instance), field_name)[name]
    state = getattr(instance, field_name)
    transition = by_source.get(state) or by_source.get("*")
    if transition is None:
        targets = {t.target for t in by_source.values()}
        return Availability(
            name,
            targets.pop() if len(targets) == 1 else None,
            False,
            str(
                _("Impossible depuis l'état « %(state)s ».")
                % {"state": state_label(instance, state, field_name)}
            ),
            Refusal.STATE,
        )
    refusal_of = getattr(transition.permission, "refusal", None)  # a Permission
    if refusal_of is not None:
        refusal = refusal_of(instance, user)
        if refusal:
            return Availability(name, transition.target, False, refusal, Refusal.PERMISSION)
    for guard in transition.conditions:
        if not guard(instance):
            reason = (
                guard.explain(instance)
                if isinstance(guard, Guard)
                else str(_("Condition non remplie."))
            )
            return Availability(name, transition.target, False, reason, Refusal.GUARD)
    return Availability(name, transition.target, True)
