"""Sign-in safety on the API: lock-out after repeated failures, password rules for new staff,
and production settings that pass ``manage.py check --deploy``."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TOKEN_URL = "/api/v1/auth/token/"
PASSWORD = "un-mot-de-passe-solide-42"  # the factories' password
HOME, ELSEWHERE = "198.51.100.7", "203.0.113.9"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _lockout_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SIGNIN_FAILURE_LIMIT = 5
    settings.SIGNIN_FAILURE_LIMIT_PER_ADDRESS = 10
    settings.SIGNIN_LOCKOUT_SECONDS = 900


def token_request(api, username, password, address=HOME, **headers):
    return api.post(
        TOKEN_URL,
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="fr",
        **headers,
    )


def fail(api, username, times, address=HOME, **headers) -> list[int]:
    """Wrong passwords; the statuses they got (401, then 429 once a limit is reached)."""
    return [
        token_request(api, username, "faux", address, **headers).status_code for _ in range(times)
    ]


# --- Lock-out -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "then_from", "expected"),
    [
        (4, HOME, 200),  # under the limit, the right password works
        (5, HOME, 429),  # at the limit, even the right password is refused
        (5, ELSEWHERE, 200),  # from another address: the guesser's failures are not the owner's
    ],
)
def test_five_failures_lock_the_username_from_that_address(
    api, social_worker, failures, then_from, expected
):
    statuses = fail(api, social_worker.username, failures)
    assert statuses == [401] * 4 + [429] * (failures - 4)  # the fifth already says so
    response = token_request(api, social_worker.username, PASSWORD, then_from)
    assert response.status_code == expected
    if expected == 429:
        assert "Trop de tentatives de connexion" in response.json()["detail"]
        assert "token" not in response.json()


def test_the_username_is_counted_whatever_its_case(api, social_worker):
    fail(api, social_worker.username.upper(), 3)
    fail(api, f" {social_worker.username} ", 2)
    assert token_request(api, social_worker.username, PASSWORD).status_code == 429


def test_a_successful_sign_in_starts_the_count_again(api, social_worker):
    fail(api, social_worker.username, 4)
    assert token_request(api, social_worker.username, PASSWORD).status_code == 200
    fail(api, social_worker.username, 4)
    assert token_request(api, social_worker.username, PASSWORD).status_code == 200


def test_one_address_guessing_many_usernames_is_locked_out(api, social_worker):
    for number in range(10):  # ten usernames, one failure each: no username is locked
        fail(api, f"personne{number}", 1)
    assert token_request(api, social_worker.username, PASSWORD).status_code == 429
    other = token_request(api, social_worker.username, PASSWORD, ELSEWHERE)
    assert other.status_code == 200  # the account itself is not locked


def test_an_office_behind_one_address_gets_more_than_one_persons_failures(
    api, social_worker, make_staff
):
    colleague = make_staff()
    assert fail(api, colleague.username, 4) == [401] * 4
    assert fail(api, "personne", 4) == [401] * 4  # 8 from the address: under its 10
    assert token_request(api, social_worker.username, PASSWORD).status_code == 200


def test_signing_in_to_ones_own_account_does_not_clear_the_addresss_other_failures(
    api, social_worker
):
    """A guesser with an account of their own cannot sign in to it now and then to start the
    address's count again: a success clears only its own (username, address) failures."""
    fail(api, social_worker.username, 2)
    for number in range(7):
        fail(api, f"personne{number}", 1)
    assert token_request(api, social_worker.username, PASSWORD).status_code == 200
    assert fail(api, "personne9", 3) == [401, 401, 429]  # 7 + 3 others: the address's 10


