"""The actions' passages through their states (``workflows.StateStay``) follow every
transition, in its transaction: a revision back to draft, a cancelled board session that
releases its actions, a deferral, a withdrawal, a service that lost a race and ran again.
What they say is what the transition log says, and the data migration's backfill
(``rebuild_stays``) writes the same rows from the log."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import OperationalError
from django.utils import timezone

from backend.accounts.models import StaffRole
from backend.actions import consultation
from backend.actions.consultation import answer_role
from backend.actions.models import Action, RoleState
from backend.actions.transitions import (
    revise_action,
    schedule_action,
    submit_action,
    withdraw_action,
)
from backend.board.decisions import DecisionInput, record_decisions
from backend.board.transitions import cancel_session, hold_session, publish_agenda
from tests import factories
from tests.stays import from_log, stays
from workflows.models import StateStay
from workflows.stays import rebuild_stays

PARIS = timezone.get_fixed_timezone(60)


def at(month, day):
    return datetime.datetime(2027, month, day, 15, 0, tzinfo=PARIS)


class Walk:
    pass


def _walk_setup(territory):
    w = Walk()
    w.project = factories.ProjectFactory(territory=territory, year=2027)
    w.worker = factories.StaffFactory(role=StaffRole.SOCIAL_WORKER, territories=[territory])
    w.manager = factories.StaffFactory(role=StaffRole.TERRITORY_MANAGER, territories=[territory])
    w.secretary = factories.StaffFactory(role=StaffRole.BOARD_SECRETARY, territories=[territory])
    organisation = factories.OrganisationFactory(territories=[territory])
    w.contact = factories.ContactFactory(organisation=organisation)
    w.action = factories.ActionFactory(
        project=w.project, social_worker=w.worker, consultation_deadline=None
    )
    w.role = factories.RoleFactory(action=w.action, organisation=organisation, contact=w.contact)
    return w


def _accept(w):
    role = w.action.roles.exclude(state=RoleState.WITHDRAWN).get()
    answer_role(role.pk, decision="accept", responder=w.contact)
    w.action.refresh_from_db()


@pytest.mark.django_db
def test_the_passages_follow_every_transition_of_an_action(time_machine, territory):
    time_machine.move_to(at(1, 4), tick=False)
    w = _walk_setup(territory)
    first = factories.BoardSessionFactory(date=at(2, 1), title="Conseil de février")
    second = factories.BoardSessionFactory(date=at(3, 1), title="Conseil de mars")
    action = w.action

    submit_action(action, actor=w.worker)
    assert stays(action) == [("consultation", at(1, 4), None)]

    time_machine.move_to(at(1, 6), tick=False)
    action.refresh_from_db()
    revise_action(action, actor=w.worker, comment="À reprendre.")  # the revise loop
    time_machine.move_to(at(1, 7), tick=False)
    action.refresh_from_db()
    submit_action(action, actor=w.worker)
    time_machine.move_to(at(1, 9), tick=False)
    _accept(w)  # the last partner accepts: ready for the board
    assert action.state == "ready_for_board"

    time_machine.move_to(at(1, 11), tick=False)
    schedule_action(action, actor=w.manager, board_session=first)
    time_machine.move_to(at(1, 12), tick=False)
    first.refresh_from_db()
    cancel_session(first, actor=w.secretary, comment="Pas de quorum.")  # releases the action
    action.refresh_from_db()
    assert action.state == "ready_for_board"

    time_machine.move_to(at(1, 14), tick=False)
    schedule_action(action, actor=w.manager, board_session=second)
    second.refresh_from_db()
    publish_agenda(second, actor=w.secretary)
    time_machine.move_to(at(3, 1), tick=False)
    second.refresh_from_db()
    hold_session(second, actor=w.secretary)
    action.refresh_from_db()
    record_decisions(second, [DecisionInput("deferred", "2027-9", action=action)], user=w.secretary)

    time_machine.move_to(at(3, 8), tick=False)
    action.refresh_from_db()
    withdraw_action(action, actor=w.worker, comment="Abandonnée.")

    assert stays(action) == [
        ("consultation", at(1, 4), at(1, 6)),
        ("draft", at(1, 6), at(1, 7)),
        ("consultation", at(1, 7), at(1, 9)),
        ("ready_for_board", at(1, 9), at(1, 11)),
        ("scheduled", at(1, 11), at(1, 12)),  # the cancelled session
        ("ready_for_board", at(1, 12), at(1, 14)),
        ("scheduled", at(1, 14), at(3, 1)),
        ("ready_for_board", at(3, 1), at(3, 8)),  # deferred
        ("withdrawn", at(3, 8), None),
    ]
    assert stays(action) == from_log(action)

    # The data migration's backfill, from the log: the same rows.
    action_type = ContentType.objects.get_for_model(Action).pk
    written = stays(action)
    assert rebuild_stays(action_type) == len(written)
    assert stays(action) == written
    # Only the actions keep passages (their roles' log rows are not passages of theirs).
    assert set(StateStay.objects.values_list("subject_type", flat=True)) == {action_type}


@pytest.mark.django_db
def test_the_backfill_equals_what_the_log_says_of_a_known_history(
    time_machine, territory, other_territory
):
    from tests import analytics_history

    h = analytics_history.build(time_machine, territory=territory, other_territory=other_territory)
    actions = (h.a1, h.a2, h.a3, h.a4, h.a5, h.other)
    engine = {a.pk: stays(a) for a in actions}
    StateStay.objects.all().delete()
    rebuild_stays(ContentType.objects.get_for_model(Action).pk)
    assert {a.pk: stays(a) for a in actions} == engine
    assert {a.pk: from_log(a) for a in actions} == engine
    assert engine[h.a1.pk][-1] == ("evaluation", analytics_history.at(3, 1), None)


class Deadlock(Exception):
    sqlstate = "40P01"


@pytest.mark.django_db(transaction=True)
def test_a_service_that_lost_a_race_and_ran_again_leaves_one_passage_each(
    time_machine, territory, monkeypatch
):
    """The first run wrote its passages, then lost: they were rolled back with the rest;
    the second run writes them once."""
    time_machine.move_to(at(1, 4), tick=False)
    w = _walk_setup(territory)
    submit_action(w.action, actor=w.worker)
    real = consultation.complete_consultation
    runs = []

    def losing_once(action, **kwargs):
        result = real(action, **kwargs)  # ready for the board, its passage written
        runs.append(1)
        if len(runs) == 1:
            raise OperationalError("deadlock detected") from Deadlock()
        return result

    monkeypatch.setattr(consultation, "complete_consultation", losing_once)
    time_machine.move_to(at(1, 6), tick=False)
    _accept(w)
    assert len(runs) == 2 and w.action.state == "ready_for_board"
    assert stays(w.action) == [
        ("consultation", at(1, 4), at(1, 6)),
        ("ready_for_board", at(1, 6), None),
    ]
    assert stays(w.action) == from_log(w.action)
