"""Pages whose link is the credential (a partner's answer, a report, a board member's
attendance): they work without cookies, and a form posted from another site is refused.

Django's CSRF protection needs a cookie, and some partners' browsers drop them: they met
Django's technical 403 page. On these pages the secret is the token in the address, which a
forging site does not know; what is left to refuse is a cross-site post of a leaked link. The
browser says where a form comes from (``Sec-Fetch-Site``, else ``Origin``) and a page cannot
forge those headers: a post that says it comes from elsewhere gets the CSRF refusal page.
A request that carries neither, or ``Origin: null`` (an old browser, a script holding the link)
is let through: it holds the token, which is all a session would have proved."""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import get_callable
from django.views.decorators.csrf import csrf_exempt

SAFE_FETCH_SITES = {"same-origin", "none"}  # "none": typed in the address bar, a bookmark


def is_cross_site(request) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site not in SAFE_FETCH_SITES
    origin = request.headers.get("Origin")
    if not origin or origin == "null":  # these pages send Referrer-Policy: no-referrer, under
        return False  # which a browser posts "Origin: null" even from the page itself
    allowed = {f"{request.scheme}://{request.get_host()}", _origin(settings.SITE_URL)}
    return origin not in allowed


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def token_page(view):
    """The view answers without the CSRF cookie; a cross-site POST is refused (403)."""

    @csrf_exempt
    @wraps(view)
    def page(request, *args, **kwargs):
        if request.method == "POST" and is_cross_site(request):
            refuse = get_callable(settings.CSRF_FAILURE_VIEW)
            return refuse(request, reason="cross-site post on a personal link")
        return view(request, *args, **kwargs)

    return page
