"""The embedded run as `make run` prepares it: `make setup` (migrate, the cache table, the
static files, the demo) in a process of its own, on the database and var/ of the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def embedded_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """The environment of `make run` on a machine with nothing configured, in `var_dir`."""
    return {
        **os.environ,
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": "",
        "CELERY_BROKER_URL": "",
        "EMAIL_HOST": "",
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        **overrides,
    }


def make_setup(env: dict[str, str]) -> str:
    """Run the Makefile's `setup` target, the steps `make run` takes before it serves, with
    this interpreter and without installing anything; return what it printed."""
    done = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-o",
            ".venv/.installed",  # installed already: never pip from a test
            f"BIN={Path(sys.executable).parent}",
            "setup",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return done.stdout
