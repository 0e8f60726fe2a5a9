"""A known history for the analytics, built with the real services under time travel
(every instant at 15:00, Paris winter time), and the figures it must give.

Project 2027 of Gier-Ondaine-Pilat; two partners: O1 (a technician) and O2 (an elected
official). Day 0 is Monday 4 January 2027.

- A1, A2, A3, A4 submitted on day 0 (deadline: 18 January). A1's pilot (O1) accepts on
  day 2, A2's (O2) on day 4, A4's (O2) declines on day 3; the reminders of 11 January go out
  (sweep on day 8): A3's pilot (O1) has had one when it accepts on day 10.
- A1, A2, A3 scheduled on 18 January, decided on 21 January: A1 approved, A2 deferred (back
  to ready for the board), A3 rejected. A1 started on 25 January, in evaluation on 1 March.
- A5 submitted on 3 March with O2 as pilot (no answer) and O1 as funder (asks for changes on
  5 March).
- In Roannais, one action whose pilot accepts after 1 day: only directors see it.

Now: Monday 8 March 2027, 15:00.
"""

import datetime

from django.core import mail
from django.utils import timezone

from backend.accounts.models import StaffRole
from backend.actions.consultation import answer_role
from backend.actions.transitions import (
    evaluate_action,
    schedule_action,
    start_action,
    submit_action,
)
from backend.board.decisions import DecisionInput, record_decisions
from backend.board.transitions import hold_session, publish_agenda
from notifications.delivery.sweep import sweep
from tests import factories

PARIS = timezone.get_fixed_timezone(60)


def at(month, day, hour=15):
    return datetime.datetime(2027, month, day, hour, 0, tzinfo=PARIS)


NOW = at(3, 8)

# The figures of the Gier-Ondaine-Pilat manager (see the module's docstring).
TIME_IN_STATE = [
    # state, actions, median, p90, now, over p90
    ("consultation", 3, 4.0, 8.8, 2, 1),  # [2, 4, 10]; A4 63 days (flagged), A5 5 days
    ("ready_for_board", 3, 10.0, 11.6, 1, 1),  # [4, 10, 12]; A2 since 21 Jan (46 days)
    ("scheduled", 3, 3.0, 3.0, 0, 0),
    ("in_progress", 1, 35.0, 35.0, 0, 0),
    ("evaluation", 0, None, None, 1, 0),  # A1, 7 days: no finished passage yet
]


class History:
    """The actions, partners and people of the history."""


def build(time_machine, *, territory, other_territory) -> History:
    h = History()
    time_machine.move_to(at(1, 4, 9), tick=False)
    h.territory, h.other_territory = territory, other_territory
    h.project = factories.ProjectFactory(territory=territory, year=2027)
    h.axis = factories.AxisFactory(project=h.project, title="Vivre ensemble")
    h.manager = factories.StaffFactory(role=StaffRole.TERRITORY_MANAGER, territories=[territory])
    h.worker = factories.StaffFactory(role=StaffRole.SOCIAL_WORKER, territories=[territory])
    h.secretary = factories.StaffFactory(role=StaffRole.BOARD_SECRETARY, territories=[territory])
    h.director = factories.StaffFactory(role=StaffRole.DIRECTOR, territories=[])
    h.o1 = factories.OrganisationFactory(name="Centre social du Gier", territories=[territory])
    h.o2 = factories.OrganisationFactory(name="Ville de Saint-Chamond", territories=[territory])
    h.c1 = factories.ContactFactory(organisation=h.o1, category="technician")
    h.c2 = factories.ContactFactory(organisation=h.o2, category="elected_official")

    def action(title, pilot, contact, **extra):
        created = factories.ActionFactory(
            project=h.project,
            axis=h.axis,
            title=title,
            social_worker=h.worker,
            consultation_deadline=None,
            **extra,
        )
        role = factories.RoleFactory(action=created, organisation=pilot, contact=contact)
        return created, role

    (h.a1, h.r1), (h.a2, h.r2) = action("A1", h.o1, h.c1), action("A2", h.o2, h.c2)
    (h.a3, h.r3), (h.a4, h.r4) = action("A3", h.o1, h.c1), action("A4", h.o2, h.c2)
    h.session = factories.BoardSessionFactory(date=at(1, 21, 14), title="Conseil de janvier")

    time_machine.move_to(at(1, 4), tick=False)
    for a in (h.a1, h.a2, h.a3, h.a4):
        submit_action(a, actor=h.worker)
    time_machine.move_to(at(1, 6), tick=False)
    answer_role(h.r1.pk, decision="accept", responder=h.c1)
    time_machine.move_to(at(1, 7), tick=False)
    answer_role(h.r4.pk, decision="decline", responder=h.c2, comment="Pas cette année.")
    time_machine.move_to(at(1, 8), tick=False)
    answer_role(h.r2.pk, decision="accept", responder=h.c2)
    time_machine.move_to(at(1, 12), tick=False)
    sweep()  # the reminders of 11 January (A3's pilot: the only invitation still open)
    time_machine.move_to(at(1, 14), tick=False)
    answer_role(h.r3.pk, decision="accept", responder=h.c1)

    time_machine.move_to(at(1, 18), tick=False)
    for a in (h.a1, h.a2, h.a3):
        schedule_action(a, actor=h.manager, board_session=h.session)
    h.session.refresh_from_db()
    publish_agenda(h.session, actor=h.secretary)
    time_machine.move_to(at(1, 21), tick=False)
    h.session.refresh_from_db()
    hold_session(h.session, actor=h.secretary)
    record_decisions(
        h.session,
        [
            DecisionInput("approved", "2027-001", action=h.a1),
            DecisionInput("deferred", "2027-002", action=h.a2),
            DecisionInput("rejected", "2027-003", action=h.a3, conditions="Hors champ"),
        ],
        user=h.secretary,
    )
    time_machine.move_to(at(1, 25), tick=False)
    h.a1.refresh_from_db()
    start_action(h.a1, actor=h.worker)
    time_machine.move_to(at(3, 1), tick=False)
    h.a1.refresh_from_db()
    evaluate_action(h.a1, actor=h.worker)

    time_machine.move_to(at(3, 3), tick=False)
    h.a5, h.r5 = action("A5", h.o2, h.c2)
    h.r5b = factories.RoleFactory(action=h.a5, organisation=h.o1, contact=h.c1, kind="funder")
    submit_action(h.a5, actor=h.worker)
    time_machine.move_to(at(3, 5), tick=False)
    answer_role(h.r5b.pk, decision="request_changes", responder=h.c1, comment="Le montant.")

    # Another territory: directors only.
    time_machine.move_to(at(1, 4), tick=False)
    other_project = factories.ProjectFactory(territory=other_territory, year=2027)
    other_org = factories.OrganisationFactory(
        name="Mairie de Roanne", territories=[other_territory]
    )
    other_contact = factories.ContactFactory(organisation=other_org, category="technician")
    h.other = factories.ActionFactory(project=other_project, title="Action secrète Roannais")
    h.other_role = factories.RoleFactory(
        action=h.other, organisation=other_org, contact=other_contact
    )
    submit_action(h.other, actor=h.director)
    time_machine.move_to(at(1, 5), tick=False)
    answer_role(h.other_role.pk, decision="accept", responder=other_contact)

    time_machine.move_to(NOW, tick=False)
    mail.outbox.clear()
    for a in (h.a1, h.a2, h.a3, h.a4, h.a5, h.other):
        a.refresh_from_db()
    return h
