"""Writing actions and roles: the checks that tie them to their project and territory.

Views call these; they raise django ValidationError (400), PermissionDenied (403) or
workflows errors (403/409), never HTTP responses.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import StaffRole
from backend.actions.models import Action, ActionState, RoleAssignment, RoleState
from backend.actions.role_machine import roles_frozen_reason, roles_may_change
from backend.actions.transitions import ACTION_SERVICES, complete_consultation, invite_role
from backend.core.versions import check_version
from notifications.planning.notices import deadline_moved, plan_role_withdrawn_notice
from workflows.concurrency import retried_once
from workflows.engine import transitions_of
from workflows.errors import InvalidTransitionInput, TransitionConflict
from workflows.services import check_transition, log_transition, perform_transition

EDITORS = (StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER)
EDITABLE_ACTION_STATES = (ActionState.DRAFT, ActionState.CONSULTATION)
EDITABLE_ROLE_STATES = (
    RoleState.PROPOSED,
    RoleState.INVITED,
    RoleState.DECLINED,
    RoleState.CHANGES_REQUESTED,
)


def require_editor(user, territory_id: int) -> None:
    if not user.has_role(*EDITORS):
        raise PermissionDenied(
            _(
                "Seuls les travailleurs sociaux et les responsables de territoire "
                "modifient les actions."
            )
        )
    if not user.works_in(territory_id):
        raise PermissionDenied(_("Cette action n'appartient pas à l'un de vos territoires."))


def action_edit_refusal(action: Action, user) -> PermissionDenied | TransitionConflict | None:
    """Why ``user`` may not edit ``action`` now (not theirs: 403; its state: 409), None when
    they may: the rule ``update_action`` enforces and the pages ask before showing a form."""
    try:
        require_editor(user, action.project.territory_id)
    except PermissionDenied as exc:
        return exc
    if action.state not in EDITABLE_ACTION_STATES:
        return TransitionConflict(
            _("L'action ne se modifie plus dans l'état « %(state)s ».")
            % {"state": action.get_state_display()}
        )
    return None


def _check_action_fields(data: dict, project) -> None:
    errors = {}
    territory_id = project.territory_id
    axis, commune = data.get("axis"), data.get("commune")
    neighbourhood = data.get("neighbourhood")
    if axis is not None and axis.project_id != project.pk:
        errors["axis"] = _("Cet axe n'appartient pas au projet de l'action.")
    if commune is not None and commune.territory_id != territory_id:
        errors["commune"] = _("Cette commune n'est pas dans le territoire du projet.")
    if neighbourhood is not None:
        if commune is None:
            errors["neighbourhood"] = _("Indiquez la commune du quartier.")
        elif neighbourhood.commune_id != commune.pk:
            errors["neighbourhood"] = _("Ce quartier n'est pas dans la commune indiquée.")
    for finding in data.get("findings") or []:
        if finding.diagnostic.project_id != project.pk:
            errors["findings"] = _(
                "Le constat « %(title)s » n'appartient pas au diagnostic du projet."
            ) % {"title": finding.title}
            break
    start, end = data.get("planned_start"), data.get("planned_end")
    if start and end and end < start:
        errors["planned_end"] = _("La fin prévue doit suivre le début prévu.")
    deadline = data.get("consultation_deadline")
    if deadline is not None and deadline <= timezone.localdate():
        errors["consultation_deadline"] = _(
            "La date limite de consultation doit être dans le futur."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_action(*, user, data: dict) -> Action:
    project = data["project"]
    require_editor(user, project.territory_id)
    _check_action_fields(data, project)
    findings = data.pop("findings", [])
    data.setdefault("social_worker", user if user.role == StaffRole.SOCIAL_WORKER else None)
    action = Action.objects.create(**data)
    action.findings.set(findings)
    return action


def _lock_action(action_id: int) -> Action:
    """The action's row, locked first: every change to an action or its roles locks the
    action, then its roles (workflows.concurrency)."""
    return (
        Action.objects.select_for_update(of=("self",)).select_related("project").get(pk=action_id)
    )


@retried_once()
@transaction.atomic
def update_action(action: Action, *, user, data: dict, expected_versions=None) -> Action:
    """``expected_versions``: the versions (``backend.core.versions``) the editor read; the
    action changed since (``StaleVersion``): nothing is written."""
    action = _lock_action(action.pk)
    refusal = action_edit_refusal(action, user)
    if refusal is not None:
        raise refusal
    check_version(action, expected_versions)
    if "project" in data and data["project"].pk != action.project_id:
        raise ValidationError({"project": _("Une action ne change pas de projet.")})
    merged = {
        "axis": action.axis,
        "commune": action.commune,
        "neighbourhood": action.neighbourhood,
        "planned_start": action.planned_start,
        "planned_end": action.planned_end,
        **data,
    }
    if "consultation_deadline" not in data:
        merged.pop("consultation_deadline", None)
    _check_action_fields(merged, action.project)
    findings = data.pop("findings", None)
    data.pop("project", None)
    previous_deadline = action.consultation_deadline
    for name, value in data.items():
        setattr(action, name, value)
    action.save()
    if findings is not None:
        action.findings.set(findings)
    if (
        action.state == ActionState.CONSULTATION
        and action.consultation_deadline != previous_deadline
    ):
        deadline_moved(action)
    return action


def _check_role_fields(data: dict, action: Action) -> None:
    errors = {}
    organisation, contact = data.get("organisation"), data.get("contact")
    if (
        contact is not None
        and organisation is not None
        and contact.organisation_id != organisation.pk
    ):
        errors["contact"] = _("Cet interlocuteur n'appartient pas à l'organisation.")
    if organisation is not None:
        if not organisation.territories.filter(pk=action.project.territory_id).exists():
            errors["organisation"] = _(
                "Cette organisation n'intervient pas sur le territoire de l'action."
            )
        duplicate = (
            RoleAssignment.objects.filter(
                action=action, organisation=organisation, kind=data.get("kind")
            )
            .exclude(state=RoleState.WITHDRAWN)
            .exclude(pk=data.get("pk"))
        )
        if duplicate.exists():
            errors["kind"] = _("Cette organisation a déjà ce rôle sur l'action.")
    if errors:
        raise ValidationError(errors)


def roles_refusal(action: Action, user) -> str:
    """Why ``user`` may not add or edit the roles of ``action`` now; empty when they may (the
    checks of ``create_role`` / ``update_role``, asked before showing a form)."""
    try:
        require_editor(user, action.project.territory_id)
    except PermissionDenied as exc:
        return str(exc)
    return "" if roles_may_change(action) else roles_frozen_reason(action)


def _lock_editable_action(action_id: int, user) -> Action:
    action = _lock_action(action_id)
    require_editor(user, action.project.territory_id)
    if not roles_may_change(action):
        raise TransitionConflict(roles_frozen_reason(action))
    return action


@retried_once()
@transaction.atomic
def create_role(*, user, data: dict) -> RoleAssignment:
    action = _lock_editable_action(data["action"].pk, user)
    _check_role_fields(data, action)
    role = RoleAssignment.objects.create(**{**data, "action": action})
    if action.state == ActionState.CONSULTATION:
        role = invite_role(role, actor=user)
    return role


@retried_once()
@transaction.atomic
def update_role(
    role: RoleAssignment, *, user, data: dict, expected_versions=None
) -> RoleAssignment:
    action = _lock_editable_action(role.action_id, user)
    role = RoleAssignment.objects.select_for_update(of=("self",)).get(pk=role.pk)
    check_version(role, expected_versions)
    if role.state not in EDITABLE_ROLE_STATES:
        raise TransitionConflict(
            _("Un rôle « %(state)s » ne se modifie plus.") % {"state": role.get_state_display()}
        )
    if "action" in data and data["action"].pk != role.action_id:
        raise ValidationError({"action": _("Un rôle ne change pas d'action.")})
    data.pop("action", None)
    merged = {"organisation": role.organisation, "contact": role.contact, "kind": role.kind, **data}
    _check_role_fields({**merged, "pk": role.pk}, action)
    before = {name: _shown(role, name) for name in AMENDED_FIELDS}
    held = {name: held_by(role, name) for name in HELD_FIELDS}
    for name, value in data.items():
        setattr(role, name, value)
    role.save()
    _log_amendment(role, held, user)
    if asked_again_once_amended(role, action):
        answer = role.state
        changes = {
            name: [before[name], _shown(role, name)]
            for name in AMENDED_FIELDS
            if before[name] != _shown(role, name)
        }
        # amended: the partner is asked again, and told what changed
        role = invite_role(role, actor=user, changes=changes, answer=answer)
    return role


# What a partner is told changed when its amended role is submitted to it again.
AMENDED_FIELDS = ("kind", "description", "time_commitment", "financial_commitment", "venue")
# Amended during the consultation, a role its partner answered no (or not as it is) to is
# submitted to it again.
ASKED_AGAIN = (RoleState.CHANGES_REQUESTED, RoleState.DECLINED)
# Who holds the role: a change is a fact in the log (the history shows each row as it was then).
HELD_FIELDS = ("kind", "organisation", "contact")
ROLE_AMENDED = "role_amended"


def asked_again_once_amended(role: RoleAssignment, action: Action) -> bool:
    """Saving this role submits it to its partner again (the pages say so beforehand)."""
    return role.state in ASKED_AGAIN and action.state == ActionState.CONSULTATION


def held_by(role: RoleAssignment, name: str):
    """The kind's code, the organisation's or contact's id."""
    return role.kind if name == "kind" else getattr(role, f"{name}_id")


