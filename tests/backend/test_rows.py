"""The batched writes of the hot paths (``backend.core.rows``) store what the ORM would: a
value shared by every row goes once, yet every row gets it, and no row is merged with
another."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.actions.models import Action, RoleAssignment
from backend.core.rows import insert_rows, update_rows
from tests import factories
from workflows.models import TransitionLog
from workflows.services import LOG_FIELDS

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)


def _log(action, **values) -> TransitionLog:
    row = {
        "subject_type_id": ContentType.objects.get_for_model(Action).pk,
        "subject_id": action.pk,
        "action_id": action.pk,
        "transition": "submit",
        "source": "draft",
        "target": "consultation",
        "actor_label": "Camille",
        "automatic": False,
        "comment": "",
        "at": AT,
    }
    return TransitionLog(**{**row, **values})


def _stored(action) -> list[tuple]:
    return list(
        TransitionLog.objects.filter(action=action)
        .order_by("id")
        .values_list("transition", "comment", "automatic", "at", "actor_label")
    )


def test_identical_rows_stay_distinct_rows(action):
    insert_rows(TransitionLog, [_log(action), _log(action), _log(action)], LOG_FIELDS)
    assert _stored(action) == [("submit", "", False, AT, "Camille")] * 3


def test_shared_and_differing_values_land_on_their_own_rows(action):
    later = AT + datetime.timedelta(hours=1)
    rows = [
        _log(action, transition="invite", comment="premier", at=AT),
        _log(action, transition="invite", comment="", at=later, automatic=True),
        _log(action, transition="withdraw", comment="dernier", at=AT, actor_label="Zoé"),
    ]
    with CaptureQueriesContext(connection) as captured:
        insert_rows(TransitionLog, rows, LOG_FIELDS)
    assert len(captured.captured_queries) == 1
    assert _stored(action) == [
        ("invite", "premier", False, AT, "Camille"),
        ("invite", "", True, later, "Camille"),
        ("withdraw", "dernier", False, AT, "Zoé"),
    ]


def test_one_update_sets_shared_and_own_values_on_every_row(action):
    roles = [factories.RoleFactory(action=action, kind="contributor") for _ in range(3)]
    now = timezone.now()
    untouched = factories.RoleFactory(action=action, kind="contributor", venue="")
    for position, role in enumerate(roles):
        role.venue = "Maison des familles"  # shared
        role.invited_at = now  # shared
        role.link_nonce = f"lien-{position}"  # each its own
    with CaptureQueriesContext(connection) as captured:
        update_rows(RoleAssignment, roles, ["venue", "invited_at", "link_nonce"])
    assert len(captured.captured_queries) == 1
    stored = RoleAssignment.objects.filter(pk__in=[r.pk for r in roles]).order_by("id")
    assert list(stored.values_list("venue", "invited_at", "link_nonce")) == [
        ("Maison des familles", now, "lien-0"),
        ("Maison des familles", now, "lien-1"),
        ("Maison des familles", now, "lien-2"),
    ]
    untouched.refresh_from_db()
    assert (untouched.venue, untouched.invited_at) == ("", None)
