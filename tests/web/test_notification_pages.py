"""The notification centre (mes-notifications/) and the preferences page: only the caller's
notifications, marked read one by one or all at once, the unread count in the header; the
preferences saved through the same service as the API, the mandatory kinds never turned off."""

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import MANDATORY_KINDS, PARTNER_KINDS, Kind, Preference, Status
from tests import factories
from tests.web.notifying import notify

pytestmark = pytest.mark.django_db

CENTRE = reverse("web:notification_centre")
PREFERENCES = reverse("web:preferences")


def text(response) -> str:
    return html.unescape(response.content.decode())


def header_count(response) -> int:
    """The unread count the header's navigation shows (0 when there is no badge)."""
    found = re.search(r'<span class="badge">(\d+)', text(response))
    return int(found.group(1)) if found else 0


# --- the centre ------------------------------------------------------------------------------


def test_the_centre_shows_only_the_callers_notifications(page_client, social_worker, manager):
    action = factories.ActionFactory(title="Atelier parents-enfants à Mulsant")
    notify(social_worker, kind=Kind.ANSWER_RECEIVED, action=action)
    notify(manager, kind=Kind.ESCALATION, action=factories.ActionFactory(title="Secret du voisin"))
    notify(social_worker, kind=Kind.REMINDER, status=Status.PLANNED)  # not sent yet

    response = page_client(social_worker).get(CENTRE)

    assert response.status_code == 200
    page = text(response)
    assert "<h1>Mes notifications</h1>" in page
    assert "Réponse d'un partenaire" in page
    assert "Atelier parents-enfants à Mulsant" in page
    assert reverse("web:action_detail", args=[action.pk]) in page
    assert "Secret du voisin" not in page and "Alerte" not in page
    assert "Relance" not in page  # planned, not received
    assert "Vous avez 1 notification non lue." in page


def test_a_notification_about_a_board_session_links_to_its_page(page_client, secretary):
    session = factories.BoardSessionFactory()
    notify(secretary, kind=Kind.AGENDA_PUBLISHED, subject=session)
    page = text(page_client(secretary).get(CENTRE))
    assert reverse("web:board_detail", args=[session.pk]) in page
    assert "Voir la séance du conseil" in page


