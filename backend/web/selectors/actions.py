"""The action page's queries: the action with what the page shows, its role matrix and its
timeline (the transition log of the action and its roles, merged with the e-mails sent)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from backend.accounts import scoping
from backend.actions.link_access import READ_LINK, REVOKE_LINK, link_refusal
from backend.actions.models import Action, ActionState, RoleAssignment, RoleKind, RoleState
from backend.actions.role_machine import OPEN_ROLE_STATES
from backend.actions.services import (
    EDITABLE_ROLE_STATES,
    HELD_FIELDS,
    ROLE_AMENDED,
    asked_again_once_amended,
    held_by,
)
from backend.partners.models import Contact, Organisation
from backend.territories.models import Finding
from notifications.models import Notification
from workflows.engine import explain, state_label, transition_done
from workflows.models import TransitionLog

# What the history says of a role's row that records a fact, not a transition.
ROLE_FACTS = {
    "contact_email_changed": _("adresse e-mail de l'interlocuteur modifiée"),
    READ_LINK: _("lien personnel consulté"),
    REVOKE_LINK: _("lien personnel remplacé"),
}
# What an amendment of a role's row names (``backend.actions.services.HELD_FIELDS``).
AMENDED_LABELS = {
    "kind": _("rôle"),
    "organisation": _("organisation"),
    "contact": _("interlocuteur"),
}
KIND_ORDER = {kind: position for position, kind in enumerate(RoleKind.values)}


def action_queryset(user):
    roles = RoleAssignment.objects.select_related("organisation", "contact")
    return (
        scoping.actions_for(user)
        .select_related(
            "project__territory",
            "axis",
            "commune",
            "neighbourhood",
            "board_session",
            "social_worker",
            "evaluation",
        )
        .prefetch_related(
            Prefetch("roles", queryset=roles),
            Prefetch("findings", queryset=Finding.objects.order_by("kind", "id")),
        )
    )


def recipient(notification: Notification) -> str:
    person = notification.user or notification.contact
    if person is None:
        return notification.email
    name = person.get_full_name() if hasattr(person, "get_full_name") else person.full_name
    return f"{name} <{notification.email}>" if name else notification.email


def timeline(action: Action, roles: dict, notifications: list) -> list[dict]:
    """The transition log of the action and of its roles, merged with the e-mails sent,
    oldest first."""
    action_type = ContentType.objects.get_for_model(Action).pk
    role_type = ContentType.objects.get_for_model(RoleAssignment).pk
    entries = []
    logs = list(TransitionLog.objects.filter(action=action).order_by("at", "id"))
    held_then = _held_then(logs, roles, role_type)
    names = _names_of_amended(logs, roles)
    for log in logs:
        if log.subject_type_id == action_type:
            entry = {
                "kind": "action",
                "title": capfirst(transition_done(Action, log.transition)),
                "change": (ActionState(log.source).label, ActionState(log.target).label),
            }
        elif log.subject_type_id != role_type:  # the action's evaluation, for one
            model = ContentType.objects.get_for_id(log.subject_type_id).model_class()
            entry = {
                "kind": model._meta.model_name,
                "title": f"{capfirst(model._meta.verbose_name)} : "
                f"{transition_done(model, log.transition)}",
                "change": (state_label(model, log.source), state_label(model, log.target)),
            }
        else:
            held = held_then[log.pk]
            entry = {
                "kind": "role",
                "title": _("Rôle %(kind)s de %(organisation)s : %(what)s")
                % {
                    "kind": _kind_label(held.get("kind")),
                    "organisation": names["organisation"].get(held.get("organisation"), "?"),
                    "what": _amendment(log, names)
                    if log.transition == ROLE_AMENDED
                    else ROLE_FACTS.get(log.transition)
                    or transition_done(RoleAssignment, log.transition),
                },
                "change": None  # a row that records a fact, not a state change
                if log.source == log.target
                else (RoleState(log.source).label, RoleState(log.target).label),
            }
        entry.update(at=log.at, actor=log.actor_label, comment=log.comment)
        entries.append(entry)
    for notification in notifications:
        if notification.sent_at is None:
            continue
        entries.append(
            {
                "kind": "email",
                "title": _("E-mail envoyé : %(kind)s") % {"kind": notification.get_kind_display()},
                "change": None,
                "at": notification.sent_at,
                "actor": _("à %(recipient)s") % {"recipient": recipient(notification)},
                "comment": "",
            }
        )
    entries.sort(key=lambda entry: entry["at"])
    return entries


def _held_then(logs: list, roles: dict, role_type: int) -> dict[int, dict]:
    """Who held each role (its kind, organisation, contact) when each of its log rows was
    written: the role as it is now, its amendments undone from the newest back."""
    now = {pk: {name: held_by(role, name) for name in HELD_FIELDS} for pk, role in roles.items()}
    then = {}
    for log in reversed(logs):
        if log.subject_type_id != role_type:
            continue
        held = now.setdefault(log.subject_id, {})
        if log.transition == ROLE_AMENDED:
            held.update({name: before for name, (before, _after) in (log.details or {}).items()})
        then[log.pk] = dict(held)  # an amendment's row: who held the role before it
    return then


def _names_of_amended(logs: list, roles: dict) -> dict[str, dict]:
    """The names of the organisations of the roles, and of the organisations and contacts roles
    were amended from and to (one query each, none without an amendment)."""
    ids = {"organisation": set(), "contact": set()}
    for log in logs:
        if log.transition == ROLE_AMENDED:
            for name, values in (log.details or {}).items():
                if name in ids:
                    ids[name].update(value for value in values if value is not None)
    organisations = {role.organisation_id: role.organisation.name for role in roles.values()}
    if ids["organisation"] - organisations.keys():
        found = Organisation.objects.filter(pk__in=ids["organisation"] - organisations.keys())
        organisations.update(found.values_list("pk", "name"))
    contacts = {}
    if ids["contact"]:
        contacts = {c.pk: c.full_name for c in Contact.objects.filter(pk__in=ids["contact"])}
    return {"organisation": organisations, "contact": contacts}


def _kind_label(kind) -> str:
    return RoleKind(kind).label if kind in RoleKind.values else "?"


def _amendment(log: TransitionLog, names: dict) -> str:
    """« rôle modifié : rôle pilote → co-pilote ; organisation A → B »."""
    parts, details = [], log.details or {}
    for name in [name for name in HELD_FIELDS if name in details]:
        before, after = details[name]
        if name == "kind":
            before, after = _kind_label(before), _kind_label(after)
        else:
            before = names.get(name, {}).get(before, "-")
            after = names.get(name, {}).get(after, "-")
        parts.append(f"{AMENDED_LABELS.get(name, name)} {before} → {after}")
    return str(_("rôle modifié : %(changes)s") % {"changes": " ; ".join(parts)})


def role_rows(action: Action, user, editable: bool) -> list[dict]:
    """The role matrix, open roles first (pilot first), with what the user may do on each."""
    roles = sorted(
        action.roles.all(),
        key=lambda r: (r.state == RoleState.WITHDRAWN, KIND_ORDER[r.kind], r.organisation.name),
    )
    may_hold_links = not link_refusal(action, user)
    rows = []
    for role in roles:
        withdraw = explain(role, "withdraw", user) if role.state in OPEN_ROLE_STATES else None
        rows.append(
            {
                "role": role,
                "editable": editable and role.state in EDITABLE_ROLE_STATES,
                "asks_again": editable and asked_again_once_amended(role, action),
                "may_withdraw": bool(withdraw and withdraw.allowed),
                "may_revoke": may_hold_links and role.state == RoleState.INVITED,
            }
        )
    return rows
