"""The action page's timeline holds the log rows of everything that belongs to the action:
the action itself, its roles, and its evaluation (a page that broke once on the latter)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from backend.evaluations.models import Evaluation
from workflows.services import log_transition


def test_the_evaluation_steps_appear_in_the_action_timeline(page_client, action, manager):
    evaluation = Evaluation.objects.create(
        action=action, due_date=timezone.localdate() + datetime.timedelta(days=30)
    )
    log_transition(evaluation, "submit_report", "planned", "submitted", actor=manager)
    log_transition(evaluation, "validate", "submitted", "validated", actor=manager)

    response = page_client(manager).get(reverse("web:action_detail", args=[action.pk]))

    assert response.status_code == 200
    text = " ".join(response.text.split())
    assert "Évaluation : remettre le rapport" in text
    assert "Évaluation : valider" in text
    assert "« remise » à « validée »" in text
