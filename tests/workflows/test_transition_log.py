"""The transition log is append-only, in the ORM and in PostgreSQL itself."""

import pytest
from django.db import DatabaseError, connection, transaction

from backend.actions.transitions import submit_action
from workflows.models import AppendOnlyError, TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(social_worker, action, pilot):
    submit_action(action, actor=social_worker, comment="ouverture")
    return TransitionLog.objects.get(transition="submit")


def test_a_transition_writes_one_row_with_who_what_when(entry, social_worker):
    assert (entry.source, entry.target, entry.actor, entry.comment) == (
        "draft",
        "consultation",
        social_worker,
        "ouverture",
    )
    assert entry.actor_label == social_worker.get_full_name()
    assert entry.at is not None and not entry.automatic


def test_rows_cannot_be_changed_or_deleted_through_the_orm(entry):
    entry.comment = "réécrit"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        TransitionLog.objects.filter(pk=entry.pk).update(comment="x")
    with pytest.raises(AppendOnlyError):
        TransitionLog.objects.all().delete()


def test_the_database_refuses_updates_and_deletes(entry):
    for sql in (
        "UPDATE workflows_transitionlog SET comment = 'x' WHERE id = %s",
        "DELETE FROM workflows_transitionlog WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert entry.comment == "ouverture"


def test_a_refused_transition_writes_nothing(secretary, action, pilot):
    from workflows.errors import TransitionForbidden

    with pytest.raises(TransitionForbidden):
        submit_action(action, actor=secretary)
    assert not TransitionLog.objects.exists()
    action.refresh_from_db()
    assert action.state == "draft"


def test_a_failing_step_rolls_the_whole_transition_back(social_worker, action, pilot, monkeypatch):
    from backend.actions import transitions

    def boom(*args, **kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(transitions, "plan_consultation_notices", boom)
    with pytest.raises(RuntimeError):
        transitions.submit_action(action, actor=social_worker)
    action.refresh_from_db()
    pilot.refresh_from_db()
    assert (action.state, pilot.state) == ("draft", "proposed")
    assert not TransitionLog.objects.exists()
