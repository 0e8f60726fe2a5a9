"""A baked query (compiled once, run again with other ids) gives what its queryset gives."""

import pytest
from django.db import connection
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from backend.actions.models import RoleAssignment
from backend.core.baked import Baked
from notifications.models import ReminderPolicy
from tests import factories

pytestmark = pytest.mark.django_db


def _roles(action_id):
    return (
        RoleAssignment.objects.filter(action_id=action_id)
        .select_related("action__project", "contact")
        .order_by("pk")
    )


ROLES = Baked(_roles)


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_instances_and_their_related_objects_are_the_querysets(project, django_assert_num_queries):
    first, second = (
        factories.ActionFactory(project=project),
        factories.ActionFactory(project=project),
    )
    for action in (first, first, second):
        factories.RoleFactory(action=action, kind="contributor")
    for action in (first, second, first):  # compiled once, each call with its own id
        baked, orm = ROLES(action.pk), list(_roles(action.pk))
        assert [_fields(r) for r in baked] == [_fields(r) for r in orm]
        assert len(baked) == (2 if action == first else 1)
        with django_assert_num_queries(0):  # read with the row, as select_related does
            territories = {r.action.project.territory_id for r in baked}
            assert territories == {project.territory_id}
            assert [r.contact.email for r in baked] == [r.contact.email for r in orm]
        assert all(r._state.db == "default" and not r._state.adding for r in baked)


def test_one_statement_a_call_the_same_each_time(project):
    action = factories.ActionFactory(project=project)
    with CaptureQueriesContext(connection) as captured:
        ROLES(action.pk)
        ROLES(action.pk + 1)
    assert len(captured.captured_queries) == 2
    first, second = (query["sql"] for query in captured.captured_queries)
    assert first.replace(str(action.pk), "?") == second.replace(str(action.pk + 1), "?")


def test_values_list_rows_and_converted_values():
    policy = ReminderPolicy.objects.get(name=ReminderPolicy.CONSULTATION)
    offsets = Baked(
        lambda pk: ReminderPolicy.objects.filter(pk=pk).values_list("name", "reminder_offsets")
    )
    assert offsets(policy.pk) == [(policy.name, policy.reminder_offsets)]
    assert isinstance(offsets(policy.pk)[0][1], list)  # JSON read back as the field does
    assert offsets(-1) == []


def test_every_id_must_reach_the_query():
    ignores_its_id = Baked(lambda pk: ReminderPolicy.objects.filter(pk__gt=0))
    with pytest.raises(ValueError, match="every id"):
        ignores_its_id(1)


@pytest.mark.django_db(transaction=True)
def test_a_lock_outside_a_transaction_is_refused_as_the_orm_refuses_it():
    locked = Baked(lambda pk: ReminderPolicy.objects.select_for_update().filter(pk=pk))
    with pytest.raises(TransactionManagementError):
        locked(1)
