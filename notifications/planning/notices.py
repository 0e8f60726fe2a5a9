"""The notices a transition plans or cancels: plain functions that its service calls by name
(``backend.actions.transitions``, ``backend.board.transitions``,
``backend.evaluations.transitions``), inside the transition's transaction.

A function that plans several rows collects them and writes them once (``planning.write``).
"""

from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import StaffRole, User
from backend.actions.models import Action, RoleAssignment
from backend.board.models import BoardSession
from backend.evaluations.models import Evaluation
from notifications.models import Kind, Notification, ReminderPolicy
from notifications.planning.rows import cancel, notice, plan, planned_for, recipient_key, write
from notifications.planning.schedule import escalation_time, policy, reminder_times


def action_staff(action: Action) -> list[User]:
    """The action's social worker and its territory's managers."""
    managers = Q(role=StaffRole.TERRITORY_MANAGER, territories=action.project.territory_id)
    social_worker = Q(pk=action.social_worker_id or 0)  # no user 0
    return list(User.objects.filter(is_active=True).filter(managers | social_worker).distinct())


def _round(role: RoleAssignment) -> str:
    """One invitation round: a re-invitation gets a new link, hence new notices."""
    return role.link_nonce[:12]


# --- the consultation -----------------------------------------------------------------------


def invitation_notices(
    role: RoleAssignment, rule: ReminderPolicy, changes=None, answer=None
) -> list:
    """The invitation now, the reminders before the consultation deadline (by ``rule``).
    ``changes``: what staff amended on the role since the partner's ``answer`` (its request
    or its refusal; the e-mail says it: {field: [before, after]})."""
    if role.contact is None:
        return []
    invitation = notice(
        Kind.INVITATION,
        subject=role,
        recipient=role.contact,
        round=_round(role),
        action=role.action,
    )
    if invitation is not None and changes:
        invitation.details = {"changes": changes, "answer": answer}
    return [invitation, *reminder_notices(role, rule)]


def reminder_notices(role: RoleAssignment, rule: ReminderPolicy) -> list:
    action = role.action
    deadline = action.consultation_deadline
    if deadline is None:
        return []
    now = timezone.now()
    return [
        notice(
            Kind.REMINDER,
            subject=role,
            recipient=role.contact,
            due_at=due_at,
            round=_round(role),
            days_before=offset,
            date=deadline,
            action=action,
        )
        for offset, due_at in reminder_times(deadline, rule)
        if due_at > now
    ]


def escalation_notices(action: Action, rule: ReminderPolicy) -> list:
    """On the day after the deadline (by ``rule``), to the action's staff."""
    deadline = action.consultation_deadline
    due_at = escalation_time(deadline, rule) if deadline else None
    if due_at is None:
        return []
    return [
        notice(
            Kind.ESCALATION,
            subject=action,
            recipient=person,
            due_at=due_at,
            date=deadline,
            action=action,
        )
        for person in action_staff(action)
    ]


def plan_consultation_notices(action: Action, invited: list[RoleAssignment]) -> None:
    """The consultation opens: invitations and reminders to the invited partners, the
    escalation to the action's staff."""
    rule = policy(ReminderPolicy.CONSULTATION)  # read once for every role
    invitations = [row for role in invited for row in invitation_notices(role, rule)]
    write([*invitations, *escalation_notices(action, rule)])


def plan_invitations(invited: list[RoleAssignment], changes=None, answer=None) -> None:
    """A role invited (or invited again, ``changes`` saying what was amended after the
    partner's ``answer``) during the consultation."""
    rule = policy(ReminderPolicy.CONSULTATION)
    write([row for role in invited for row in invitation_notices(role, rule, changes, answer)])


def plan_answer_notices(role: RoleAssignment) -> None:
    """The partner answered: its reminders stop, the action's staff hear of the answer."""
    cancel(planned_for(role, Kind.REMINDER, Kind.INVITATION))
    write(
        [
            notice(
                Kind.ANSWER_RECEIVED,
                subject=role,
                recipient=person,
                answer=role.state,
                round=_round(role),
                action=role.action,
            )
            for person in action_staff(role.action)
        ]
    )


def cancel_role_notices(role: RoleAssignment) -> None:
    cancel(planned_for(role))


