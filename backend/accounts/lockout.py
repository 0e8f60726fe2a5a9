"""Slowing down password guessing: the sign-in lock-out, for the API and the web pages alike.

Failed sign-ins are counted in the cache (Redis when the broker is Redis), once under the
username and once under the client's address, in a window of ``SIGNIN_LOCKOUT_SECONDS``
(15 minutes) that starts with the first failure. When either count reaches its limit
(``SIGNIN_FAILURE_LIMIT``, 5 for a username; ``SIGNIN_FAILURE_LIMIT_PER_ADDRESS``, 20 for an
address, as an office signs in from one address), every attempt is refused, even with the
right password, until the window has passed. A successful sign-in clears the username's count
(not the address's: one's own account must not reset the guessing of others').

In a sign-in view or form, ``sign_in(request, username, password)`` does it all: it raises
``SignInLockedOut`` (answer 429 with its message) before checking the password, and returns the
user, or None for wrong credentials. The steps exist on their own too (``is_locked_out``,
``record_failure``, ``record_success``, ``client_address``) for a form that authenticates
itself, such as Django's ``AuthenticationForm``.
"""

import hashlib

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from backend.actions.link_throttle import client_address

__all__ = [
    "LOCKED_OUT_MESSAGE",
    "SignInLockedOut",
    "client_address",
    "is_locked_out",
    "record_failure",
    "record_success",
    "sign_in",
]

LOCKED_OUT_MESSAGE = _(
    "Trop de tentatives de connexion infructueuses : la connexion est bloquée pour un "
    "moment. Réessayez dans quelques minutes."
)


class SignInLockedOut(Exception):
    """Too many failed sign-ins for this username or from this address (HTTP 429)."""

    message = LOCKED_OUT_MESSAGE


def _username_key(username: str) -> str:
    # Case-insensitive, as usernames are unique case-insensitively; hashed to keep any text
    # a client sends out of the cache key.
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return f"signin-failures:user:{digest}"


def _address_key(address: str) -> str:
    return f"signin-failures:address:{address}"


def _counts(username: str, address: str) -> tuple[int, int]:
    found = cache.get_many([_username_key(username), _address_key(address)])
    return found.get(_username_key(username), 0), found.get(_address_key(address), 0)


def is_locked_out(username: str, address: str) -> bool:
    """Whether a sign-in for this username, or from this address, must be refused now."""
    by_username, by_address = _counts(username, address)
    return (
        by_username >= settings.SIGNIN_FAILURE_LIMIT
        or by_address >= settings.SIGNIN_FAILURE_LIMIT_PER_ADDRESS
    )


def _increment(key: str) -> None:
    if cache.add(key, 1, settings.SIGNIN_LOCKOUT_SECONDS):
        return  # the first failure opens the window
    try:
        cache.incr(key)
    except ValueError:  # the window closed between add and incr
        cache.add(key, 1, settings.SIGNIN_LOCKOUT_SECONDS)


def record_failure(username: str, address: str) -> None:
    """A wrong username or password: one more failure for both."""
    _increment(_username_key(username))
    _increment(_address_key(address))


def record_success(username: str) -> None:
    """A successful sign-in: the username starts again from zero failures."""
    cache.delete(_username_key(username))


def sign_in(request, username: str, password: str):
    """The user these credentials name, or None; counts the failures and refuses (raises
    ``SignInLockedOut``) while the username or the address is locked out."""
    address = client_address(request)
    if is_locked_out(username, address):
        raise SignInLockedOut()
    user = authenticate(request, username=username, password=password)
    if user is None:
        record_failure(username, address)
    else:
        record_success(username)
    return user
