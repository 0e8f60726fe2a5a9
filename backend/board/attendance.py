"""Convening the board's members and their attendance.

Publishing the agenda convenes each member of the session: one ``Convocation`` row each, with
a personal link ``{SITE_URL}/attendance/<token>/`` (``backend.core.signed_links``). From it,
without an account, the member answers present, remote or absent; when absent, they may give
their proxy (pouvoir) to another member of the session who is not absent, who may hold at most
``settings.BOARD_PROXIES_PER_MEMBER`` proxies. The answer can change until the session is
held. When it is held, the secretary confirms the actual attendance (pre-filled from the
answers, ``confirm_attendance``), which the minutes record.

The quorum (``settings.BOARD_QUORUM``, a share of the session's members, half by default)
counts the members present, remote, and absent with a proxy to someone who attends.
"""

import math
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.actions.role_machine import new_nonce
from backend.board.models import Attendance, BoardSession, BoardSessionState, Convocation
from backend.core.signed_links import InvalidToken, RevokedToken, SignedLink
from notifications.planning.notices import cancel_attendance_reminders
from workflows.errors import TransitionConflict

ATTENDANCE_LINK = SignedLink(salt="backend.board.attendance", path="attendance")
ANSWERS = (Attendance.PRESENT, Attendance.REMOTE, Attendance.ABSENT)
ATTENDING = (Attendance.PRESENT, Attendance.REMOTE)
OPEN_STATES = (BoardSessionState.PLANNED, BoardSessionState.AGENDA_PUBLISHED)


class AttendanceLinkError(Exception):
    """Not one of our attendance links, or one that no longer names a convocation (the
    member was taken off the session's list)."""

    problem = "invalid"


def attendance_link(convocation: Convocation) -> str:
    return ATTENDANCE_LINK.url(convocation)


def convocation_for_token(token: str, *, for_update: bool = False) -> Convocation:
    rows = Convocation.objects.select_related("session", "member", "proxy")
    try:
        return ATTENDANCE_LINK.row(token, rows, for_update=for_update)
    except (InvalidToken, RevokedToken):
        raise AttendanceLinkError from None


def proxies_per_member() -> int:
    return settings.BOARD_PROXIES_PER_MEMBER


# --- convening -------------------------------------------------------------------------------


def convene(session: BoardSession) -> tuple[list[Convocation], list[int]]:
    """One convocation per member of the session (those already convened keep theirs and
    their answer); members taken off the list lose theirs, and the proxies given to them.
    Returns the session's convocations and the ids of the members taken off."""
    members = {contact.pk: contact for contact in session.members.all()}
    existing = {row.member_id: row for row in session.convocations.all()}
    Convocation.objects.bulk_create(
        [
            Convocation(session=session, member=contact, link_nonce=new_nonce())
            for pk, contact in members.items()
            if pk not in existing
        ]
    )
    removed = [pk for pk in existing if pk not in members]
    if removed:
        session.convocations.filter(proxy_id__in=removed).update(proxy=None)
        session.convocations.filter(member_id__in=removed).delete()
    return list(session.convocations.select_related("member")), removed


# --- answering -------------------------------------------------------------------------------


def _check_proxy(convocation: Convocation, proxy_id: int | None) -> Convocation | None:
    """The convocation of the member receiving the proxy, if the rules allow it."""
    if proxy_id is None:
        return None
    session = convocation.session
    holder = session.convocations.select_related("member").filter(member_id=proxy_id).first()
    if holder is None or holder.pk == convocation.pk:
        raise ValidationError(
            {"proxy": _("Donnez votre pouvoir à un autre administrateur convoqué à la séance.")}
        )
    if holder.attendance == Attendance.ABSENT:
        raise ValidationError(
            {
                "proxy": _("%(name)s sera absent : choisissez un administrateur qui sera là.")
                % {"name": holder.member.full_name}
            }
        )
    held = session.convocations.filter(proxy_id=proxy_id).exclude(pk=convocation.pk).count()
    if held >= proxies_per_member():
        raise ValidationError(
            {
                "proxy": _(
                    "%(name)s détient déjà le nombre maximal de pouvoirs (%(most)d) : "
                    "choisissez un autre administrateur."
                )
                % {"name": holder.member.full_name, "most": proxies_per_member()}
            }
        )
    return holder


def _check_absence(convocation: Convocation) -> None:
    """A member who holds proxies cannot announce their absence: those who trusted them
    would not be represented."""
    givers = list(
        convocation.session.convocations.filter(proxy_id=convocation.member_id).select_related(
            "member"
        )
    )
    if givers:
        names = ", ".join(row.member.full_name for row in givers)
        raise ValidationError(
            {
                "attendance": _(
                    "Vous détenez le pouvoir de %(names)s : prévenez-les pour qu'ils le "
                    "confient à un autre administrateur avant d'annoncer votre absence."
                )
                % {"names": names}
            }
        )