def plan_role_withdrawn_notice(role: RoleAssignment, *, told: bool, comment: str = "") -> None:
    """The role is taken off the action: what was planned for it stops, and its partner, if
    it had been asked (``told``), hears that it has nothing more to do, and why."""
    cancel_role_notices(role)
    if told and role.contact is not None:
        row = notice(
            Kind.ROLE_WITHDRAWN,
            subject=role,
            recipient=role.contact,
            round=_round(role) or "-",
            action=role.action,
        )
        if row is not None:
            row.details = {"comment": comment}
        write([row])


def deadline_moved(action: Action) -> None:
    """The consultation deadline changed: reminders and escalation follow it."""
    cancel(Notification.objects.filter(action=action, kind__in=[Kind.REMINDER, Kind.ESCALATION]))
    invited = action.roles.filter(state="invited").select_related("contact")
    rule = policy(ReminderPolicy.CONSULTATION)
    reminders = [row for role in invited for row in reminder_notices(role, rule)]
    write([*reminders, *escalation_notices(action, rule)])


def plan_consultation_complete(action: Action) -> None:
    """Every partner agreed: reminders and escalation stop, the action's staff are told."""
    cancel(Notification.objects.filter(action=action, kind__in=[Kind.ESCALATION, Kind.REMINDER]))
    write(
        [
            notice(Kind.CONSULTATION_COMPLETE, subject=action, recipient=person, action=action)
            for person in action_staff(action)
        ]
    )


def cancel_action_notices(action: Action) -> None:
    """The action went back to draft, was withdrawn or closed: what has not left stays."""
    cancel(Notification.objects.filter(action=action))


def _partner_notices(kind, roles, occasion: str, comment: str) -> list:
    """One notice per contact (the first of its roles on the action)."""
    rows, seen = [], set()
    for role in roles:
        if role.contact is None or role.contact_id in seen:
            continue
        seen.add(role.contact_id)
        row = notice(kind, subject=role, recipient=role.contact, round=occasion, action=role.action)
        if row is not None:
            row.details = {"comment": comment, "state": role.state}
            rows.append(row)
    return rows


def plan_consultation_revised_notices(
    action: Action, told: list[RoleAssignment], *, revision: int, comment: str = ""
) -> None:
    """The consultation goes back to draft (its ``revision``-th time): what was planned is
    cancelled, and the partners that had been asked (``told``, with the state their role had)
    hear that it is suspended, and why."""
    cancel_action_notices(action)
    write(_partner_notices(Kind.CONSULTATION_REVISED, told, str(revision), comment))


def plan_action_withdrawn_notices(action: Action, comment: str = "") -> None:
    """The action is abandoned: what was planned is cancelled, and the partners that had been
    asked hear it, and why."""
    cancel_action_notices(action)
    told = action.open_roles().exclude(state="proposed").select_related("contact")
    roles = list(told.order_by("pk"))
    for role in roles:
        role.action = action
    write(_partner_notices(Kind.ACTION_WITHDRAWN, roles, "", comment))


# --- board sessions and decisions -----------------------------------------------------------


def action_partners(action: Action):
    """The contacts answering for the action's partners (open roles)."""
    return [
        role.contact
        for role in action.open_roles().select_related("contact")
        if role.contact is not None
    ]


def agenda_recipients(session: BoardSession) -> list:
    """The invited staff, and the partners and staff of every action on the agenda (each
    person once; the members get their convocation instead, ``plan_convocation_notices``)."""
    members = {recipient_key(person) for person in session.members.all()}
    recipients = {}
    for person in session.staff_invited.all():
        recipients[recipient_key(person)] = person
    for item in session.agenda_items.select_related("action__project").filter(action__isnull=False):
        for person in [*action_partners(item.action), *action_staff(item.action)]:
            recipients.setdefault(recipient_key(person), person)
    return [person for key, person in recipients.items() if key not in members]


def plan_agenda_notices(session: BoardSession) -> None:
    """The agenda's recipients get it with the iCalendar invitation (one e-mail each)."""
    write(
        [
            notice(Kind.AGENDA_PUBLISHED, subject=session, recipient=person)
            for person in agenda_recipients(session)
        ]
    )


def attendance_reminder_notices(session: BoardSession, members: list) -> list:
    """The reminders before the session (``ReminderPolicy`` ``board_session``) to these
    members (who have not answered)."""
    rule = policy(ReminderPolicy.BOARD_SESSION)
    day = timezone.localdate(session.date)
    now = timezone.now()
    return [
        notice(
            Kind.ATTENDANCE_REMINDER,
            subject=session,
            recipient=member,
            due_at=due_at,
            days_before=offset,
            date=day,
        )
        for member in members
        for offset, due_at in reminder_times(day, rule)
        if now < due_at < session.date
    ]


