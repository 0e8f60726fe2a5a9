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
from backend.actions.services import EDITABLE_ROLE_STATES
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
    for log in TransitionLog.objects.filter(action=action).order_by("at", "id"):
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
            role = roles.get(log.subject_id)
            entry = {
                "kind": "role",
                "title": _("Rôle %(kind)s de %(organisation)s : %(what)s")
                % {
                    "kind": role.get_kind_display() if role else "?",
                    "organisation": role.organisation.name if role else "?",
                    "what": ROLE_FACTS.get(log.transition)
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
                "may_withdraw": bool(withdraw and withdraw.allowed),
                "may_revoke": may_hold_links and role.state == RoleState.INVITED,
            }
        )
    return rows
