"""Loads the Loire demo data of ``backend.demo.data``, idempotently.

Reference rows are found by their natural key and created only when missing; a row that
exists is left as it is. Demo actions are written through the same services as the API
(``create_action``, ``create_role``) by the staff of their territory, and every state change
goes through the service of its transition, so the history of each action reads as it happened.
An action that already exists (same project and title) is not touched.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.services import create_staff
from backend.actions.models import Action, ActionState
from backend.actions.services import create_action, create_role
from backend.actions.transitions import ACTION_SERVICES
from backend.board.models import (
    AgendaItem,
    BoardDecision,
    BoardMembership,
    BoardSession,
    Outcome,
)
from backend.board.transitions import publish_agenda
from backend.demo import data
from backend.evaluations.reports import submit_report, update_plan
from backend.partners.models import Contact, Organisation
from backend.territories.models import (
    Axis,
    Commune,
    Diagnostic,
    Finding,
    Neighbourhood,
    Territory,
    TerritoryProject,
)
from notifications.planning.notices import plan_answer_notices
from workflows.services import perform_transition

# The transitions that take a new (draft) action to each state of the demo, in order.
PATHS = {
    ActionState.DRAFT: (),
    ActionState.CONSULTATION: ("submit",),
    ActionState.READY_FOR_BOARD: ("submit", "complete_consultation"),
    ActionState.SCHEDULED: ("submit", "complete_consultation", "schedule"),
    ActionState.APPROVED: ("submit", "complete_consultation", "schedule", "approve"),
    ActionState.IN_PROGRESS: ("submit", "complete_consultation", "schedule", "approve", "start"),
}
DECIDED_STATES = (ActionState.APPROVED, ActionState.IN_PROGRESS)


@dataclass
class Demo:
    """The rows loaded so far, by natural key, and what this run created."""

    today: datetime.date
    created: Counter = field(default_factory=Counter)
    territories: dict = field(default_factory=dict)
    communes: dict = field(default_factory=dict)
    neighbourhoods: dict = field(default_factory=dict)
    staff: dict = field(default_factory=dict)
    organisations: dict = field(default_factory=dict)
    contacts: dict = field(default_factory=dict)
    projects: dict = field(default_factory=dict)
    findings: dict = field(default_factory=dict)
    axes: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)


def _get_or_create(demo: Demo, model, defaults=None, **lookup):
    instance, created = model.objects.get_or_create(defaults=defaults or {}, **lookup)
    if created:
        demo.created[str(model._meta.verbose_name_plural)] += 1
    return instance, created


def load_demo() -> Demo:
    """Load everything missing, in one transaction; return what was loaded and created."""
    demo = Demo(today=timezone.localdate())
    with transaction.atomic():
        _load_places(demo)
        _load_staff(demo)
        _load_partners(demo)
        _load_projects(demo)
        _load_board_sessions(demo)
        for spec in data.ACTIONS:
            _load_action(demo, spec)
        _publish_todays_agenda(demo)
    return demo


# --- reference data ---------------------------------------------------------------------------


def _load_places(demo: Demo) -> None:
    for spec in data.TERRITORIES:
        territory, _ = _get_or_create(
            demo, Territory, slug=spec["slug"], defaults={"name": spec["name"]}
        )
        demo.territories[territory.slug] = territory
        for insee_code, name in spec["communes"]:
            commune, _ = _get_or_create(
                demo,
                Commune,
                insee_code=insee_code,
                defaults={"name": name, "territory": territory},
            )
            demo.communes[insee_code] = commune
    for insee_code, name, priority_area in data.NEIGHBOURHOODS:
        neighbourhood, _ = _get_or_create(
            demo,
            Neighbourhood,
            commune=demo.communes[insee_code],
            name=name,
            defaults={"priority_area": priority_area},
        )
        demo.neighbourhoods[(insee_code, name)] = neighbourhood


def _load_staff(demo: Demo) -> None:
    for spec in data.STAFF:
        user = User.objects.filter(username__iexact=spec["username"]).first()
        if user is None:
            user = create_staff(
                username=spec["username"],
                password=data.DEMO_PASSWORD,
                email=staff_email(spec),
                role=spec["role"],
                territories=[demo.territories[slug] for slug in spec["territories"]],
                first_name=spec["first_name"],
                last_name=spec["last_name"],
            )
            user.is_staff = spec.get("is_staff", False)
            user.is_superuser = spec.get("is_superuser", False)
            user.save(update_fields=["is_staff", "is_superuser"])
            demo.created[str(User._meta.verbose_name_plural)] += 1
        demo.staff[spec["username"]] = user


def staff_email(spec: dict) -> str:
    return f"{spec['username']}@{data.STAFF_EMAIL_DOMAIN}"


def _load_partners(demo: Demo) -> None:
    for key, spec in data.ORGANISATIONS.items():
        fields = {name: spec.get(name, "") for name in ("kind", "email", "phone", "address")}
        organisation, created = _get_or_create(
            demo, Organisation, name=spec["name"], defaults=fields
        )
        if created:
            organisation.territories.set([demo.territories[slug] for slug in spec["territories"]])
        demo.organisations[key] = organisation
        for contact_spec in spec["contacts"]:
            contact, _ = _get_or_create(
                demo,
                Contact,
                organisation=organisation,
                email=contact_spec["email"],
                defaults={k: v for k, v in contact_spec.items() if k != "email"},
            )
            demo.contacts[contact.email] = contact


def _load_projects(demo: Demo) -> None:
    for slug, spec in data.PROJECTS.items():
        project, _ = _get_or_create(
            demo,
            TerritoryProject,
            territory=demo.territories[slug],
            year=data.PROJECT_YEAR,
            defaults={"title": spec["title"], "summary": spec["summary"]},
        )
        demo.projects[slug] = project
        diagnostic, _ = _get_or_create(
            demo,
            Diagnostic,
            project=project,
            defaults={
                "summary": spec["diagnostic"],
                "established_on": datetime.date(data.PROJECT_YEAR - 1, 11, 20),
            },
        )
        for key, (kind, title, description, insee_code) in spec["findings"].items():
            finding, _ = _get_or_create(
                demo,
                Finding,
                diagnostic=diagnostic,
                title=title,
                defaults={
                    "kind": kind,
                    "description": description,
                    "commune": demo.communes.get(insee_code),
                },
            )
            demo.findings[key] = finding
        for position, (title, description) in enumerate(spec["axes"], start=1):
            axis, _ = _get_or_create(
                demo,
                Axis,
                project=project,
                title=title,
                defaults={"position": position, "description": description},
            )
            demo.axes[(slug, position)] = axis


def _session_date(demo: Demo, spec: dict) -> datetime.datetime:
    if "minutes_from_now" in spec:
        return timezone.now() + datetime.timedelta(minutes=spec["minutes_from_now"])
    day = demo.today + datetime.timedelta(days=spec["days_from_today"])
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(data.BOARD_SESSION_HOUR))
    )


def _load_board_sessions(demo: Demo) -> None:
    members = Contact.objects.filter(organisation=demo.organisations[data.BOARD_MEMBERS])
    for contact in members:  # the board's current members
        BoardMembership.objects.get_or_create(contact=contact)
    secretary = demo.staff[data.BOARD_SECRETARY]
    for key, spec in data.BOARD_SESSIONS.items():
        session, created = _get_or_create(
            demo,
            BoardSession,
            title=spec["title"],
            defaults={
                "date": _session_date(demo, spec),
                "location": spec["location"],
                "state": spec["state"],
            },
        )
        if created:
            session.members.set(members)
            session.staff_invited.set([secretary, demo.staff[data.DIRECTOR]])
        demo.sessions[key] = session


def _publish_todays_agenda(demo: Demo) -> None:
    """The session of the day has its agenda published: the secretary can hold it."""
    session = demo.sessions["today"]
    if session.state == "planned" and session.agenda_items.exists() and session.open_for_scheduling:
        publish_agenda(session, actor=demo.staff[data.BOARD_SECRETARY])


def _record_past_decision(demo: Demo, action: Action) -> None:
    """An action the demo shows as approved was decided at the session already held."""
    previous = demo.sessions["previous"]
    AgendaItem.objects.filter(action=action).delete()
    position = previous.agenda_items.count() + 1
    AgendaItem.objects.create(session=previous, action=action, position=position)
    year = timezone.localtime(previous.date).year
    BoardDecision.objects.create(
        session=previous,
        action=action,
        outcome=Outcome.APPROVED,
        reference=f"{year}-{previous.pk:02d}{position:02d}",
        year=year,
        recorded_by=demo.staff[data.BOARD_SECRETARY],
    )
    Action.objects.filter(pk=action.pk).update(board_session=previous)


def _report_evaluation(demo: Demo, action: Action, spec: dict) -> None:
    """The demo's action in progress already has its evaluation reported."""
    plan = data.EVALUATIONS.get(spec["title"])
    if not plan or not hasattr(action, "evaluation"):
        return
    social_worker = demo.staff[data.SOCIAL_WORKER[spec["territory"]]]
    indicators = [{k: v for k, v in row.items() if k != "result"} for row in plan["indicators"]]
    evaluation = update_plan(action.evaluation, user=social_worker, indicators=indicators)
    results = [
        {"indicator": indicator.pk, "result": row["result"]}
        for indicator, row in zip(evaluation.indicators.all(), plan["indicators"], strict=True)
    ]
    submit_report(evaluation, actor=social_worker, results=results, **plan["report"])