@transaction.atomic
def answer_attendance(token: str, *, attendance: str, proxy: int | None = None) -> Convocation:
    """The member's answer from their personal link (it may change until the session is
    held). Raises AttendanceLinkError, ValidationError (400) or TransitionConflict (409)."""
    found = convocation_for_token(token)
    # One answer at a time per session: the proxies held are counted consistently.
    session = BoardSession.objects.select_for_update().get(pk=found.session_id)
    convocation = Convocation.objects.select_related("member").get(pk=found.pk)
    convocation.session = session
    if session.state not in OPEN_STATES:
        raise TransitionConflict(_("La séance a eu lieu : la réponse ne peut plus être modifiée."))
    if attendance not in ANSWERS:
        raise ValidationError({"attendance": _("Répondez présent, à distance ou absent.")})
    if proxy is not None and attendance != Attendance.ABSENT:
        raise ValidationError({"proxy": _("Un pouvoir ne se donne qu'en cas d'absence.")})
    if attendance == Attendance.ABSENT:
        _check_absence(convocation)
    holder = _check_proxy(convocation, proxy)
    convocation.attendance = attendance
    convocation.proxy = holder.member if holder else None
    convocation.answered_at = timezone.now()
    convocation.save(update_fields=["attendance", "proxy", "answered_at"])
    cancel_attendance_reminders(convocation)
    return convocation


# --- quorum ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    members: int
    present: int
    remote: int
    proxies: int
    absent: int
    pending: int
    required: int

    @property
    def counted(self) -> int:
        return self.present + self.remote + self.proxies

    @property
    def reached(self) -> bool:
        return self.members > 0 and self.counted >= self.required


def required_for(members: int) -> int:
    return max(1, math.ceil(members * settings.BOARD_QUORUM - 1e-9))


def _effective(row: Convocation, actual: bool) -> tuple[str, int | None]:
    if actual and row.actual:
        return row.actual, row.actual_proxy_id
    return row.attendance, row.proxy_id


def quorum(convocations: list[Convocation], *, actual: bool = False) -> Quorum:
    """The quorum from the answers, or (``actual``) from the attendance confirmed at the
    session. A proxy counts when its holder attends."""
    states = {row.member_id: _effective(row, actual) for row in convocations}
    counts = {value: 0 for value in Attendance.values}
    proxies = 0
    for state, proxy_id in states.values():
        counts[state] += 1
        if state == Attendance.ABSENT and proxy_id in states:
            proxies += states[proxy_id][0] in ATTENDING
    return Quorum(
        members=len(states),
        present=counts[Attendance.PRESENT],
        remote=counts[Attendance.REMOTE],
        proxies=proxies,
        absent=counts[Attendance.ABSENT],
        pending=counts[Attendance.PENDING],
        required=required_for(len(states)),
    )


# --- holding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceInput:
    member: int
    attendance: str
    proxy: int | None = None


def confirm_attendance(session: BoardSession, rows: list[AttendanceInput]) -> list[Convocation]:
    """The attendance at the session, as the secretary confirms it: what ``rows`` say, the
    member's own answer for the others (no answer: absent). Same proxy rules as the answers
    (a proxy held by someone present, at most so many each). In the caller's transaction."""
    convocations = {row.member_id: row for row in session.convocations.select_related("member")}
    given = {}
    for row in rows:
        if row.member not in convocations:
            raise ValidationError({"attendance": _("Cet administrateur n'est pas convoqué.")})
        if row.attendance not in ANSWERS:
            raise ValidationError({"attendance": _("Indiquez présent, à distance ou absent.")})
        given[row.member] = row
    final = {}
    for member_id, convocation in convocations.items():
        row = given.get(member_id)
        if row is not None:
            final[member_id] = (row.attendance, row.proxy)
        elif convocation.attendance in ANSWERS:
            final[member_id] = (convocation.attendance, convocation.proxy_id)
        else:
            final[member_id] = (Attendance.ABSENT, None)
    _check_final(final, convocations)
    for member_id, (state, proxy_id) in final.items():
        convocation = convocations[member_id]
        convocation.actual = state
        convocation.actual_proxy_id = proxy_id
    Convocation.objects.bulk_update(convocations.values(), ["actual", "actual_proxy"])
    return list(convocations.values())


def _check_final(final: dict, convocations: dict) -> None:
    held: dict[int, int] = {}
    for member_id, (state, proxy_id) in final.items():
        if proxy_id is None:
            continue
        name = convocations[member_id].member.full_name
        if state != Attendance.ABSENT:
            raise ValidationError(
                {
                    "proxy": _("%(name)s : un pouvoir ne se donne qu'en cas d'absence.")
                    % {"name": name}
                }
            )
        if proxy_id not in final or proxy_id == member_id or final[proxy_id][0] not in ATTENDING:
            raise ValidationError(
                {
                    "proxy": _(
                        "%(name)s : le pouvoir doit aller à un administrateur présent ou à "
                        "distance."
                    )
                    % {"name": name}
                }
            )
        held[proxy_id] = held.get(proxy_id, 0) + 1
        if held[proxy_id] > proxies_per_member():
            raise ValidationError(
                {
                    "proxy": _("%(name)s détient plus de pouvoirs que permis (%(most)d).")
                    % {
                        "name": convocations[proxy_id].member.full_name,
                        "most": proxies_per_member(),
                    }
                }
            )
