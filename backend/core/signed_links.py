"""Personal links: a signed token that names one row and dies with the row's nonce.

A link carries ``{SITE_URL}/<path>/<token>/``. The token is signed (HMAC with SECRET_KEY and
a salt of its own per kind of link) and holds the row's id and a random nonce stored on the
row (``link_nonce``): it names one row only, cannot be forged, and dies when the nonce changes
or is cleared. What else makes a link stop working is the rule of each kind of link: the
partner's answer (``backend.actions.links``), the pilot partner's report
(``backend.evaluations.links``).
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing


class InvalidToken(Exception):
    """Not one of our tokens, tampered with, or naming a row that no longer exists."""


class RevokedToken(Exception):
    """The row's nonce changed or was cleared: a newer link replaced this one."""

    def __init__(self, row):
        super().__init__("revoked")
        self.row = row


@dataclass(frozen=True)
class SignedLink:
    salt: str
    path: str  # the URL prefix: /<path>/<token>/

    def token(self, row) -> str:
        return signing.dumps([row.pk, row.link_nonce], salt=self.salt, compress=False)

    def url(self, row) -> str:
        return f"{settings.SITE_URL}/{self.path}/{self.token(row)}/"

    def row(self, token: str, rows, *, for_update: bool = False):
        """The row of ``rows`` (a queryset) the token names, its nonce still current (locked
        with ``for_update``). Raises InvalidToken or RevokedToken."""
        try:
            row_id, nonce = signing.loads(token, salt=self.salt)
            row_id = int(row_id)
        except (signing.BadSignature, TypeError, ValueError):
            raise InvalidToken from None
        if for_update:
            rows = rows.select_for_update(of=("self",))
        row = rows.filter(pk=row_id).first()
        if row is None:
            raise InvalidToken
        if not nonce or not secrets.compare_digest(str(nonce), row.link_nonce or ""):
            raise RevokedToken(row)
        return row
