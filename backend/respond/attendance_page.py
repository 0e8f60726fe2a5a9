"""A board member's attendance page, ``/attendance/<token>/``: the session (date, time, place,
agenda, board file), and the answer (present, remote, absent with a proxy) that can change
until the session is held; then the minutes. No account: the personal link of the
convocation (``backend.board.attendance``) is the key.
"""

from functools import wraps

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from backend.actions.link_throttle import client_address, is_blocked, record_bad_link
from backend.board import board_file, minutes
from backend.board.attendance import (
    ANSWERS,
    OPEN_STATES,
    AttendanceLinkError,
    answer_attendance,
    convocation_for_token,
    proxies_per_member,
)
from backend.board.convening import convocations_of
from backend.board.ics import visible_agenda
from backend.board.models import Attendance, Convocation
from backend.respond.pages import REFERRER_POLICY, blocked_page, contact_language, partner_page
from workflows.errors import TransitionConflict

ANSWER_MISSING = _("Choisissez présent, à distance ou absent.")
CHOICES = (
    (Attendance.PRESENT, _("Présent"), _("Je serai dans la salle.")),
    (Attendance.REMOTE, _("À distance"), _("Je participerai en visioconférence.")),
    (
        Attendance.ABSENT,
        _("Absent"),
        _("Je ne pourrai pas participer ; je peux donner mon pouvoir à un autre administrateur."),
    ),
)
INVALID = (
    404,
    _("Lien invalide"),
    _(
        "Ce lien n'est pas valide. Vérifiez qu'il a été recopié en entier depuis l'e-mail de "
        "convocation, ou contactez le secrétariat du conseil."
    ),
)
NOT_YET = _("Le procès-verbal sera disponible quand la séance aura eu lieu.")


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(
        choices=[(value, value) for value in ANSWERS],
        error_messages={"required": ANSWER_MISSING, "invalid_choice": ANSWER_MISSING},
    )
    proxy = forms.IntegerField(required=False, min_value=1)

    def clean(self):
        data = super().clean()
        if data.get("attendance") != Attendance.ABSENT:
            data["proxy"] = None  # the proxy list stays on the page whatever the answer
        return data


def _page(request, convocation, context: dict, status: int = 200):
    member = getattr(convocation, "member", None)
    return partner_page(request, "respond/attendance.html", context, contact=member, status=status)


def _context(convocation: Convocation, token: str, **extra) -> dict:
    session = convocation.session
    others = [row for row in convocations_of(session) if row.pk != convocation.pk]
    items, _omitted = visible_agenda(session)
    return {
        "convocation": convocation,
        "convocation_token": token,
        "session": session,
        "agenda": items,
        "open": session.state in OPEN_STATES,
        "choices": CHOICES,
        "others": others,
        "proxy_choices": [row for row in others if row.attendance != Attendance.ABSENT],
        "proxies_per_member": proxies_per_member(),
        "held_by_me": [r.member.full_name for r in others if r.proxy_id == convocation.member_id],
        "attendance": convocation.attendance,
        "proxy": convocation.proxy_id,
        "errors": {},
        **extra,
    }


def _invalid(request, address: str):
    record_bad_link(address)
    status, title, message = INVALID
    return partner_page(
        request, "respond/problem.html", {"title": title, "message": message}, status=status
    )


def _under_the_link(view):
    """A view of the convocation the token names: a blocked address, or a token that names
    none (at the start or while answering), gets the problem page and the bad link counted."""

    @wraps(view)
    def page(request, token: str):
        address = client_address(request)
        if is_blocked(address):
            return blocked_page(request, "respond/problem.html")
        try:
            return view(request, convocation_for_token(token), token)
        except AttendanceLinkError:
            return _invalid(request, address)

    return page


@require_http_methods(["GET", "HEAD", "POST"])
@_under_the_link
def attendance(request, convocation: Convocation, token: str):
    shown, status = {}, 200
    if request.method == "POST":
        convocation, shown = _answer(request, convocation, token)
        status = 400 if shown["errors"] else 200
    return _page(request, convocation, _context(convocation, token, **shown), status=status)


def _answer(request, convocation: Convocation, token: str) -> tuple[Convocation, dict]:
    """The answer posted, saved when it can be: the convocation then, and what the page shows
    of it (the answer as posted and the errors in the member's language, or ``saved``)."""
    form = AttendanceForm(request.POST)
    with translation.override(contact_language(convocation.member)):
        errors = {name: messages[0] for name, messages in form.errors.items()}
        if not errors:
            try:
                convocation = answer_attendance(token, **form.cleaned_data)
            except ValidationError as error:
                errors = {name: " ".join(text) for name, text in error.message_dict.items()}
            except TransitionConflict as error:
                errors = {"attendance": str(error.reason)}
    if errors:
        posted = request.POST.get("attendance", "")
        return convocation, {
            "attendance": posted,
            "proxy": form.cleaned_data.get("proxy"),
            "errors": errors,
        }
    convocation.session.refresh_from_db()
    return convocation, {"saved": True, "errors": {}}


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Referrer-Policy"] = REFERRER_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "HEAD"])
@_under_the_link
def attendance_board_file(request, convocation: Convocation, token: str):
    """The board file, every point (the members decide on all of them)."""
    session = convocation.session
    return _pdf(board_file.board_file_pdf(session, None), board_file.filename(session))


@require_http_methods(["GET", "HEAD"])
@_under_the_link
def attendance_minutes(request, convocation: Convocation, token: str):
    session = convocation.session
    if session.state not in minutes.MINUTES_STATES:
        context = {"title": _("Procès-verbal"), "message": NOT_YET}
        return partner_page(
            request, "respond/problem.html", context, contact=convocation.member, status=409
        )
    return _pdf(minutes.minutes_pdf(session), minutes.filename(session))
