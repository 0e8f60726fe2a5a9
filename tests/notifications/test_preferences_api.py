"""GET/PUT /api/v1/notifications/preferences/: the signed-in staff member's own choices."""

import pytest
from django.urls import Resolver404, include, path, resolve

from backend.api.preference_views import PreferenceView
from notifications.models import (
    MANDATORY_KINDS,
    PARTNER_KINDS,
    Kind,
    Notification,
    Preference,
    Status,
)
from notifications.planning.rows import plan
from tests import factories

URL = "/api/v1/notifications/preferences/"

# Until backend/api/urls.py routes the view, these tests route it themselves (the last test
# checks the project's own routing).
urlpatterns = [
    path("api/v1/notifications/preferences/", PreferenceView.as_view()),
    path("", include("backend.urls")),
]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def by_kind(response) -> dict:
    return {item["kind"]: item for item in response.data}


def test_every_kind_is_listed_with_its_delivery_and_whether_it_can_change(api, manager):
    response = api.as_user(manager).get(URL)
    assert response.status_code == 200
    items = by_kind(response)
    # a webhook switched off concerns only its administrator: not a choice for everyone
    assert set(items) == (
        {kind.value for kind in Kind} - {Kind.DIGEST, Kind.WEBHOOK_DISABLED} - PARTNER_KINDS
    )
    for kind, item in items.items():
        assert item["delivery"] == "immediate"
        assert item["can_change"] is (kind not in MANDATORY_KINDS)
        assert item["label"]
    assert items["escalation"]["choices"] == ["immediate"]
    assert items["answer_received"]["choices"] == ["immediate", "digest", "none"]


def test_put_changes_one_kind_and_returns_the_list(api, manager, social_worker):
    client = api.as_user(manager)
    response = client.put(URL, {"kind": "answer_received", "delivery": "digest"})
    assert response.status_code == 200
    assert by_kind(response)["answer_received"]["delivery"] == "digest"
    assert by_kind(client.get(URL))["answer_received"]["delivery"] == "digest"
    client.put(URL, {"kind": "consultation_complete", "delivery": "none"})
    stored = Preference.objects.filter(user=manager).values_list("kind", "delivery")
    assert sorted(stored) == [("answer_received", "digest"), ("consultation_complete", "none")]
    assert not Preference.objects.filter(user=social_worker).exists()  # only the caller's


@pytest.mark.parametrize("delivery", ["digest", "none"])
def test_a_deadline_kind_cannot_be_delayed_or_turned_off(api, manager, delivery):
    response = api.as_user(manager).put(URL, {"kind": "reminder", "delivery": delivery})
    assert response.status_code == 400
    assert "delivery" in response.data
    assert not Preference.objects.exists()


def test_a_deadline_kind_may_be_asked_immediately(api, manager):
    response = api.as_user(manager).put(URL, {"kind": "board_decision", "delivery": "immediate"})
    assert response.status_code == 200
    assert not Preference.objects.exists()  # nothing to store: it is the only way


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "newsletter", "delivery": "none"}, "kind"),
        ({"kind": "digest", "delivery": "none"}, "kind"),
        ({"kind": "answer_received", "delivery": "weekly"}, "delivery"),
        ({"kind": "answer_received"}, "delivery"),
        ({}, "kind"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, manager, body, field):
    response = api.as_user(manager).put(URL, body)
    assert response.status_code == 400 and field in response.data


def test_turning_a_kind_off_drops_what_waits_for_the_digest(api, manager, action):
    client = api.as_user(manager)
    client.put(URL, {"kind": "answer_received", "delivery": "digest"})
    role = factories.RoleFactory(action=action)
    plan(Kind.ANSWER_RECEIVED, subject=role, recipient=manager, action=action)
    row = Notification.objects.get(kind=Kind.ANSWER_RECEIVED, user=manager, subject_id=role.pk)
    Notification.objects.filter(pk=row.pk).update(status=Status.IN_DIGEST)
    client.put(URL, {"kind": "answer_received", "delivery": "none"})
    row.refresh_from_db()
    assert row.status == Status.SKIPPED


def test_staff_only(api, manager):
    assert api.get(URL).status_code == 401
    partner_account = factories.StaffFactory(role="")
    assert api.as_user(partner_account).get(URL).status_code == 403
    assert api.as_user(partner_account).put(URL, {}).status_code == 403


def test_errors_speak_english_on_request(api, manager):
    response = api.as_user(manager).put(
        URL, {"kind": "escalation", "delivery": "none"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "always sent" in str(response.data["delivery"])


@pytest.mark.urls("backend.urls")
def test_the_project_routes_the_preferences():
    try:
        view = resolve(URL).func.view_class
    except Resolver404:
        view = None
    assert view is PreferenceView, f"backend/api/urls.py does not route {URL} yet"
