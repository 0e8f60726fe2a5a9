"""The board file (dossier du conseil): one PDF for a session, generated server-side.

The agenda first, then one sheet per point: for an action its territory, summary, the
findings it answers, the role of each partner and their answer, planned dates and budget; for
a territory project a short sheet. A user bound to territories gets only their territories'
points, and the file says that the other points are omitted.

French typography: a no-break space before « : ; ! ? » and inside « », dates written out
(« jeudi 14 janvier 2027 »), amounts as « 12 500,00 € ». reportlab breaks lines at the
narrow no-break space (U+202F), so the regular no-break space (U+00A0) is used everywhere.
The font is DejaVu Sans when installed (every accent, €, œ…), else the built-in Helvetica
(Latin-1 plus € and œ).
"""

import io
from xml.sax.saxutils import escape

from django.db.models import Count, Prefetch
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)

from backend.actions.models import RoleAssignment, RoleState
from backend.board.board_file_style import (
    Styles,
    fields_table,
    fonts,
    french_amount,
    french_date,
    french_datetime,
    para,
    quoted,
    table,
    typo,
)
from backend.board.ics import PARIS, project_label, visible_agenda
from backend.board.models import AgendaItem, BoardSession
from backend.territories.models import TerritoryProject

OMITTED_NOTE = (
    "Ce dossier ne reprend que les points de l'ordre du jour qui concernent vos territoires : "
    "les autres points sont omis."
)


# --- data ----------------------------------------------------------------------------------


def _items(session: BoardSession, user) -> tuple[list[AgendaItem], bool]:
    shown, omitted = visible_agenda(session, user)
    roles = RoleAssignment.objects.exclude(state=RoleState.WITHDRAWN).select_related(
        "organisation", "contact"
    )
    projects = TerritoryProject.objects.select_related("territory").annotate(
        action_count=Count("actions")
    )
    items = (
        AgendaItem.objects.filter(pk__in=[item.pk for item in shown])
        .select_related(
            "action__project__territory",
            "action__axis",
            "action__commune",
            "action__neighbourhood",
            "action__social_worker",
        )
        .prefetch_related(
            "action__findings",
            Prefetch("action__roles", queryset=roles),
            Prefetch("project", queryset=projects),
            "project__axes",
        )
        .order_by("position", "id")
    )
    return list(items), omitted


# --- the sheets ----------------------------------------------------------------------------


def _agenda(items: list[AgendaItem], omitted: bool, styles: Styles) -> list:
    flow = [Paragraph("Ordre du jour", styles.h2)]
    if items:
        rows = [
            [
                Paragraph("N°", styles.label),
                Paragraph("Point", styles.label),
                Paragraph("Territoire", styles.label),
            ]
        ]
        for item in items:
            if item.action_id:
                title, territory = item.action.title, item.action.project.territory.name
            else:
                title = project_label(item.project)
                territory = item.project.territory.name
            rows.append(
                [
                    Paragraph(str(item.position), styles.cell),
                    para(title, styles.cell),
                    para(territory, styles.cell),
                ]
            )
        flow.append(table(rows, [12 * mm, 110 * mm, 48 * mm], header=True))
    else:
        flow.append(
            para("Aucun point de l'ordre du jour ne concerne vos territoires.", styles.body)
        )
    if omitted:
        flow.append(para(OMITTED_NOTE, styles.note))
    return flow


def _commitment(role: RoleAssignment) -> str:
    parts = [role.description.strip()]
    if role.time_commitment:
        parts.append(f"Temps consacré : {role.time_commitment}")
    if role.financial_commitment is not None:
        parts.append(f"Apport financier : {french_amount(role.financial_commitment)}")
    if role.venue:
        parts.append(f"Lieu mis à disposition : {role.venue}")
    return "\n".join(part for part in parts if part)


def _answer(role: RoleAssignment) -> str:
    answer = role.get_state_display().capitalize()
    if role.responded_at:
        answer += f" le {french_date(timezone.localtime(role.responded_at, PARIS).date())}"
    if role.response_comment:
        answer += f"\n{quoted(role.response_comment.strip())}"
    return answer


