"""Two people editing the same thing in the pages: the second one to save is told what the
first changed (which fields, their new values) instead of overwriting it silently, and keeps
what they typed; saving again then applies it."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from backend.actions.models import Action, RoleAssignment
from backend.actions.services import update_action, update_role
from backend.evaluations.reports import update_plan

pytestmark = pytest.mark.django_db


def hidden(page: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name}"
    return html.unescape(match.group(1))


def test_an_action_saved_meanwhile_is_not_overwritten_and_its_changes_are_shown(
    page_client, social_worker, manager, action
):
    url = reverse("web:action_edit", args=[action.pk])
    client = page_client(social_worker)
    opened = client.get(url).content.decode()
    version, seen = hidden(opened, "version"), hidden(opened, "seen_values")

    # Meanwhile the territory manager renames the action.
    update_action(action, user=manager, data={"title": "Jardin partagé du Mulsant"})

    typed = {
        "title": action.title,
        "summary": "Un jardin tenu par les habitants.",
        "version": version,
        "seen_values": seen,
    }
    response = client.post(url, typed)

    assert response.status_code == 412
    raw = response.content.decode()
    page = html.unescape(raw)
    assert (
        "quelqu'un a enregistré d'autres valeurs : Intitulé : « Jardin partagé du Mulsant »" in page
    )
    assert "Un jardin tenu par les habitants." in page  # what they typed is kept
    stored = Action.objects.get(pk=action.pk)
    assert stored.title == "Jardin partagé du Mulsant"  # nothing overwritten
    assert stored.summary != "Un jardin tenu par les habitants."

    # Saving again, knowing, applies what they typed.
    again = {
        **typed,
        "version": hidden(raw, "version"),
        "seen_values": hidden(raw, "seen_values"),
    }
    assert client.post(url, again).status_code == 303
    stored.refresh_from_db()
    assert stored.summary == "Un jardin tenu par les habitants."
    assert stored.title == action.title


def test_an_edit_on_the_version_opened_saves(page_client, social_worker, action):
    url = reverse("web:action_edit", args=[action.pk])
    client = page_client(social_worker)
    opened = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": "Nouveau titre",
            "summary": action.summary,
            "version": hidden(opened, "version"),
            "seen_values": hidden(opened, "seen_values"),
        },
    )
    assert response.status_code == 303
    assert Action.objects.get(pk=action.pk).title == "Nouveau titre"


def test_a_role_saved_meanwhile_is_not_overwritten_and_its_changes_are_shown(
    page_client, social_worker, manager, pilot
):
    url = reverse("web:role_edit", args=[pilot.action_id, pilot.pk])
    client = page_client(social_worker)
    opened = client.get(url).content.decode()

    update_role(pilot, user=manager, data={"description": "Prête la salle des fêtes"})

    typed = {
        "organisation": pilot.organisation_id,
        "contact": pilot.contact_id,
        "kind": pilot.kind,
        "description": pilot.description,
        "venue": "Salle Jean Moulin",
        "version": hidden(opened, "version"),
        "seen_values": hidden(opened, "seen_values"),
    }
    response = client.post(url, typed)

    assert response.status_code == 412
    page = html.unescape(response.content.decode())
    assert "Engagement : « Prête la salle des fêtes »" in page
    assert 'value="Salle Jean Moulin"' in page  # what they typed is kept
    stored = RoleAssignment.objects.get(pk=pilot.pk)
    assert (stored.description, stored.venue) == ("Prête la salle des fêtes", "")


def test_an_evaluation_plan_saved_meanwhile_is_not_overwritten_and_its_changes_are_shown(
    page_client, social_worker, manager, started_evaluation
):
    evaluation = started_evaluation([{"label": "Familles parties", "target": 12}])
    url = reverse("web:evaluation_plan", args=[evaluation.pk])
    client = page_client(social_worker)
    opened = client.get(url).content.decode()

    update_plan(evaluation, user=manager, due_date=datetime.date(2027, 10, 15))

    typed = {
        "rows": "1",
        "due_date": "30/09/2027",
        "indicator-0-label": "Familles parties en vacances",
        "indicator-0-target": "14",
        "version": hidden(opened, "version"),
        "seen_values": hidden(opened, "seen_values"),
    }
    response = client.post(url, typed)

    assert response.status_code == 412
    raw = response.content.decode()
    page = html.unescape(raw)
    assert "Échéance du rapport : « 15/10/2027 »" in page
    assert "Indicateurs :" not in page  # they did not change
    assert 'value="Familles parties en vacances"' in page and 'value="30/09/2027"' in page
    evaluation.refresh_from_db()
    assert evaluation.due_date == datetime.date(2027, 10, 15)
    assert [i.label for i in evaluation.indicators.all()] == ["Familles parties"]

    again = {**typed, "version": hidden(raw, "version"), "seen_values": hidden(raw, "seen_values")}
    assert client.post(url, again).status_code == 303
    evaluation.refresh_from_db()
    assert evaluation.due_date == datetime.date(2027, 9, 30)
