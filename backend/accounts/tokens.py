"""API tokens that expire: a token is good for API_TOKEN_DAYS (30) after it was issued.

Signing in again (``POST /api/v1/auth/token/``) gives the token still valid, or a new one
once the old has expired (the old key is deleted: it never works again). An expired token is
refused with 401 and a message that says to sign in again. A new password ends the user's
tokens (``end_api_tokens``, called by ``User.save`` after ``set_password``).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_DAYS)


def expired(token: Token) -> bool:
    return token.created <= timezone.now() - token_lifetime()


def end_api_tokens(user) -> None:
    """The user's API tokens stop working (their password changed)."""
    Token.objects.filter(user=user).delete()


@transaction.atomic
def issue_token(user) -> Token:
    """The user's valid token, or a new one in place of an expired one."""
    token, created = Token.objects.select_for_update().get_or_create(user=user)
    if not created and expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, refused once the token is API_TOKEN_DAYS old."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if expired(token):
            raise AuthenticationFailed(
                _("Jeton expiré : demandez-en un nouveau (POST /api/v1/auth/token/).")
            )
        return user, token
