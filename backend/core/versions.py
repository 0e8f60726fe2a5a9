"""Optimistic concurrency: the version of a stored resource, and the check that a write is
made on the version its writer read.

The version is a hash of what is stored: every column of the row, its many-to-many links
and the child rows the model names in ``version_includes`` (an evaluation's indicators). It
changes with any write, whatever path made it (a service, a transition, a bulk update), and
needs no column of its own. The API sends it as the ``ETag`` and takes it back in
``If-Match``; the pages' edit forms carry it in a hidden field.

The check is atomic with the write: a service reads the row ``select_for_update`` (every
other writer of the row waits, and it reads the latest committed row), compares, then writes
in the same transaction. Two writers holding the same version: exactly one wins.
"""

import hashlib
import json
from collections.abc import Collection

from django.utils.translation import gettext_lazy as _

ANY = "*"


class StaleVersion(Exception):
    """The resource changed since the writer read it (412 in the API, a message on a page)."""

    def __init__(self, instance, current: str):
        self.instance = instance  # as it is now, locked
        self.current = current
        self.reason = _(
            "Quelqu'un d'autre a modifié cet élément depuis que vous l'avez ouvert ; "
            "rien n'a été enregistré. Relisez-le et recommencez."
        )
        super().__init__(str(self.reason))


def _rows(instance) -> list:
    opts = instance._meta
    row = [[field.attname, field.value_to_string(instance)] for field in opts.concrete_fields]
    for field in opts.many_to_many:
        row.append(
            [field.name, sorted(related.pk for related in getattr(instance, field.name).all())]
        )
    for name in getattr(instance, "version_includes", ()):
        children = sorted(getattr(instance, name).all(), key=lambda child: child.pk)
        row.append([name, [_rows(child) for child in children]])
    return row


def version_of(instance) -> str:
    """The version of ``instance`` as stored (read it from the database, not after setting
    attributes in memory)."""
    encoded = json.dumps(_rows(instance), default=str, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


def check_version(instance, expected: Collection[str] | None) -> None:
    """Raise ``StaleVersion`` unless ``instance`` (locked) is at one of the ``expected``
    versions; ``None``: the writer names none, the write goes ahead as before."""
    if expected is None:
        return
    current = version_of(instance)
    if ANY not in expected and current not in expected:
        raise StaleVersion(instance, current)