def _log_amendment(role: RoleAssignment, held: dict, user) -> None:
    """A log row (no state change) saying what changed of who holds the role, {field: [before,
    after]} (the kind's code, the organisation's and contact's ids)."""
    changed = {
        name: [held[name], held_by(role, name)]
        for name in HELD_FIELDS
        if held[name] != held_by(role, name)
    }
    if changed:
        log_transition(role, ROLE_AMENDED, role.state, role.state, actor=user, details=changed)


def _shown(role: RoleAssignment, name: str) -> str:
    """A field's value as the e-mail shows it (kept as text on the notification)."""
    value = getattr(role, name)
    return "" if value is None else str(value)


@retried_once()
@transaction.atomic
def withdraw_role(role: RoleAssignment, *, user, comment: str = "") -> RoleAssignment:
    """Also what deleting a role does (it stays in the history). Only in draft or
    consultation: the transition's guard says so, with the action locked first."""
    action = _lock_action(role.action_id)
    before = RoleAssignment.objects.values_list("state", flat=True).get(pk=role.pk)
    role = perform_transition(role, "withdraw", actor=user, comment=comment)
    plan_role_withdrawn_notice(role, told=before != RoleState.PROPOSED, comment=comment)
    if action.state == ActionState.CONSULTATION:
        _complete_when_all_accepted(action)
    return role


