"""The board secretary's convening pages: the board's members (``conseil/membres/``), a
session's list of members, who answered what and the quorum (on the session's page), and the
attendance confirmed when the session is held.

Every change goes through the services the API uses: ``backend.board.members``,
``backend.board.sessions.update_board_session``, ``backend.board.transitions.hold_session``.
"""

from django import forms
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts.models import StaffRole
from backend.board.attendance import ANSWERS, AttendanceInput
from backend.board.convening import convocations_of
from backend.board.members import add_member, current_members, end_membership
from backend.board.models import Attendance
from backend.board.sessions import update_board_session
from backend.board.transitions import hold_session
from backend.web.access import staff_required
from backend.web.commands import run_command
from backend.web.pages.board.sessions import back_to_session, session_or_404
from backend.web.selectors.board import member_choices


class MemberForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    email = forms.EmailField(label=_("E-mail"))
    position = forms.CharField(label=_("Fonction"), max_length=200, required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=32, required=False)


def _is_secretary(user) -> bool:
    return user.has_role(StaffRole.BOARD_SECRETARY)


@staff_required
@require_http_methods(["GET", "POST"])
def board_members(request):
    """The board's current members; the secretary adds one here."""
    user = request.user
    form = MemberForm(request.POST or None) if _is_secretary(user) else None
    status = 200
    if request.method == "POST":
        if form is None:
            return render(request, "web/forbidden.html", status=403)
        status = 400
        if form.is_valid():
            contact, status = run_command(
                request,
                add_member,
                user=user,
                data=form.cleaned_data,
                success=_t("%(name)s est membre du conseil.")
                % {"name": f"{form.cleaned_data['first_name']} {form.cleaned_data['last_name']}"},
            )
            if contact is not None:
                response = redirect("web:board_members")
                response.status_code = 303
                return response
    context = {
        "title": _("Membres du conseil"),
        "nav": "board",
        "members": current_members(),
        "form": form,
        "can_manage": form is not None,
    }
    return render(request, "web/board/members.html", context, status=status)


@staff_required
@require_POST
def board_member_leaves(request, contact_id: int):
    contact = get_object_or_404(current_members(), pk=contact_id)
    run_command(
        request,
        end_membership,
        contact,
        user=request.user,
        success=_t("%(name)s ne fait plus partie du conseil.") % {"name": contact.full_name},
    )
    response = redirect("web:board_members")
    response.status_code = 303
    return response


@staff_required
@require_POST
def session_members(request, pk: int):
    """The session's list of members (checkboxes ``members``)."""
    session = session_or_404(pk)
    chosen = {value for value in request.POST.getlist("members") if value.isdigit()}
    contacts = [c for c in member_choices(session) if str(c.pk) in chosen]
    _, status = run_command(
        request,
        update_board_session,
        session,
        user=request.user,
        data={"members": contacts},
        success=_t("La liste des administrateurs convoqués est enregistrée."),
    )
    return back_to_session(session, status)


@staff_required
@require_POST
def hold_with_attendance(request, pk: int):
    """Hold the session with the attendance the secretary confirms (``attendance-<member>``
    and ``proxy-<member>`` for each member convened)."""
    session = session_or_404(pk)
    rows = []
    for convocation in convocations_of(session):
        state = request.POST.get(f"attendance-{convocation.member_id}", "")
        proxy = request.POST.get(f"proxy-{convocation.member_id}", "")
        if state in ANSWERS:
            rows.append(
                AttendanceInput(
                    member=convocation.member_id,
                    attendance=state,
                    proxy=int(proxy) if proxy.isdigit() and state == Attendance.ABSENT else None,
                )
            )
    _, status = run_command(
        request,
        hold_session,
        session,
        actor=request.user,
        attendance=rows,
        success=_t("La séance est tenue : les décisions peuvent être enregistrées."),
    )
    return back_to_session(session, status)
