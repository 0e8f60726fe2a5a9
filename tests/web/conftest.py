import datetime

import pytest
from django.test import Client

from backend.actions.models import Action
from backend.actions.transitions import approve_action, start_action
from backend.evaluations.reports import update_plan


@pytest.fixture
def page_client():
    """``page_client(user)`` → a Django test client signed in as ``user`` (None: anonymous)."""

    def make(user=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def started_evaluation(action, pilot, secretary, social_worker):
    """``started_evaluation(indicators)`` → the evaluation of ``action``, approved and started
    through the services, its plan holding these indicators."""

    def make(indicators):
        Action.objects.filter(pk=action.pk).update(
            state="scheduled", planned_end=datetime.date(2027, 6, 30), social_worker=social_worker
        )
        pilot.invite()
        pilot.accept()
        pilot.save()
        action.refresh_from_db()
        approved = approve_action(action, actor=secretary)
        start_action(approved, actor=social_worker)
        return update_plan(approved.evaluation, user=social_worker, indicators=indicators)

    return make
