"""Redocly's linter on the served OpenAPI document: no error (its ``recommended`` rules, see
``tools/openapi-lint/redocly.yaml``).

The linter is a Node.js program, pinned in ``tools/openapi-lint/package-lock.json`` and
installed there by this test (``npm ci``, once, when its ``node_modules`` is missing or older
than the lock). Without Node.js and npm on the machine the test is skipped, saying so.
"""

import os
import shutil
import subprocess

import pytest
from django.test import Client

from tests.embedded import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

LINT = ROOT / "tools" / "openapi-lint"
REDOCLY = LINT / "node_modules" / ".bin" / "redocly"
QUIET = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "CI": "true"}


def install_linter() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip(
            "Node.js and npm are not installed: the OpenAPI document is not linted "
            "(install Node.js >= 20.19 to run redocly)"
        )
    lock = LINT / "package-lock.json"
    installed = LINT / "node_modules" / ".package-lock.json"
    if REDOCLY.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=LINT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **QUIET},
    )
    assert done.returncode == 0, f"npm ci failed in {LINT}:\n{done.stdout}{done.stderr}"


def test_redocly_finds_no_error_in_the_document(tmp_path):
    install_linter()
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    document = tmp_path / "openapi.json"
    document.write_bytes(response.content)
    done = subprocess.run(
        [str(REDOCLY), "lint", str(document), "--config", str(LINT / "redocly.yaml")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **QUIET},
    )
    assert done.returncode == 0, done.stdout + done.stderr
