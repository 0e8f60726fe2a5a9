"""A new password ends every sign-in made with the old one (API tokens, other sessions), by
whatever path it is set; password-reset e-mails are limited per account and per address."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

PASSWORD = "Une-phrase-de-passe-42"
NEW_PASSWORD = "Un-tout-autre-secret-2026"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def worker(social_worker):
    social_worker.email = "elodie.marcoux@caf42.example"
    social_worker.set_password(PASSWORD)
    social_worker.save()
    return social_worker


@pytest.fixture
def superuser(make_staff):
    admin = make_staff(role="admin", territories=[], is_staff=True, is_superuser=True)
    admin.set_password(PASSWORD)
    admin.save()
    return admin


def api_token(user, password=PASSWORD) -> str:
    response = APIClient().post(TOKEN_URL, {"username": user.username, "password": password})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def token_works(token) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    status = client.get("/api/v1/actions/").status_code
    assert status in (200, 401)
    return status == 200


def signed_in_client(user, password=PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("web:login"), {"username": user.username, "password": password})
    assert response.status_code == 302
    return client


def is_signed_in(client) -> bool:
    return client.get(reverse("web:dashboard")).status_code == 200


def reset_by_email(client, email, new_password=NEW_PASSWORD):
    """The whole flow: ask, follow the e-mailed link, choose the new password."""
    mail.outbox.clear()
    assert client.post(reverse("web:password_reset"), {"email": email}).status_code == 302
    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/mot-de-passe/nouveau/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:password_reset_complete")


# --- A new password ends the old sign-ins ---------------------------------------------------


def test_a_reset_by_email_ends_the_old_token_and_every_session(worker):
    old_token = api_token(worker)
    at_the_office, on_the_phone = signed_in_client(worker), signed_in_client(worker)
    assert token_works(old_token) and is_signed_in(at_the_office)

    reset_by_email(on_the_phone, worker.email)  # from a browser that was signed in

    assert not token_works(old_token)
    assert not is_signed_in(at_the_office)
    assert not is_signed_in(on_the_phone)  # the reset does not sign anyone in either
    new_token = api_token(worker, NEW_PASSWORD)  # signing in again: a new token
    assert new_token != old_token
    assert token_works(new_token)
    assert (
        APIClient().post(TOKEN_URL, {"username": worker.username, "password": PASSWORD}).status_code
        == 401  # the old password is a wrong one now (API.md: 401)
    )


def test_a_password_set_by_an_admin_ends_the_users_tokens_and_sessions(worker, superuser):
    old_token = api_token(worker)
    session = signed_in_client(worker)
    admin = Client()
    admin.force_login(superuser)

    response = admin.post(
        f"/admin/accounts/user/{worker.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.context["form"].errors

    assert not token_works(old_token)
    assert not is_signed_in(session)
    assert admin.get("/admin/").status_code == 200  # the admin's own session goes on
    assert api_token(worker, NEW_PASSWORD) != old_token


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(superuser):
    old_token = api_token(superuser)
    here, elsewhere = signed_in_client(superuser), signed_in_client(superuser)

    response = here.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302

    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    assert not token_works(old_token)


def test_a_password_set_in_code_ends_the_tokens_once_it_is_saved(worker):
    token = api_token(worker)
    worker.set_password(NEW_PASSWORD)
    assert token_works(token)  # not saved: the old password still holds, and its token
    worker.save()
    assert not token_works(token)
    worker.first_name = "Élodie"
    worker.save()  # saving again without a new password ends nothing
    new_token = api_token(worker, NEW_PASSWORD)
    worker.save()
    assert token_works(new_token)


# --- Password-reset e-mails are limited -------------------------------------------------------


def ask_reset(email, address):
    response = Client(REMOTE_ADDR=address).post(reverse("web:password_reset"), {"email": email})
    assert response.status_code == 302  # the same answer, whether an e-mail left or not
    assert response["Location"] == reverse("web:password_reset_done")


def test_one_account_gets_a_few_reset_emails_an_hour_whoever_asks(worker, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 3
    for number in range(6):
        ask_reset(worker.email, f"198.51.100.{number}")
    assert len(mail.outbox) == 3
    assert {tuple(message.to) for message in mail.outbox} == {(worker.email,)}


def test_one_address_cannot_send_reset_emails_to_every_account(make_staff, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 4
    accounts = [make_staff() for _ in range(6)]
    ask_reset("inconnu@example.org", "198.51.100.7")  # an unknown e-mail counts too
    for account in accounts:
        ask_reset(account.email, "198.51.100.7")
    assert [message.to for message in mail.outbox] == [[a.email] for a in accounts[:3]]
    ask_reset(accounts[5].email, "203.0.113.9")  # another address is not held back
    assert mail.outbox[-1].to == [accounts[5].email]


def test_the_limits_end_with_their_hour(worker, settings, time_machine):
    # The in-memory cache follows the clock time-machine moves (Redis keeps its own).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 1
    time_machine.move_to("2026-03-02 09:00 +01:00", tick=False)
    ask_reset(worker.email, "198.51.100.7")
    ask_reset(worker.email, "198.51.100.7")
    assert len(mail.outbox) == 1
    time_machine.move_to("2026-03-02 10:01 +01:00", tick=False)
    ask_reset(worker.email, "198.51.100.7")
    assert len(mail.outbox) == 2