def test_marking_one_read_changes_the_header_count(page_client, social_worker):
    first, _second = notify(social_worker), notify(social_worker, kind=Kind.CONSULTATION_COMPLETE)
    client = page_client(social_worker)
    assert header_count(client.get(CENTRE)) == 2

    response = client.post(
        reverse("web:notification_read", args=[first.pk]), {"next": f"{CENTRE}?non-lues=1"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{CENTRE}?non-lues=1"
    first.refresh_from_db()
    assert first.read_at is not None
    page = client.get(response["Location"])
    assert header_count(page) == 1
    assert "Notification marquée comme lue." in text(page)
    assert "Vous avez 1 notification non lue." in text(page)


def test_someone_elses_notification_cannot_be_marked_read(page_client, social_worker, manager):
    theirs = notify(manager)
    response = page_client(social_worker).post(reverse("web:notification_read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_outside_next_is_ignored(page_client, social_worker):
    mine = notify(social_worker)
    response = page_client(social_worker).post(
        reverse("web:notification_read", args=[mine.pk]), {"next": "https://ailleurs.example/"}
    )
    assert response["Location"] == CENTRE


def test_mark_all_read_marks_only_the_callers(page_client, social_worker, manager):
    for _ in range(3):
        notify(social_worker)
    theirs = notify(manager)
    client = page_client(social_worker)

    response = client.post(reverse("web:notifications_read_all"), follow=True)

    page = text(response)
    assert "3 notifications marquées comme lues." in page
    assert header_count(response) == 0
    assert "Vous n'avez aucune notification non lue." in page
    assert "Tout marquer comme lu" not in page
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_unread_filter_hides_read_notifications(page_client, social_worker):
    notify(social_worker, kind=Kind.ANSWER_RECEIVED, read=True)
    notify(social_worker, kind=Kind.CONSULTATION_COMPLETE)
    client = page_client(social_worker)

    everything = text(client.get(CENTRE))
    unread = text(client.get(CENTRE, {"non-lues": "1"}))

    assert "Réponse d'un partenaire" in everything and "Consultation terminée" in everything
    assert "Réponse d'un partenaire" not in unread and "Consultation terminée" in unread


def test_the_centre_is_paginated(page_client, social_worker):
    for _ in range(25):
        notify(social_worker)
    client = page_client(social_worker)
    first = text(client.get(CENTRE))
    assert first.count('class="inbox-item') == 20
    assert "Page 1 sur 2" in first and "page=2" in first
    second = text(client.get(CENTRE, {"page": 2}))
    assert second.count('class="inbox-item') == 5


def test_the_centre_runs_the_same_queries_for_2_or_30_notifications(page_client, social_worker):
    client = page_client(social_worker)

    def queries_for(count: int) -> int:
        for _ in range(count):
            notify(social_worker, action=factories.ActionFactory())
        notify(social_worker, kind=Kind.AGENDA_PUBLISHED, subject=factories.BoardSessionFactory())
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CENTRE, {"non-lues": "1"}).status_code == 200
        client.post(reverse("web:notifications_read_all"))
        return len(captured)

    assert queries_for(2) == queries_for(30)


def test_the_forms_need_the_csrf_token(social_worker):
    mine = notify(social_worker)
    client = Client(enforce_csrf_checks=True)
    client.force_login(social_worker)
    assert client.post(reverse("web:notification_read", args=[mine.pk])).status_code == 403
    assert client.post(reverse("web:notifications_read_all")).status_code == 403
    assert client.post(PREFERENCES, {"answer_received": "none"}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(page_client):
    for url in (CENTRE, PREFERENCES):
        response = page_client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


# --- the preferences -------------------------------------------------------------------------


def optional_choices(**changes) -> dict:
    """The whole form as a browser posts it (the mandatory kinds' radios are disabled)."""
    data = {
        kind.value: "immediate"
        for kind in Kind
        if kind not in MANDATORY_KINDS and kind != Kind.DIGEST
    }
    return {**data, **changes}


def test_the_preferences_page_shows_one_group_per_kind(page_client, manager):
    Preference.objects.create(user=manager, kind=Kind.ANSWER_RECEIVED, delivery="digest")
    response = page_client(manager).get(PREFERENCES)
    assert response.status_code == 200
    page = text(response)
    # every kind but the digest itself, the partners' own and the webhook notice (its
    # administrator's only)
    assert page.count("<legend>") == len(Kind) - 2 - len(PARTNER_KINDS)
    assert re.search(r'id="pref-answer_received-digest" value="digest" checked', page)
    # a mandatory kind: only "immediately", checked and disabled, and the reason
    assert re.search(r'id="pref-reminder-immediate" value="immediate" checked disabled', page)
    assert 'id="pref-reminder-none"' not in page
    assert "portent une échéance ou une décision" in page


def test_preferences_are_saved_with_a_success_message(page_client, manager):
    client = page_client(manager)
    response = client.post(
        PREFERENCES, optional_choices(answer_received="digest", consultation_complete="none")
    )
    assert response.status_code == 302 and response["Location"] == PREFERENCES
    stored = dict(Preference.objects.filter(user=manager).values_list("kind", "delivery"))
    assert stored == {"answer_received": "digest", "consultation_complete": "none"}
    page = text(client.get(PREFERENCES))
    assert "Vos préférences de notification sont enregistrées." in page
    assert re.search(r'id="pref-consultation_complete-none" value="none" checked', page)


def test_a_forged_post_cannot_turn_off_a_mandatory_kind(page_client, manager):
    response = page_client(manager).post(
        PREFERENCES, optional_choices(answer_received="digest", reminder="none")
    )
    assert response.status_code == 400
    page = text(response)
    assert "Vos préférences n'ont pas été enregistrées" in page
    assert "il est toujours envoyé" in page
    assert 'aria-describedby="error-reminder mandatory-hint"' in page
    assert not Preference.objects.filter(user=manager).exists()  # nothing half-saved


def test_an_unknown_delivery_is_refused(page_client, manager):
    response = page_client(manager).post(PREFERENCES, optional_choices(answer_received="jamais"))
    assert response.status_code == 400
    assert not Preference.objects.exists()