def test_a_made_up_forwarded_address_does_not_dodge_the_lock_out(api, social_worker):
    for number in range(10):
        fail(api, f"personne{number}", 1, HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")
    response = token_request(api, social_worker.username, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429


def test_the_lock_out_ends_with_its_window(api, social_worker, time_machine):
    time_machine.move_to("2026-03-02 09:00 +01:00", tick=False)
    fail(api, social_worker.username, 5)
    time_machine.move_to("2026-03-02 09:14 +01:00", tick=False)
    assert token_request(api, social_worker.username, PASSWORD).status_code == 429
    time_machine.move_to("2026-03-02 09:16 +01:00", tick=False)
    assert token_request(api, social_worker.username, PASSWORD).status_code == 200


def test_attempts_refused_during_a_lock_out_do_not_prolong_it(api, social_worker, time_machine):
    time_machine.move_to("2026-03-02 09:00 +01:00", tick=False)
    fail(api, social_worker.username, 5)  # the owner, mistyping
    for minute in (5, 10, 14):  # trying again, wrong and right: refused, and not counted
        time_machine.move_to(f"2026-03-02 09:{minute:02} +01:00", tick=False)
        assert fail(api, social_worker.username, 1) == [429]
        assert token_request(api, social_worker.username, PASSWORD).status_code == 429
    time_machine.move_to("2026-03-02 09:16 +01:00", tick=False)
    assert token_request(api, social_worker.username, PASSWORD).status_code == 200


def test_a_guesser_elsewhere_cannot_keep_the_owner_locked_out(api, social_worker, time_machine):
    """The lock-out as a weapon: five wrong passwords every quarter of an hour, from anywhere,
    used to keep the real person out for good. The owner, from their own address, is never
    refused; the guesser's own address is."""
    for quarter in range(4):
        time_machine.move_to(f"2026-03-02 09:{quarter * 16:02} +01:00", tick=False)
        fail(api, social_worker.username, 5, ELSEWHERE)
        response = token_request(api, social_worker.username, PASSWORD, HOME)
        assert response.status_code == 200, quarter
        assert token_request(api, social_worker.username, PASSWORD, ELSEWHERE).status_code == 429


def test_the_lock_out_in_english(api, social_worker):
    fail(api, social_worker.username, 5)
    response = api.post(
        TOKEN_URL,
        {"username": social_worker.username, "password": PASSWORD},
        REMOTE_ADDR=HOME,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many failed sign-in attempts")


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(api, social_worker):
    unknown = token_request(api, "personne", "faux")
    wrong = token_request(api, social_worker.username, "faux")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    assert wrong.json() == {
        "detail": "Identifiant ou mot de passe incorrect.",
        "code": "authentication_failed",
    }


# --- Passwords of new staff accounts ----------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Court-1", "trop court"),
        ("azerty123", "trop courant"),
        ("8463920175639", "entièrement numérique"),
        ("nouvel.agent.caf", "trop semblable"),
    ],
)
def test_a_weak_password_is_refused_with_the_validators_message(
    api, admin_user, territory, password, message
):
    response = api.as_user(admin_user).post(
        "/api/v1/staff/",
        {
            "username": "nouvel.agent",
            "password": password,
            "email": "nouvel.agent@caf42.example",
            "role": "social_worker",
            "territories": [territory.slug],
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert any(message in text for text in response.json()["password"]), response.json()


# --- Production settings ----------------------------------------------------------------------


def run_django(code: str, **env) -> subprocess.CompletedProcess:
    """Python with the project's settings in a fresh process, the given environment only."""
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", ""),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECURE": "1",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "territoires.caf42.example",
    "SITE_URL": "https://territoires.caf42.example",
}


# --- API tokens expire ----------------------------------------------------------------------


def test_a_token_works_until_it_expires_then_signing_in_gives_a_new_one(
    api, social_worker, settings, time_machine
):
    settings.API_TOKEN_DAYS = 30
    time_machine.move_to("2027-03-01 08:00Z", tick=False)
    first = token_request(api, social_worker.username, PASSWORD).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {first}", HTTP_ACCEPT_LANGUAGE="fr")
    assert api.get("/api/v1/actions/").status_code == 200

    time_machine.move_to("2027-03-30 08:00Z", tick=False)  # 29 days on: still good
    assert api.get("/api/v1/actions/").status_code == 200
    assert token_request(api, social_worker.username, PASSWORD).json()["token"] == first

    time_machine.move_to("2027-03-31 08:01Z", tick=False)  # 30 days on: refused
    refused = api.get("/api/v1/actions/")
    assert refused.status_code == 401
    assert "Jeton expiré" in refused.json()["detail"]
    api.credentials()
    second = token_request(api, social_worker.username, PASSWORD).json()["token"]
    assert second != first
    api.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert api.get("/api/v1/actions/").status_code == 401  # the old key is gone for good
    api.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert api.get("/api/v1/actions/").status_code == 200


def test_a_token_stops_working_when_the_account_is_deactivated(api, social_worker):
    token = token_request(api, social_worker.username, PASSWORD).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/actions/").status_code == 200
    social_worker.is_active = False
    social_worker.save()
    assert api.get("/api/v1/actions/").status_code == 401


def test_check_deploy_is_clean_with_production_settings():
    result = run_django(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({name: getattr(s, name) for name in ["
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', "
    "'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER']}))"
)


@pytest.mark.parametrize(
    ("env", "secure"),
    [
        ({"DATABASE_URL": ""}, False),  # make run: http on 127.0.0.1, SQLite
        (  # the compose stack
            {"SITE_URL": "http://localhost:8000", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)},
            False,
        ),
        (PRODUCTION, True),
        ({**PRODUCTION, "DJANGO_SECURE": ""}, True),  # an https SITE_URL is enough
        ({**PRODUCTION, "DJANGO_SECURE": "0"}, False),  # TLS handled elsewhere, say so
        ({**PRODUCTION, "DJANGO_DEBUG": "1"}, False),
    ],
)
def test_https_only_settings_follow_the_environment(env, secure, tmp_path):
    result = run_django(SHOW, VAR_DIR=str(tmp_path), **env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SESSION_COOKIE_SECURE"] is secure
    assert values["CSRF_COOKIE_SECURE"] is secure
    assert values["SECURE_SSL_REDIRECT"] is secure
    assert (values["SECURE_HSTS_SECONDS"] > 0) is secure
    assert (values["SECURE_PROXY_SSL_HEADER"] is not None) is secure


def test_the_health_check_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/api/v1/schema/").status_code == 301
