"""The minutes (procès-verbal) of a held or closed session, as a PDF (reportlab, the board
file's typography: ``board_file_style``).

The session (date, place), the attendance confirmed when it was held (present, remote,
absent, and who holds whose proxy), the quorum, then each point of the agenda with its
decision, its reference and its conditions or reason. A territory-bound staff member gets only
their territories' points, as in the board file; the members (no user) get every point.
"""

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from backend.accounts import scoping
from backend.board.board_file_style import (
    Styles,
    fonts,
    french_date,
    french_datetime,
    para,
    table,
    typo,
)
from backend.board.convening import convocations_of, session_quorum
from backend.board.ics import PARIS, project_label, visible_agenda
from backend.board.models import Attendance, BoardDecision, BoardSession, BoardSessionState

MINUTES_STATES = (BoardSessionState.HELD, BoardSessionState.CLOSED)
OMITTED_NOTE = (
    "Ce procès-verbal ne reprend que les points de l'ordre du jour qui concernent vos "
    "territoires : les autres points sont omis."
)


def _attendance(session: BoardSession, styles: Styles) -> list:
    convocations = convocations_of(session)
    flow = [Paragraph("Présences", styles.h2)]
    if not convocations:
        return [*flow, para("Aucun administrateur n'était convoqué.", styles.body)]
    rows = [
        [
            Paragraph("Administrateur", styles.label),
            Paragraph("Présence", styles.label),
            Paragraph("Pouvoir", styles.label),
        ]
    ]
    for row in convocations:
        state = row.actual or row.attendance
        proxy = row.actual_proxy if row.actual else row.proxy
        label = Attendance(state).label.capitalize()
        given = f"Pouvoir donné à {proxy.full_name}" if proxy else ""
        rows.append(
            [
                para(row.member.full_name, styles.cell),
                para(label, styles.cell),
                para(given, styles.cell),
            ]
        )
    flow.append(table(rows, [70 * mm, 35 * mm, 65 * mm], header=True))
    count = session_quorum(session, convocations)
    reached = "atteint" if count.reached else "non atteint"
    flow += [
        Spacer(1, 3 * mm),
        para(
            f"Quorum {reached} : {count.counted} administrateurs sur {count.members} présents "
            f"ou représentés ({count.present} présents, {count.remote} à distance, "
            f"{count.proxies} représentés par un pouvoir) ; {count.required} requis.",
            styles.body,
        ),
    ]
    return flow


def _decisions(session: BoardSession, user, styles: Styles) -> list:
    items, omitted = visible_agenda(session, user)
    decisions = BoardDecision.objects.filter(session=session)
    if user is not None:
        decisions = decisions & scoping.decisions_for(user)
    by_subject = {
        ("action", d.action_id) if d.action_id else ("project", d.project_id): d for d in decisions
    }
    flow = [Paragraph("Ordre du jour et décisions", styles.h2)]
    if not items:
        flow.append(para("L'ordre du jour ne comporte aucun point.", styles.body))
    for item in items:
        if item.action_id:
            title = f"{item.action.title} ({item.action.project.territory.name})"
            decision = by_subject.get(("action", item.action_id))
        else:
            title = f"{project_label(item.project)} ({item.project.territory.name})"
            decision = by_subject.get(("project", item.project_id))
        flow.append(Paragraph(escape(typo(f"Point {item.position} - {title}")), styles.h3))
        if decision is None:
            flow.append(para("Pas de décision enregistrée.", styles.body))
            continue
        flow.append(
            para(
                f"Décision : {decision.get_outcome_display()} - délibération n° "
                f"{decision.reference}",
                styles.body,
            )
        )
        if decision.conditions:
            flow.append(para(f"Conditions ou motif : {decision.conditions}", styles.body))
    if omitted:
        flow.append(para(OMITTED_NOTE, styles.note))
    return flow


def minutes_pdf(session: BoardSession, user=None) -> bytes:
    regular, bold = fonts()
    styles = Styles(regular, bold)
    story = [
        para("Conseil d'administration de la CAF de la Loire - procès-verbal", styles.body),
        para(session.title, styles.title),
        para(f"Séance du {french_datetime(session.date)}", styles.body),
    ]
    if session.location:
        story.append(para(f"Lieu : {session.location}", styles.body))
    story += [Spacer(1, 6 * mm), *_attendance(session, styles), *_decisions(session, user, styles)]
    footer = typo(
        f"Procès-verbal - {session.title} - "
        f"{french_date(timezone.localtime(session.date, PARIS).date())}"
    )

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(20 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Procès-verbal - {session.title}",
        author="CAF de la Loire",
        subject="Procès-verbal de la séance du conseil d'administration",
        lang="fr-FR",
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def filename(session: BoardSession) -> str:
    return f"proces-verbal-{timezone.localtime(session.date, PARIS):%Y-%m-%d}.pdf"
