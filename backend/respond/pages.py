"""How every page reached from a partner's personal link is served (/respond/, /report/).

The token is in the URL, so every response says noindex and no-store, and its referrer
policy is ``same-origin``: no other site ever receives the URL in a Referer header. Not
``no-referrer``: under that policy browsers send ``Origin: null`` with the form's POST, and
Django's CSRF check refuses it (403 for every partner). The page speaks the partner's
language (French unless its contact says otherwise).
"""

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from backend.actions.link_throttle import WINDOW_SECONDS

REFERRER_POLICY = "same-origin"
BLOCKED_PAGE = (
    429,
    _("Trop de tentatives"),
    _(
        "Trop de liens invalides ont été essayés depuis votre connexion. Patientez quelques "
        "minutes, puis ouvrez à nouveau le lien reçu par e-mail."
    ),
)


def contact_language(contact) -> str:
    language = getattr(contact, "preferred_language", "")
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def partner_page(request, template: str, context: dict, *, contact=None, status: int = 200):
    with translation.override(contact_language(contact)):
        response = render(request, template, context, status=status)
        response["Content-Language"] = translation.get_language()
    response["Referrer-Policy"] = REFERRER_POLICY
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)  # no-store, private: the page holds personal data
    return response


def blocked_page(request, template: str):
    """Too many bad links from this address: 429, before the token is even looked at."""
    status, title, message = BLOCKED_PAGE
    response = partner_page(request, template, {"title": title, "message": message}, status=status)
    response["Retry-After"] = str(WINDOW_SECONDS)
    return response
