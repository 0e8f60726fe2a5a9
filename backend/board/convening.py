"""What the secretary sees of a session's convening: each member's answer (``pending`` until
they answer), and the quorum from the answers or, once held, from the confirmed attendance."""

from backend.board.attendance import Quorum, quorum
from backend.board.models import Attendance, BoardSession, BoardSessionState, Convocation

HELD_STATES = (BoardSessionState.HELD, BoardSessionState.CLOSED)


def convocations_of(session: BoardSession) -> list[Convocation]:
    """The session's convocations, by member name; before publication (no convocation yet),
    one unsaved row per member of the list, pending."""
    rows = list(
        Convocation.objects.filter(session=session)
        .select_related("member", "proxy", "actual_proxy")
        .order_by("member__last_name", "member__first_name", "member_id")
    )
    if rows or session.state != BoardSessionState.PLANNED:
        return rows
    return [
        Convocation(session=session, member=member, attendance=Attendance.PENDING)
        for member in session.members.order_by("last_name", "first_name", "pk")
    ]


def convocation_rows(session: BoardSession) -> list[dict]:
    """``GET board-sessions/{id}/convocations/``: one dict per member."""
    return [
        {
            "member": row.member_id,
            "name": row.member.full_name,
            "attendance": row.attendance,
            "proxy": row.proxy_id,
            "answered_at": row.answered_at,
        }
        for row in convocations_of(session)
    ]


def session_quorum(session: BoardSession, convocations: list[Convocation] | None = None) -> Quorum:
    rows = convocations if convocations is not None else convocations_of(session)
    return quorum(rows, actual=session.state in HELD_STATES)
