"""Slowing down password guessing: one lock-out for every way in, kept by django-axes.

Every sign-in goes through ``django.contrib.auth.authenticate`` with the request: the staff
sign-in page (username or e-mail), the Django admin's ``/admin/login/`` and the API's
``auth/token/``. Axes' backend (first in ``AUTHENTICATION_BACKENDS``) refuses the attempt
while it is locked out, even with the right password, and its signal handler records each
failure in the database (``axes.AccessAttempt``), which every process shares.

Failures are counted (``AXES_LOCKOUT_PARAMETERS``) twice:

- per (username, address): ``SIGNIN_FAILURE_LIMIT`` (5) locks that pair only, so someone
  guessing a password from their address never locks the owner out of theirs;
- per address, whatever the username: ``SIGNIN_FAILURE_LIMIT_PER_ADDRESS`` (20, higher: an
  office signs in from one address) locks the address.

There is no count per username alone: it would let anyone lock anyone out. A lock-out lasts
``SIGNIN_LOCKOUT_SECONDS`` (15 minutes) after the failure that caused it; attempts refused
during the lock-out do not prolong it. A successful sign-in clears the failures of its own
(username, address) pair, not those of the address's other usernames.

The address is ``client_address`` (REMOTE_ADDR, or behind ``NUM_PROXIES`` proxies what they
saw; never a client's own X-Forwarded-For). An e-mail address typed to sign in is counted
under the username of the one active account it names (as typed when it names none).
"""

import datetime
import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, user_logged_in
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from backend.actions import link_throttle

__all__ = [
    "LOCKED_OUT_MESSAGE",
    "SignInAttempts",
    "SignInLockedOut",
    "client_address",
    "cool_off",
    "failure_limit",
    "is_locked_out",
    "lockout_response",
    "login_name",
    "sign_in",
    "username_for",
]

LOCKED_OUT_MESSAGE = _(
    "Trop de tentatives de connexion infructueuses : la connexion est bloquée pour un "
    "moment. Réessayez dans quelques minutes."
)


class SignInLockedOut(Exception):
    """Too many failed sign-ins for this username from this address, or from this address
    (HTTP 429)."""

    message = LOCKED_OUT_MESSAGE


# --- What axes calls (settings AXES_*) ----------------------------------------------------------


def client_address(request) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the address DRF's throttles use; None when it is not an IP
    address (the database column is one), and then such clients share one count."""
    address = link_throttle.client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def username_for(login: str) -> str:
    """The username a sign-in names: the username typed, or the username of the one active
    account with this e-mail address (an ambiguous or unknown address stays as typed)."""
    login = (login or "").strip()
    if "@" in login:
        match = (
            get_user_model()
            .objects.filter(email__iexact=login, is_active=True)
            .values_list("username", flat=True)[:2]
        )
        if len(match) == 1:
            return match[0]
    return login


def login_name(request, credentials=None) -> str:
    """``AXES_USERNAME_CALLABLE``: the name failures are counted under, whatever the case or
    the spaces, an e-mail address counted as its account's username."""
    if credentials:
        typed = credentials.get("username")
    else:
        typed = getattr(request, "data", request.POST).get("username")
    return username_for(str(typed or "")).casefold()


def failure_limit(request, credentials=None) -> int:
    """``AXES_FAILURE_LIMIT``: failures of one (username, address) pair before its lock-out."""
    return settings.SIGNIN_FAILURE_LIMIT


def cool_off(request=None) -> datetime.timedelta:
    """``AXES_COOLOFF_TIME``: how long a lock-out lasts after the failure that caused it."""
    return datetime.timedelta(seconds=settings.SIGNIN_LOCKOUT_SECONDS)


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: 429. A page that already answered 429 (the staff sign-in,
    with its form and the message) is kept; the API answers in its own error body; any other
    page (the admin's sign-in) gets the French lock-out page."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(LOCKED_OUT_MESSAGE), "code": "throttled"}, status=429)
    return render(request, "web/auth/locked_out.html", {"message": LOCKED_OUT_MESSAGE}, status=429)


class SignInAttempts(AxesDatabaseHandler):
    """``AXES_HANDLER``: axes' database handler, with a limit of its own for the address.

    Axes compares a single number of failures to ``AXES_FAILURE_LIMIT``; here each group of
    ``AXES_LOCKOUT_PARAMETERS`` has its limit (the address alone: the higher
    ``SIGNIN_FAILURE_LIMIT_PER_ADDRESS``), and the number given to axes is each group's count
    on the pair's scale (``count * pair_limit // group_limit``, which reaches the pair's limit
    exactly when the count reaches its group's).
    """

    def get_failures(self, request, credentials=None) -> int:
        pair_limit = get_failure_limit(request, credentials)
        groups = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        scaled = []
        for group, attempts_of_group in zip(groups, attempts, strict=True):
            count = attempts_of_group.aggregate(n=Sum("failures_since_start"))["n"] or 0
            limit = settings.SIGNIN_FAILURE_LIMIT_PER_ADDRESS if group == "ip_address" else None
            scaled.append(count * pair_limit // limit if limit else count)
        return max(scaled, default=0)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful sign-in: only this (username, address) pair starts again from
        zero; one's own account must not wipe the address's guessing of other accounts."""
        count, _ = AccessAttempt.objects.filter(
            username=login_name(request, credentials), ip_address=request.axes_ip_address
        ).delete()
        return count


# --- The API's sign-in --------------------------------------------------------------------------


def is_locked_out(request) -> bool:
    """Whether the last ``authenticate(request, …)`` was refused, or caused, a lock-out."""
    return bool(getattr(request, "axes_locked_out", False))


def sign_in(request, username: str, password: str):
    """The user these credentials name, or None; raises ``SignInLockedOut`` while locked out
    (even with the right password). A success is announced as Django's ``login()`` does
    (``user_logged_in``: last sign-in date, the pair's failures cleared) without a session."""
    user = authenticate(request, username=username, password=password)
    if is_locked_out(request):
        raise SignInLockedOut()
    if user is not None:
        user_logged_in.send(sender=user.__class__, request=request, user=user)
    return user
