"""Slowing down guessing: repeated bad personal links from one address get 429."""

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from backend.core.counters import count_in_window

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
    """Count one bad link, in the window its first one opened."""
    count_in_window(_key(address), WINDOW_SECONDS)