def _complete_when_all_accepted(action: Action) -> None:
    """The last role still waiting is withdrawn, every other one accepted: the action moves on
    by itself, as when the last partner accepts (not when no role is left)."""
    open_roles = action.open_roles()
    if open_roles.exists() and not open_roles.exclude(state=RoleState.ACCEPTED).exists():
        why = _("Dernier rôle en attente retiré : tous les autres partenaires ont accepté.")
        complete_consultation(action, actor=None, comment=str(why))


@retried_once()
def fire_action_transition(action: Action, name: str, *, user, data: dict) -> Action:
    """The action transitions staff fire through the API, with their particular inputs."""
    declared = transitions_of(Action).get(name, {})
    if any(t.custom.get("board_decision") for t in declared.values()):
        raise TransitionConflict(
            _(
                "Cette transition découle d'une décision du conseil : "
                "enregistrez la décision sur la séance."
            )
        )
    check_transition(action, name, user)  # state and permission first, then the inputs
    params = {}
    if name == "schedule":
        params["board_session"] = _board_session_for_scheduling(data.get("board_session"))
    service = ACTION_SERVICES[name]
    return service(action, actor=user, comment=data.get("comment", ""), **params)


def _board_session_for_scheduling(session_id):
    from backend.board.models import BoardSession

    if session_id in (None, ""):
        raise InvalidTransitionInput(_("Indiquez la séance du conseil."), field="board_session")
    try:
        session = BoardSession.objects.get(pk=int(session_id))
    except (TypeError, ValueError, BoardSession.DoesNotExist):
        raise InvalidTransitionInput(
            _("Séance du conseil inconnue."), field="board_session"
        ) from None
    if not session.open_for_scheduling:
        raise InvalidTransitionInput(
            _("Cette séance n'accepte plus d'actions (passée ou ordre du jour publié)."),
            field="board_session",
        )
    return session
