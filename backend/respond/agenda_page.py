"""The read-only agenda page of a board session, ``/agenda/<token>/``: what a partner (or a
member) convened to the session opens from its e-mail, without an account.

Which link works is decided by ``backend.board.reader_agenda`` (signed, naming the session
and a convened contact); the page is served as the other personal pages
(``backend.respond.pages``: noindex, no-store, same-origin referrer, the contact's language).
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from backend.actions.link_throttle import client_address, is_blocked, record_bad_link
from backend.board.models import BoardSessionState
from backend.board.reader_agenda import agenda_for, session_for_token, when
from backend.core.signed_links import InvalidToken
from backend.respond.pages import blocked_page, contact_language, partner_page

INVALID = (
    404,
    _("Lien invalide"),
    _(
        "Ce lien n'est pas valide. Vérifiez qu'il a été recopié en entier depuis l'e-mail "
        "reçu, ou demandez un nouveau lien à votre interlocuteur de la CAF."
    ),
)


@require_http_methods(["GET", "HEAD"])
def agenda(request, token: str):
    address = client_address(request)
    if is_blocked(address):
        return blocked_page(request, "respond/problem.html")
    try:
        session, contact = session_for_token(token)
    except InvalidToken:
        record_bad_link(address)
        status, title, message = INVALID
        context = {"title": title, "message": message}
        return partner_page(request, "respond/problem.html", context, status=status)
    with translation.override(contact_language(contact)):
        context = {
            "session": session,
            "when": when(session.date),
            "agenda": agenda_for(session, contact),
            "cancelled": session.state == BoardSessionState.CANCELLED,
            "contact": contact,
        }
    return partner_page(request, "respond/agenda.html", context, contact=contact)