def plan_convocation_notices(session: BoardSession, convocations: list, removed=()) -> None:
    """Each member convened gets their convocation now (one row per member and personal
    link) and, until they answer, a reminder before the session. Members taken off the list
    (``removed``, contact ids) get nothing more."""
    if removed:
        cancel(planned_for(session).filter(contact_id__in=removed))
    convocation_rows = [
        notice(
            Kind.CONVOCATION,
            subject=session,
            recipient=convocation.member,
            round=convocation.link_nonce[:12],
        )
        for convocation in convocations
    ]
    waiting = [c.member for c in convocations if c.answered_at is None]
    write([*convocation_rows, *attendance_reminder_notices(session, waiting)])


def attendance_reminders_moved(session: BoardSession) -> None:
    """The session's date changed: the reminders of the members who have not answered
    follow it (the convocations themselves are not sent again)."""
    cancel(planned_for(session, Kind.ATTENDANCE_REMINDER))
    waiting = session.convocations.filter(answered_at__isnull=True).select_related("member")
    write(attendance_reminder_notices(session, [c.member for c in waiting]))


def cancel_attendance_reminders(convocation) -> None:
    """The member answered: their reminders stop."""
    reminders = planned_for(convocation.session, Kind.ATTENDANCE_REMINDER)
    cancel(reminders.filter(contact_id=convocation.member_id))


def decision_notices(action: Action) -> list:
    """The board decided (approve, reject, defer): the action's staff and partners."""
    number = action.decisions.count() + 1
    return [
        notice(
            Kind.BOARD_DECISION,
            subject=action,
            recipient=person,
            decision_number=number,
            action=action,
        )
        for person in [*action_staff(action), *action_partners(action)]
    ]


def plan_decision_notices(action: Action) -> None:
    write(decision_notices(action))


def plan_approval_notices(action: Action, evaluation: Evaluation | None) -> None:
    """The decision, and the reminders of the evaluation the approval planned."""
    reminders = evaluation_reminder_notices(evaluation) if evaluation is not None else []
    write([*decision_notices(action), *reminders])


# --- evaluations ----------------------------------------------------------------------------


def evaluation_reporters(evaluation: Evaluation) -> list:
    people = []
    if evaluation.reporting_staff_id:
        people.append(evaluation.reporting_staff)
    role = evaluation.reporting_role
    if role is not None and role.contact is not None:
        people.append(role.contact)
    return people


def evaluation_reminder_notices(evaluation: Evaluation) -> list:
    rule = policy(ReminderPolicy.EVALUATION)
    due = evaluation.due_date
    now = timezone.now()
    rows = []
    for person in evaluation_reporters(evaluation):
        for offset, due_at in reminder_times(due, rule):
            if due_at > now:
                rows.append(
                    notice(
                        Kind.EVALUATION_DUE,
                        subject=evaluation,
                        recipient=person,
                        due_at=due_at,
                        days_before=offset,
                        date=due,
                        action=evaluation.action,
                    )
                )
        overdue_at = escalation_time(due, rule)
        if overdue_at is not None:
            rows.append(
                notice(
                    Kind.EVALUATION_OVERDUE,
                    subject=evaluation,
                    recipient=person,
                    due_at=overdue_at,
                    date=due,
                    action=evaluation.action,
                )
            )
    return rows


def plan_report_request(evaluation: Evaluation) -> None:
    """The action enters evaluation: its pilot partner gets the plan and its report link."""
    role = evaluation.reporting_role
    if role is None or role.contact is None or role.state == "withdrawn":
        return
    plan(
        Kind.REPORT_REQUESTED,
        subject=evaluation,
        recipient=role.contact,
        date=evaluation.due_date,
        action=evaluation.action,
    )


def evaluation_due_date_moved(evaluation: Evaluation) -> None:
    cancel_evaluation_reminders(evaluation)
    write(evaluation_reminder_notices(evaluation))


def cancel_evaluation_reminders(evaluation: Evaluation) -> None:
    """The report is in (or its due date moved): its reminders stop."""
    cancel(planned_for(evaluation, Kind.EVALUATION_DUE, Kind.EVALUATION_OVERDUE))
