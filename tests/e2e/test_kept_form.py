"""Nothing typed is lost: a half-written form sent after the session expired is kept through
the sign-in, shown, and sent on with one click."""

import pytest
from django.conf import settings

from backend.actions.models import Action
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import browser_available

if not browser_available():
    pytest.skip("Playwright or /usr/bin/chromium is not installed", allow_module_level=True)

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Une-phrase-de-passe-42"
TYPED = "Atelier parents-enfants du mercredi, salle du centre social (réécrit avec soin)"


def expire_the_session(page):
    cookies = [c for c in page.context.cookies() if c["name"] != settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies(cookies)  # the CSRF cookie stays, as in a browser left open


def test_a_form_sent_after_the_session_expired_is_kept_and_sent_after_sign_in(
    signed_in, social_worker, action
):
    social_worker.set_password(PASSWORD)
    social_worker.save()
    page = signed_in(social_worker)
    page.goto(f"/actions/{action.pk}/modifier/")
    page.get_by_label("Intitulé").fill(TYPED)
    expire_the_session(page)
    page.get_by_role("button", name="Enregistrer les modifications").click()

    page.wait_for_url("**/connexion/?next=/reprendre/")
    assert Action.objects.get(pk=action.pk).title != TYPED  # nothing saved without a session
    page.get_by_label("Identifiant ou adresse e-mail").fill(social_worker.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.wait_for_url("**/reprendre/")
    assert TYPED in page.inner_text("main")  # what was typed, shown before it is sent
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer ma saisie").click()
    page.wait_for_url(f"**/actions/{action.pk}/")
    assert Action.objects.get(pk=action.pk).title == TYPED


def test_a_kept_form_can_be_dropped(client, social_worker, action):
    client.post(f"/actions/{action.pk}/modifier/", {"title": TYPED})
    client.force_login(social_worker)
    assert TYPED in client.get("/reprendre/").content.decode()
    assert client.get("/reprendre/").status_code == 302  # shown once
    client.logout()
    client.post(f"/actions/{action.pk}/modifier/", {"title": TYPED})
    client.force_login(social_worker)
    dropped = client.post("/reprendre/")
    assert dropped.status_code == 302
    assert client.get("/reprendre/")["Location"] == "/tableau-de-bord/"
    assert Action.objects.get(pk=action.pk).title != TYPED