def _roles(action, styles: Styles) -> list:
    roles = list(action.roles.all())
    flow = [Paragraph("Rôles des partenaires", styles.h3)]
    if not roles:
        return [*flow, para("Aucun partenaire n'a de rôle sur cette action.", styles.body)]
    rows = [
        [
            Paragraph("Partenaire", styles.label),
            Paragraph("Rôle", styles.label),
            Paragraph("Engagement", styles.label),
            Paragraph("Réponse", styles.label),
        ]
    ]
    for role in roles:
        partner = role.organisation.name
        if role.contact:
            partner += f"\n{role.contact.first_name} {role.contact.last_name}"
        rows.append(
            [
                para(partner, styles.cell),
                para(role.get_kind_display().capitalize(), styles.cell),
                para(_commitment(role), styles.cell),
                para(_answer(role), styles.cell),
            ]
        )
    return [*flow, table(rows, [38 * mm, 22 * mm, 62 * mm, 48 * mm], header=True)]


def _action_sheet(item: AgendaItem, styles: Styles) -> list:
    action = item.action
    project = action.project
    flow = [
        Paragraph(escape(typo(f"Point {item.position} - {action.title}")), styles.h2),
        fields_table(
            [
                ("Territoire", project.territory.name),
                ("Projet de territoire", project.title),
                ("Axe d'intervention", action.axis.title if action.axis else ""),
                ("Commune", action.commune.name if action.commune else ""),
                ("Quartier", action.neighbourhood.name if action.neighbourhood else ""),
                ("Référent CAF", str(action.social_worker) if action.social_worker else ""),
                ("Début prévu", french_date(action.planned_start)),
                ("Fin prévue", french_date(action.planned_end)),
                ("Budget prévisionnel", french_amount(action.budget)),
            ],
            styles,
        ),
        Paragraph("Résumé", styles.h3),
        para(action.summary, styles.body),
        Paragraph("Constats du diagnostic auxquels l'action répond", styles.h3),
    ]
    findings = list(action.findings.all())
    if findings:
        flow += [
            para(f"• {finding.get_kind_display().capitalize()} : {finding.title}", styles.body)
            for finding in findings
        ]
    else:
        flow.append(para("Aucun constat n'est rattaché à cette action.", styles.body))
    return flow + _roles(action, styles)


def _project_sheet(item: AgendaItem, styles: Styles) -> list:
    project = item.project
    flow = [
        Paragraph(
            escape(typo(f"Point {item.position} - {project_label(project)}")),
            styles.h2,
        ),
        fields_table(
            [
                ("Territoire", project.territory.name),
                ("Année", str(project.year)),
                ("Actions du projet", str(project.action_count)),
            ],
            styles,
        ),
    ]
    if project.summary:
        flow += [Paragraph("Présentation", styles.h3), para(project.summary, styles.body)]
    axes = list(project.axes.all())
    if axes:
        flow.append(Paragraph("Axes d'intervention", styles.h3))
        flow += [para(f"{axis.position}. {axis.title}", styles.body) for axis in axes]
    return flow


# --- the document --------------------------------------------------------------------------


def board_file_pdf(session: BoardSession, user) -> bytes:
    """The board file of ``session`` as ``user`` may see it (territory staff: their
    territories' points only, with a note that the others are omitted)."""
    regular, bold = fonts()
    styles = Styles(regular, bold)
    items, omitted = _items(session, user)
    heading = [
        para("Conseil d'administration de la CAF de la Loire - dossier de séance", styles.body),
        para(session.title, styles.title),
        para(french_datetime(session.date).capitalize(), styles.body),
    ]
    if session.location:
        heading.append(para(f"Lieu : {session.location}", styles.body))
    story = [*heading, Spacer(1, 6 * mm), *_agenda(items, omitted, styles)]
    for item in items:
        story.append(PageBreak())
        story += _action_sheet(item, styles) if item.action_id else _project_sheet(item, styles)

    footer = typo(
        f"{session.title} - {french_date(timezone.localtime(session.date, PARIS).date())}"
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
        title=f"Dossier du conseil - {session.title}",
        author="CAF de la Loire",
        subject="Dossier de séance du conseil d'administration",
        lang="fr-FR",
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def filename(session: BoardSession) -> str:
    return f"dossier-conseil-{timezone.localtime(session.date, PARIS):%Y-%m-%d}.pdf"
