"""Slowing down guessing: repeated bad personal links from one address get 429."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from rest_framework.throttling import BaseThrottle

WINDOW_SECONDS = 600


def _key(address: str) -> str:
    return f"bad-links:{address}"


def client_address(request) -> str:
    """The client's address as DRF's throttles see it: REMOTE_ADDR, or behind ``NUM_PROXIES``
    proxies the address the outermost one received the request from (X-Forwarded-For); never
    an X-Forwarded-For a client made up."""
    return BaseThrottle().get_ident(request) or "unknown"


def is_blocked(address: str) -> bool:
    return (cache.get(_key(address)) or 0) >= settings.BAD_LINK_LIMIT


def record_bad_link(address: str) -> None:
    """Count one bad link. Every process counts in one store (Redis, or the database's cache
    table), and no count is lost to another process: Redis's incr is atomic; the database cache
    reads and writes the count in this transaction, which SQLite begins with the write lock
    (settings: transaction_mode IMMEDIATE)."""
    key = _key(address)
    with transaction.atomic():
        if cache.add(key, 1, WINDOW_SECONDS):
            return
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, WINDOW_SECONDS)
