"""The secret key is never one written in the repository (backend.core.secret_key): a server
without DJANGO_SECRET_KEY refuses to start, the embedded run draws its own and keeps it."""

import os
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOW_KEY = (
    "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
)


def start(tmp_path: Path, **env) -> subprocess.CompletedProcess:
    """The project's settings loaded in a fresh process, as any of its commands starts, with
    the given environment only (no DJANGO_SECRET_KEY unless given)."""
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DATABASE_URL": "postgres://caf@db.example:5432/caf",  # never reached
        "CELERY_BROKER_URL": "",
        "VAR_DIR": str(tmp_path / "var"),
        "DJANGO_DEBUG": "0",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", SHOW_KEY],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_server_without_a_key_refuses_to_start_and_says_why(tmp_path):
    for debug in ("0", ""):  # DJANGO_DEBUG off, or not set
        result = start(tmp_path, DJANGO_DEBUG=debug)
        assert result.returncode != 0, result.stdout
        assert "ImproperlyConfigured" in result.stderr
        assert "DJANGO_SECRET_KEY is not set" in result.stderr
        assert "secrets.token_urlsafe(50)" in result.stderr  # how to make one
        assert not (tmp_path / "var" / "secret-key").exists()

    key = secrets.token_urlsafe(50)  # given one, it starts with it
    result = start(tmp_path, DJANGO_SECRET_KEY=key)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key


def test_the_embedded_run_draws_its_key_once_and_keeps_it_in_var(tmp_path):
    embedded = {"DATABASE_URL": ""}  # `make run`: SQLite in VAR_DIR, DJANGO_DEBUG unset
    first = start(tmp_path, **embedded, DJANGO_DEBUG="")
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    kept = tmp_path / "var" / "secret-key"
    assert kept.read_text().strip() == key
    assert len(key) >= 50
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # readable by its owner only

    again = start(tmp_path, **embedded)  # the next start: the same key, links still work
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == key

    elsewhere = start(tmp_path / "other", **embedded)  # another machine: another key
    assert elsewhere.stdout.strip() not in ("", key)


def test_debug_on_needs_no_key_either(tmp_path):
    result = start(tmp_path, DJANGO_DEBUG="1")  # development on PostgreSQL
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (tmp_path / "var" / "secret-key").read_text().strip()


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout"
)
def test_the_kept_key_is_left_out_of_git_and_of_the_image():
    paths = ["var/secret-key", ".env"]
    ignored = subprocess.run(
        ["git", "check-ignore", *paths], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert ignored.stdout.split() == paths  # both ignored
    dockerignore = (ROOT / ".dockerignore").read_text().split()
    assert "var" in dockerignore and ".env" in dockerignore


def test_no_key_is_written_in_the_repository():
    settings_source = (ROOT / "backend" / "settings.py").read_text()
    assert "insecure" not in settings_source
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "${DJANGO_SECRET_KEY:-" not in compose  # no default value for the compose stack
