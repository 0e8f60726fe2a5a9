"""Which transitions plan or cancel which notifications (run inside the transition)."""

from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import StaffRole, User
from backend.actions.models import Action, RoleAssignment
from backend.board.models import BoardSession
from backend.core.baked import Baked
from backend.evaluations.models import Evaluation
from notifications.models import Kind, Notification, ReminderPolicy
from notifications.planning import cancel, plan, planned_for, recipient_key
from notifications.schedule import escalation_time, policy, reminder_times
from workflows.services import effect


def _staff_of(territory_id: int, social_worker_id: int):
    managers = Q(role=StaffRole.TERRITORY_MANAGER, territories=territory_id)
    return User.objects.filter(is_active=True).filter(managers | Q(pk=social_worker_id)).distinct()


_STAFF = Baked(_staff_of)


def action_staff(action: Action) -> list[User]:
    """The action's social worker and its territory's managers."""
    return _STAFF(action.project.territory_id, action.social_worker_id or 0)  # no user 0


def _round(role: RoleAssignment) -> str:
    """One invitation round: a re-invitation gets a new link, hence new notices."""
    return role.link_nonce[:12]


@effect(RoleAssignment, "invite")
def plan_invitation_and_reminders(role, *, actor, comment, source):
    """The invitation now, the reminders before the consultation deadline."""
    if role.contact is None:
        return
    plan(
        Kind.INVITATION,
        subject=role,
        recipient=role.contact,
        stage=_round(role),
        action=role.action,
    )
    plan_reminders(role)


def plan_reminders(role: RoleAssignment) -> None:
    action = role.action
    deadline = action.consultation_deadline
    if deadline is None:
        return
    now = timezone.now()
    for offset, due_at in reminder_times(deadline, policy(ReminderPolicy.CONSULTATION)):
        if due_at > now:
            plan(
                Kind.REMINDER,
                subject=role,
                recipient=role.contact,
                due_at=due_at,
                stage=f"{_round(role)}:j-{offset}:{deadline.isoformat()}",
                action=action,
            )


def _answered(role, *, actor, comment, source):
    cancel(planned_for(role, Kind.REMINDER, Kind.INVITATION))
    for person in action_staff(role.action):
        plan(
            Kind.ANSWER_RECEIVED,
            subject=role,
            recipient=person,
            stage=f"{role.state}:{_round(role)}",
            action=role.action,
        )


for _name in ("accept", "decline", "request_changes"):
    effect(RoleAssignment, _name)(_answered)


def _role_closed(role, *, actor, comment, source):
    cancel(planned_for(role))


for _name in ("withdraw", "withdraw_invitation"):
    effect(RoleAssignment, _name)(_role_closed)


def deadline_moved(action: Action) -> None:
    """The consultation deadline changed: reminders and escalation follow it."""
    cancel(Notification.objects.filter(action=action, kind__in=[Kind.REMINDER, Kind.ESCALATION]))
    for role in action.roles.filter(state="invited").select_related("contact"):
        plan_reminders(role)
    plan_escalation(action)


@effect(Action, "submit")
def plan_escalation(action, *, actor=None, comment="", source=""):
    deadline = action.consultation_deadline
    due_at = escalation_time(deadline, policy(ReminderPolicy.CONSULTATION)) if deadline else None
    if due_at is None:
        return
    for person in action_staff(action):
        plan(
            Kind.ESCALATION,
            subject=action,
            recipient=person,
            due_at=due_at,
            stage=deadline.isoformat(),
            action=action,
        )


@effect(Action, "complete_consultation")
def consultation_complete(action, *, actor, comment, source):
    cancel(Notification.objects.filter(action=action, kind__in=[Kind.ESCALATION, Kind.REMINDER]))
    for person in action_staff(action):
        plan(Kind.CONSULTATION_COMPLETE, subject=action, recipient=person, action=action)


def _action_stopped(action, *, actor, comment, source):
    cancel(Notification.objects.filter(action=action))


for _name in ("revise", "withdraw"):
    effect(Action, _name)(_action_stopped)


# --- board sessions and decisions -----------------------------------------------------------


def action_partners(action: Action):
    """The contacts answering for the action's partners (open roles)."""
    return [
        role.contact
        for role in action.open_roles().select_related("contact")
        if role.contact is not None
    ]


@effect(BoardSession, "publish_agenda")
def agenda_published(session, *, actor, comment, source):
    """The members, the invited staff, and the partners and staff of every action on the
    agenda get the agenda with the iCalendar invitation (one e-mail each)."""
    recipients = {}
    for person in [*session.members.all(), *session.staff_invited.all()]:
        recipients[recipient_key(person)] = person
    for item in session.agenda_items.select_related("action__project").filter(action__isnull=False):
        for person in [*action_partners(item.action), *action_staff(item.action)]:
            recipients.setdefault(recipient_key(person), person)
    for person in recipients.values():
        plan(Kind.AGENDA_PUBLISHED, subject=session, recipient=person)


def _decided(action, *, actor, comment, source):
    stage = f"decision-{action.decisions.count() + 1}"
    for person in [*action_staff(action), *action_partners(action)]:
        plan(Kind.BOARD_DECISION, subject=action, recipient=person, stage=stage, action=action)


for _name in ("approve", "reject", "defer"):
    effect(Action, _name)(_decided)


# --- evaluations ----------------------------------------------------------------------------


def evaluation_reporters(evaluation: Evaluation) -> list:
    people = []
    if evaluation.reporting_staff_id:
        people.append(evaluation.reporting_staff)
    role = evaluation.reporting_role
    if role is not None and role.contact is not None:
        people.append(role.contact)
    return people


def plan_evaluation_reminders(evaluation: Evaluation) -> None:
    rule = policy(ReminderPolicy.EVALUATION)
    due = evaluation.due_date
    now = timezone.now()
    for person in evaluation_reporters(evaluation):
        for offset, due_at in reminder_times(due, rule):
            if due_at > now:
                plan(
                    Kind.EVALUATION_DUE,
                    subject=evaluation,
                    recipient=person,
                    due_at=due_at,
                    stage=f"j-{offset}:{due.isoformat()}",
                    action=evaluation.action,
                )
        overdue_at = escalation_time(due, rule)
        if overdue_at is not None:
            plan(
                Kind.EVALUATION_OVERDUE,
                subject=evaluation,
                recipient=person,
                due_at=overdue_at,
                stage=due.isoformat(),
                action=evaluation.action,
            )


@effect(Action, "approve")
def evaluation_reminders_at_approval(action, *, actor, comment, source):
    evaluation = Evaluation.objects.filter(action=action).first()
    if evaluation is not None:
        plan_evaluation_reminders(evaluation)


def evaluation_due_date_moved(evaluation: Evaluation) -> None:
    cancel(planned_for(evaluation, Kind.EVALUATION_DUE, Kind.EVALUATION_OVERDUE))
    plan_evaluation_reminders(evaluation)


@effect(Evaluation, "submit_report")
def report_received(evaluation, *, actor, comment, source):
    cancel(planned_for(evaluation, Kind.EVALUATION_DUE, Kind.EVALUATION_OVERDUE))


def _action_over(action, *, actor, comment, source):
    cancel(Notification.objects.filter(action=action, status="planned"))


effect(Action, "close")(_action_over)
