"""The minutes (procès-verbal) of a held or closed session, as a tagged PDF (PDF/UA-1, made
by ``backend.board.pdf`` with the board file's template and typography).

The session (date, place), the attendance confirmed when it was held (present, remote,
absent, and who holds whose proxy), the quorum, then each point of the agenda with its
decision, its reference and its conditions or reason. A territory-bound staff member gets only
their territories' points, as in the board file; the members (no user) get every point.
"""

from django.utils import timezone

from backend.accounts import scoping
from backend.board import pdf
from backend.board.board_file import point_heading, session_lines, subject_of
from backend.board.convening import convocations_of, session_quorum
from backend.board.ics import PARIS, visible_agenda
from backend.board.models import Attendance, BoardDecision, BoardSession, BoardSessionState
from backend.board.typography import french_date, french_datetime

MINUTES_STATES = (BoardSessionState.HELD, BoardSessionState.CLOSED)
OMITTED_NOTE = (
    "Ce procès-verbal ne reprend que les points de l'ordre du jour qui concernent vos "
    "territoires : les autres points sont omis."
)


def _attendance(session: BoardSession) -> list[dict]:
    convocations = convocations_of(session)
    blocks = [pdf.heading("Présences")]
    if not convocations:
        return [*blocks, pdf.paragraph("Aucun administrateur n'était convoqué.")]
    rows = []
    for row in convocations:
        state = row.actual or row.attendance
        proxy = row.actual_proxy if row.actual else row.proxy
        given = f"Pouvoir donné à {proxy.full_name}" if proxy else ""
        rows.append([row.member.full_name, Attendance(state).label.capitalize(), given])
    count = session_quorum(session, convocations)
    reached = "atteint" if count.reached else "non atteint"
    return [
        *blocks,
        pdf.table(["Administrateur", "Présence", "Pouvoir"], rows, [70, 35, 65]),
        pdf.paragraph(
            f"Quorum {reached} : {count.counted} administrateurs sur {count.members} présents "
            f"ou représentés ({count.present} présents, {count.remote} à distance, "
            f"{count.proxies} représentés par un pouvoir) ; {count.required} requis."
        ),
    ]


def _decisions(session: BoardSession, user) -> list[dict]:
    items, omitted = visible_agenda(session, user)
    decisions = BoardDecision.objects.filter(session=session)
    if user is not None:
        decisions = decisions & scoping.decisions_for(user)
    by_subject = {
        ("action", d.action_id) if d.action_id else ("project", d.project_id): d for d in decisions
    }
    blocks = [pdf.heading("Ordre du jour et décisions")]
    if not items:
        blocks.append(pdf.paragraph("L'ordre du jour ne comporte aucun point."))
    for item in items:
        title, territory = subject_of(item)
        blocks.append(pdf.heading(point_heading(item, f"{title} ({territory})"), 2))
        key = ("action", item.action_id) if item.action_id else ("project", item.project_id)
        decision = by_subject.get(key)
        if decision is None:
            blocks.append(pdf.paragraph("Pas de décision enregistrée."))
            continue
        blocks.append(
            pdf.paragraph(
                f"Décision : {decision.get_outcome_display()} - délibération n° "
                f"{decision.reference}"
            )
        )
        if decision.conditions:
            blocks.append(pdf.paragraph(f"Conditions ou motif : {decision.conditions}"))
    if omitted:
        blocks.append(pdf.note(OMITTED_NOTE))
    return blocks


def minutes_pdf(session: BoardSession, user=None) -> bytes:
    day = french_date(timezone.localtime(session.date, PARIS).date())
    return pdf.render(
        [*_attendance(session), *_decisions(session, user)],
        title=f"Procès-verbal - {session.title}",
        subject="Procès-verbal de la séance du conseil d'administration",
        kicker="Conseil d'administration de la CAF de la Loire - procès-verbal",
        heading=session.title,
        lines=session_lines(session, f"Séance du {french_datetime(session.date)}"),
        footer=f"Procès-verbal - {session.title} - {day}",
    )


def filename(session: BoardSession) -> str:
    return f"proces-verbal-{timezone.localtime(session.date, PARIS):%Y-%m-%d}.pdf"