# --- actions and their history ----------------------------------------------------------------


def _load_action(demo: Demo, spec: dict) -> None:
    project = demo.projects[spec["territory"]]
    if Action.objects.filter(project=project, title=spec["title"]).exists():
        return
    social_worker = demo.staff[data.SOCIAL_WORKER[spec["territory"]]]
    action = create_action(user=social_worker, data=_action_fields(demo, spec, project))
    for role_spec in spec["roles"]:
        create_role(user=social_worker, data=_role_fields(demo, action, role_spec))
    demo.created[str(Action._meta.verbose_name_plural)] += 1
    _advance(demo, action, spec)


def _action_fields(demo: Demo, spec: dict, project: TerritoryProject) -> dict:
    start = demo.today + datetime.timedelta(days=spec["start_in_days"])
    deadline_in = spec.get("consultation_in_days")  # None: submit sets the default deadline
    neighbourhood = spec["neighbourhood"]
    return {
        "project": project,
        "axis": demo.axes[(spec["territory"], spec["axis"])],
        "title": spec["title"],
        "summary": spec["summary"],
        "commune": demo.communes[spec["commune"]],
        "neighbourhood": neighbourhood and demo.neighbourhoods[(spec["commune"], neighbourhood)],
        "findings": [demo.findings[key] for key in spec["findings"]],
        "consultation_deadline": deadline_in and demo.today + datetime.timedelta(days=deadline_in),
        "planned_start": start,
        "planned_end": start + datetime.timedelta(days=spec["duration_days"]),
        "budget": Decimal(spec["budget"]),
    }


