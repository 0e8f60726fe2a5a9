"""What the e-mails of decisions, evaluations and withdrawals say (their builders: the context
of their templates, see ``emails.BUILDERS``).

Partners have no account: each e-mail carries everything they need. A decision e-mail states
the outcome, the conditions or the reason, the deliberation reference, the session's date and
what comes next; the evaluation e-mails give the plan (indicators, targets, due date) and, to
the pilot partner, its personal report link; the partner notices say what was withdrawn or
suspended, and why.
"""

from backend.actions.models import RoleAssignment, RoleKind, RoleState
from backend.actions.services import AMENDED_FIELDS
from backend.board.models import Outcome
from backend.evaluations.links import report_link
from backend.evaluations.models import Evaluation
from notifications.delivery.lookups import Lookups
from notifications.models import Notification


def decision_context(notification: Notification, lookups: Lookups) -> dict:
    decisions, evaluation = lookups.decisions(notification)
    number = notification.decision_number
    if not 0 < number <= len(decisions):
        raise ValueError(f"notification {notification.pk}: decision {number} is not recorded")
    decision = decisions[number - 1]
    approved = decision.outcome in (Outcome.APPROVED, Outcome.APPROVED_WITH_CONDITIONS)
    return {
        "decision": decision,
        "outcome": decision.outcome,
        "outcome_label": Outcome(decision.outcome).label,
        "session": decision.session,
        "evaluation": evaluation if approved else None,
        "indicators": list(evaluation.indicators.all()) if approved and evaluation else [],
        "reports": approved and _reports(notification, evaluation),
    }


def _reports(notification: Notification, evaluation: Evaluation | None) -> bool:
    """Whether the recipient is the partner that will report on the evaluation."""
    role = evaluation.reporting_role if evaluation is not None else None
    return bool(role and notification.contact_id and role.contact_id == notification.contact_id)


def evaluation_context(notification: Notification, lookups: Lookups) -> dict:
    evaluation = lookups.subject(notification)
    if not isinstance(evaluation, Evaluation):
        raise ValueError(f"notification {notification.pk}: its evaluation no longer exists")
    reports = _reports(notification, evaluation)
    return {
        "evaluation": evaluation,
        "indicators": list(evaluation.indicators.all()),
        "due_date": evaluation.due_date,
        "reports": reports,
        "link": report_link(evaluation) if reports else "",
    }


def partner_notice_context(notification: Notification, lookups: Lookups) -> dict:
    role = lookups.role(notification)
    details = notification.details or {}
    return {
        "role": role,
        "organisation": role.organisation,
        "social_worker": role.action.social_worker,
        "reason": details.get("comment", ""),
        "had_accepted": details.get("state") == RoleState.ACCEPTED,
    }


def amended_fields(notification: Notification) -> list[dict]:
    """What staff changed on a role before inviting its partner again: label, before, after."""
    changes = (notification.details or {}).get("changes") or {}
    shown = []
    for name in AMENDED_FIELDS:
        if name not in changes:
            continue
        before, after = changes[name]
        if name == "kind":
            before, after = _kind_label(before), _kind_label(after)
        field = RoleAssignment._meta.get_field(name)
        shown.append({"label": str(field.verbose_name), "before": before, "after": after})
    return shown


def _kind_label(value: str) -> str:
    return str(RoleKind(value).label) if value in RoleKind.values else value
