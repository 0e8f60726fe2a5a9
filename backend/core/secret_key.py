"""The secret key: it signs the personal links, the report links, the unsubscribe links and
the sessions, so whoever knows it forges them. It is never written in the repository.

A deployment sets ``DJANGO_SECRET_KEY`` (the same on every host; changing it breaks every link
already sent). The embedded run (the SQLite database) and development (``DJANGO_DEBUG`` on)
may go without: their key is drawn at random on the first start and kept in ``var/secret-key``
(mode 0600, ignored by git and by the Docker build). Anything else refuses to start.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

MISSING = (
    "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG off and a database other than the "
    "embedded SQLite, the server needs a secret key of its own: it signs the personal links "
    "and unsubscribe links sent by e-mail, and anyone who knows it can forge them. Set "
    "DJANGO_SECRET_KEY to a long random value, the same on every host, e.g. the output of "
    "python -c 'import secrets; print(secrets.token_urlsafe(50))', and keep it: changing it "
    "breaks every link already sent."
)


def secret_key(*, environ, debug: bool, embedded: bool, kept_in: Path) -> str:
    """The key from the environment; else, for the embedded run or with debug on, the one
    kept in ``kept_in`` (drawn the first time); else ImproperlyConfigured."""
    key = (environ.get("DJANGO_SECRET_KEY") or "").strip()
    if key:
        return key
    if debug or embedded:
        return kept_key(kept_in)
    raise ImproperlyConfigured(MISSING)


def kept_key(path: Path) -> str:
    """The key kept in ``path``, drawn at random and written (mode 0600) if there is none.

    Processes that start together (the web workers, the Celery worker) agree on one key: it
    is written whole in a file of its own, then linked to ``path`` only if nothing is there yet.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: its key is the one
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(f"{path} is empty: delete it and a new key is drawn.")
    return key