def _role_fields(demo: Demo, action: Action, spec: dict) -> dict:
    money = spec.get("money")
    return {
        "action": action,
        "organisation": demo.organisations[spec["organisation"]],
        "contact": demo.contacts[spec["contact"]],
        "kind": spec["kind"],
        "description": spec["description"],
        "time_commitment": spec.get("time", ""),
        "financial_commitment": Decimal(money) if money else None,
        "venue": spec.get("venue", ""),
    }


def _advance(demo: Demo, action: Action, spec: dict) -> None:
    """Fire the transitions that take the new action to the state the demo shows."""
    territory = spec["territory"]
    actors = {
        "submit": demo.staff[data.SOCIAL_WORKER[territory]],
        "complete_consultation": None,  # the system, once every partner has accepted
        "schedule": demo.staff[data.TERRITORY_MANAGER[territory]],
        "approve": demo.staff[data.BOARD_SECRETARY],
        "start": demo.staff[data.SOCIAL_WORKER[territory]],
    }
    for name in PATHS[spec["state"]]:
        if name == "complete_consultation":
            action.refresh_from_db()
            if action.state != ActionState.CONSULTATION:
                continue  # already completed by the last acceptance
        session = "next" if spec["state"] in DECIDED_STATES else "today"
        params = {"board_session": demo.sessions[session]} if name == "schedule" else {}
        action = ACTION_SERVICES[name](
            action, actor=actors[name], comment=data.TRANSITION_COMMENTS[name], **params
        )
        if name == "submit":
            _answer_roles(action, spec["roles"], demo)
    if spec["state"] in DECIDED_STATES:
        _record_past_decision(demo, action)
    if spec["state"] == ActionState.IN_PROGRESS:
        action.refresh_from_db()
        _report_evaluation(demo, action, spec)


def _answer_roles(action: Action, role_specs: list[dict], demo: Demo) -> None:
    """Each partner answers its invitation as the demo says (default: it accepts)."""
    roles = {(role.organisation_id, role.kind): role for role in action.roles.all()}
    for spec in role_specs:
        answer = spec.get("answer", "accept")
        if answer is None:
            continue
        organisation = demo.organisations[spec["organisation"]]
        role = roles[(organisation.pk, spec["kind"])]
        comment = spec.get("comment", "")
        role = perform_transition(role, answer, actor=role.contact, comment=comment)
        role.responded_at = timezone.now()
        role.response_comment = comment
        role.save(update_fields=["responded_at", "response_comment", "updated_at"])
        plan_answer_notices(role)
