"""Staff sign in with their username or e-mail; partners never need to; passwords can be reset
by e-mail; every staff page asks for a signed-in staff member."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from backend.accounts.models import User

PASSWORD = "Une-phrase-de-passe-42"


@pytest.fixture
def worker(social_worker):
    social_worker.email = "Elodie.Marcoux@caf42.example"
    social_worker.set_password(PASSWORD)
    social_worker.save()
    return social_worker


def sign_in(client, login, password=PASSWORD, **extra):
    return client.post(reverse("web:login"), {"username": login, "password": password, **extra})


def test_an_anonymous_visitor_is_sent_to_the_sign_in_page_and_back(client, worker):
    response = client.get("/tableau-de-bord/?state=draft")
    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/tableau-de-bord/%3Fstate%3Ddraft"

    response = sign_in(client, worker.username, next="/tableau-de-bord/?state=draft")
    assert response.status_code == 302
    assert response["Location"] == "/tableau-de-bord/?state=draft"


@pytest.mark.parametrize("login", ["username", "elodie.marcoux@caf42.example"])
def test_staff_sign_in_with_their_username_or_their_email(client, worker, login):
    response = sign_in(client, worker.username if login == "username" else login)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard")
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_a_wrong_password_says_so_in_french_and_signs_nobody_in(client, worker):
    response = sign_in(client, worker.username, password="faux")
    assert response.status_code == 200
    assert "et un mot de passe valides" in response.text
    assert client.get(reverse("web:dashboard")).status_code == 302


def test_an_address_shared_by_two_accounts_signs_nobody_in(client, worker, make_staff):
    make_staff(email=worker.email.upper()).set_password(PASSWORD)
    response = sign_in(client, worker.email)
    assert response.status_code == 200


def test_an_account_without_a_staff_role_gets_a_403_page(page_client, db):
    someone = User.objects.create_user("visiteur", password=PASSWORD)
    response = page_client(someone).get(reverse("web:dashboard"))
    assert response.status_code == 403
    assert "Accès refusé" in response.text


def test_signing_out_is_a_post_and_ends_the_session(page_client, worker):
    client = page_client(worker)
    assert client.get(reverse("web:logout")).status_code == 405
    assert client.post(reverse("web:logout")).status_code == 302
    assert client.get(reverse("web:dashboard")).status_code == 302


def test_a_forgotten_password_is_reset_from_the_emailed_link(client, worker, settings):
    settings.SITE_URL = "https://projets.caf42.example"
    response = client.post(reverse("web:password_reset"), {"email": "elodie.marcoux@caf42.example"})
    assert response.status_code == 302

    (message,) = mail.outbox
    assert message.to == [worker.email]
    assert message.subject == "Choisir un nouveau mot de passe - Projets de territoire"
    link = re.search(r"https://projets\.caf42\.example(/mot-de-passe/nouveau/\S+)", message.body)
    assert link, message.body

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    new_password = "Un-tout-autre-secret-2026"
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert sign_in(client, worker.username, password=new_password).status_code == 302
    # The link served once.
    assert "plus valable" in client.get(link.group(1), follow=True).text


def test_no_email_is_sent_for_an_unknown_address_and_the_page_does_not_tell(client, db):
    response = client.post(reverse("web:password_reset"), {"email": "inconnu@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_staff_pages_send_a_strict_content_security_policy(page_client, worker, admin_user):
    response = page_client(worker).get(reverse("web:dashboard"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" not in page_client(admin_user).get("/admin/").headers


def test_the_root_sends_staff_to_their_dashboard_and_others_to_a_presentation(
    client, page_client, worker
):
    assert page_client(worker).get("/")["Location"] == reverse("web:dashboard")
    response = client.get("/")
    assert response.status_code == 200
    assert "Connexion du personnel" in response.text


def test_five_wrong_passwords_lock_the_account_for_a_while_even_with_the_right_one(
    client, worker, settings, time_machine
):
    time_machine.move_to("2026-03-02 09:00 +01:00", tick=False)
    for attempt in range(1, settings.SIGNIN_FAILURE_LIMIT + 1):
        response = sign_in(client, worker.username, password="devine")
        assert response.status_code == (429 if attempt == settings.SIGNIN_FAILURE_LIMIT else 200)
    response = sign_in(client, worker.email)  # the right password, by e-mail
    assert response.status_code == 429
    assert "la connexion est bloquée pour un moment" in response.text
    assert 'name="password"' in response.text  # the sign-in page, with the message
    assert client.get(reverse("web:dashboard")).status_code == 302
    time_machine.move_to("2026-03-02 09:16 +01:00", tick=False)  # the window has passed
    assert sign_in(client, worker.username).status_code == 302


# --- One lock-out for every way in: the staff sign-in, the admin's, the API's token -----------

ADMIN_LOGIN = "/admin/login/"


def admin_sign_in(client, username, password=PASSWORD):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"})


@pytest.fixture
def superuser(admin_user):
    admin_user.is_staff = admin_user.is_superuser = True  # as create_staff makes an admin
    admin_user.set_password(PASSWORD)
    admin_user.save()
    return admin_user


def test_the_admin_sign_in_is_locked_out_too(client, superuser, settings):
    for _ in range(settings.SIGNIN_FAILURE_LIMIT - 1):
        response = admin_sign_in(client, superuser.username, password="devine")
        assert response.status_code == 200  # the admin's page, "saisissez … corrects"
    assert admin_sign_in(client, superuser.username, password="devine").status_code == 429
    response = admin_sign_in(client, superuser.username)  # the right password
    assert response.status_code == 429
    assert "la connexion est bloquée pour un moment" in response.text
    assert client.get("/admin/").status_code == 302  # nobody signed in


@pytest.mark.parametrize("way", ["staff sign-in", "by e-mail", "admin", "API"])
def test_failures_anywhere_count_for_every_way_in(client, superuser, settings, way):
    """Two wrong passwords on the admin's sign-in, one on the staff sign-in by username, one by
    e-mail, one on the API: five for this username from this address, on any way in."""
    superuser.email = "Direction@caf42.example"
    superuser.save()
    admin_sign_in(client, superuser.username, password="devine")
    admin_sign_in(client, superuser.username.upper(), password="devine")
    sign_in(client, superuser.username, password="devine")
    sign_in(client, "direction@caf42.example", password="devine")
    api = APIClient()
    api.post("/api/v1/auth/token/", {"username": superuser.username, "password": "devine"})

    if way == "API":
        right = {"username": superuser.username, "password": PASSWORD}
        response = api.post("/api/v1/auth/token/", right)
        assert "token" not in response.json()
    elif way == "admin":
        response = admin_sign_in(client, superuser.username)
    else:
        response = sign_in(client, superuser.email if way == "by e-mail" else superuser.username)
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_the_lock_out_of_one_address_leaves_the_admin_open_from_another(client, superuser):
    for _ in range(5):
        admin_sign_in(client, superuser.username, password="devine")
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert admin_sign_in(elsewhere, superuser.username).status_code == 302
    assert elsewhere.get("/admin/").status_code == 200
