"""Unsubscribing from an e-mail: one click, no account, no cookie (RFC 8058).

Every e-mail carries ``List-Unsubscribe: <{SITE_URL}/unsubscribe/<token>/>`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click``. The token is signed (HMAC with
SECRET_KEY, its own salt) and names the recipient and the kind of message; it does not expire:
an old e-mail's link must still work. A mail client's one-click POST carries no CSRF token and
no cookie, hence ``csrf_exempt``: the signed token is the only credential, and all it can do
is stop e-mails.

- GET shows a small page with a confirm button (a POST: link checkers and mail scanners that
  follow links must not unsubscribe anyone).
- POST (the one-click POST or the button) sets the person's preference for that kind to "none".
  Kinds that carry a deadline or a decision cannot be turned off: unsubscribing from one turns
  off every optional kind instead, and the page says the others keep coming. Unsubscribing
  from the digest turns off the kinds the person had put in it.
"""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from backend.accounts.models import User
from backend.partners.models import Contact
from notifications.delivery.digest import drop_parked
from notifications.models import MANDATORY_KINDS, Delivery, Kind, Preference
from notifications.planning.preferences import OPTIONAL_KINDS, optional_kinds_for, set_preference

SALT = "notifications.delivery.unsubscribe"
OWNERS = {"user": User, "contact": Contact}


class BadToken(Exception):
    pass


def token_for(recipient_key: str, kind: str) -> str:
    return signing.Signer(salt=SALT).sign_object([recipient_key, str(kind)])


def unsubscribe_url(notification) -> str:
    token = token_for(notification.recipient_key, notification.kind)
    return f"{settings.SITE_URL}/unsubscribe/{token}/"


def subscription_for(token: str) -> tuple[User | Contact, str]:
    """(the person, the kind) a token names; raises BadToken."""
    try:
        recipient_key, kind = signing.Signer(salt=SALT).unsign_object(token)
        prefix, pk = recipient_key.split(":")
        owner = OWNERS[prefix].objects.filter(pk=int(pk)).first()
    except (signing.BadSignature, ValueError, TypeError, KeyError, AttributeError):
        raise BadToken(token) from None
    if owner is None or kind not in Kind.values:
        raise BadToken(token)
    return owner, kind


def owner_filter(owner: User | Contact) -> dict:
    return {"user": owner} if isinstance(owner, User) else {"contact": owner}


def kinds_to_turn_off(owner: User | Contact, kind: str) -> list[str]:
    if kind == Kind.DIGEST:
        chosen = Preference.objects.filter(delivery=Delivery.DIGEST, **owner_filter(owner))
        in_digest = set(chosen.values_list("kind", flat=True))
        return [k for k in OPTIONAL_KINDS if k in in_digest]
    if kind in MANDATORY_KINDS:
        return list(optional_kinds_for(owner))
    return [kind]


def set_delivery(owner: User | Contact, kind: str, delivery: str) -> Preference:
    """Change one preference (ValidationError for a kind that cannot be turned off). Turning a
    kind off also drops its rows waiting for the digest: they would go out otherwise."""
    with transaction.atomic():
        preference = set_preference(kind=kind, delivery=delivery, **owner_filter(owner))
        if delivery == Delivery.NONE:
            drop_parked(kind, **owner_filter(owner))
    return preference


def unsubscribe(owner: User | Contact, kind: str) -> list[str]:
    """Turn off what an unsubscribe from ``kind`` means; returns the kinds turned off."""
    kinds = kinds_to_turn_off(owner, kind)
    with transaction.atomic():
        for each in kinds:
            set_delivery(owner, each, Delivery.NONE)
    return kinds


# --- the page --------------------------------------------------------------------------------


@csrf_exempt  # the one-click POST of RFC 8058 has no token and no cookie; see the docstring
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_view(request, token: str):
    try:
        owner, kind = subscription_for(token)
    except BadToken:
        return _page(request, "notifications/unsubscribe/invalid.html", {}, None, status=404)
    context = {
        "kind": kind,
        "kind_label": Kind(kind).label,
        "mandatory": kind in MANDATORY_KINDS,
        "digest": kind == Kind.DIGEST,
        "optional_labels": [Kind(k).label for k in optional_kinds_for(owner)],
        "mandatory_labels": [Kind(k).label for k in Kind if k in MANDATORY_KINDS],
    }
    if request.method != "POST":
        return _page(request, "notifications/unsubscribe/confirm.html", context, owner)
    context["turned_off"] = [Kind(k).label for k in unsubscribe(owner, kind)]
    return _page(request, "notifications/unsubscribe/done.html", context, owner)


def _language(owner) -> str:
    language = getattr(owner, "preferred_language", "")
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _page(request, template: str, context: dict, owner, *, status: int = 200):
    with translation.override(_language(owner)):
        response = render(request, template, context, status=status)
        response["Content-Language"] = translation.get_language()
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response
