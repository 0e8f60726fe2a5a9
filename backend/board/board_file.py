"""The board file (dossier du conseil): one PDF for a session, generated server-side.

The agenda first, then one sheet per point: for an action its territory, summary, the
findings it answers, the role of each partner and their answer, planned dates and budget; for
a territory project a short sheet. A user bound to territories gets only their territories'
points, and the file says that the other points are omitted.

French typography (``typography``): a no-break space before « : ; ! ? » and inside « »,
dates written out (« jeudi 14 janvier 2027 »), amounts as « 12 500,00 € ». A tagged PDF
(PDF/UA-1, every font embedded): ``backend.board.pdf``.
"""

from django.db.models import Count, Prefetch
from django.utils import timezone

from backend.actions.models import RoleAssignment, RoleState
from backend.board import pdf
from backend.board.ics import PARIS, project_label, visible_agenda
from backend.board.models import AgendaItem, BoardSession
from backend.board.typography import french_amount, french_date, french_datetime, quoted, typo
from backend.territories.models import TerritoryProject

# The typography is read from here too (the tests, the minutes' callers).
__all__ = [
    "board_file_pdf",
    "filename",
    "french_amount",
    "french_date",
    "french_datetime",
    "quoted",
    "typo",
]

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


def subject_of(item: AgendaItem) -> tuple[str, str]:
    """(the point's title, its territory): an action's title or the project's label."""
    if item.action_id:
        return item.action.title, item.action.project.territory.name
    return project_label(item.project), item.project.territory.name


def point_heading(item: AgendaItem, title: str) -> str:
    """« Point 2 - … »: the heading of a point, in the board file and in the minutes."""
    return f"Point {item.position} - {title}"


def _agenda(items: list[AgendaItem], omitted: bool) -> list[dict]:
    blocks = [pdf.heading("Ordre du jour")]
    if items:
        rows = [[str(item.position), *subject_of(item)] for item in items]
        blocks.append(pdf.table(["N°", "Point", "Territoire"], rows, [12, 110, 48]))
    else:
        blocks.append(pdf.paragraph("Aucun point de l'ordre du jour ne concerne vos territoires."))
    if omitted:
        blocks.append(pdf.note(OMITTED_NOTE))
    return blocks


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


def _roles(action) -> list[dict]:
    roles = list(action.roles.all())
    blocks = [pdf.heading("Rôles des partenaires", 2)]
    if not roles:
        return [*blocks, pdf.paragraph("Aucun partenaire n'a de rôle sur cette action.")]
    rows = []
    for role in roles:
        partner = role.organisation.name
        if role.contact:
            partner += f"\n{role.contact.first_name} {role.contact.last_name}"
        rows.append(
            [partner, role.get_kind_display().capitalize(), _commitment(role), _answer(role)]
        )
    headers = ["Partenaire", "Rôle", "Engagement", "Réponse"]
    return [*blocks, pdf.table(headers, rows, [38, 22, 62, 48])]


def _action_sheet(item: AgendaItem) -> list[dict]:
    action = item.action
    project = action.project
    blocks = [
        pdf.heading(point_heading(item, action.title)),
        pdf.fields(
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
            ]
        ),
        pdf.heading("Résumé", 2),
        pdf.paragraph(action.summary),
        pdf.heading("Constats du diagnostic auxquels l'action répond", 2),
    ]
    findings = list(action.findings.all())
    if findings:
        blocks.append(
            pdf.bullets(
                [
                    f"{finding.get_kind_display().capitalize()} : {finding.title}"
                    for finding in findings
                ]
            )
        )
    else:
        blocks.append(pdf.paragraph("Aucun constat n'est rattaché à cette action."))
    return blocks + _roles(action)


def _project_sheet(item: AgendaItem) -> list[dict]:
    project = item.project
    blocks = [
        pdf.heading(point_heading(item, project_label(project))),
        pdf.fields(
            [
                ("Territoire", project.territory.name),
                ("Année", str(project.year)),
                ("Actions du projet", str(project.action_count)),
            ]
        ),
    ]
    if project.summary:
        blocks += [pdf.heading("Présentation", 2), pdf.paragraph(project.summary)]
    axes = list(project.axes.all())
    if axes:
        blocks += [
            pdf.heading("Axes d'intervention", 2),
            pdf.numbered([(axis.position, axis.title) for axis in axes]),
        ]
    return blocks


# --- the document --------------------------------------------------------------------------


def session_lines(session: BoardSession, when: str) -> list[str]:
    """The lines under a document's heading: the date, then the place when there is one."""
    return [when] + ([f"Lieu : {session.location}"] if session.location else [])


def board_file_pdf(session: BoardSession, user) -> bytes:
    """The board file of ``session`` as ``user`` may see it (territory staff: their
    territories' points only, with a note that the others are omitted)."""
    items, omitted = _items(session, user)
    blocks = _agenda(items, omitted)
    for item in items:
        blocks.append(pdf.page_break())
        blocks += _action_sheet(item) if item.action_id else _project_sheet(item)
    day = french_date(timezone.localtime(session.date, PARIS).date())
    return pdf.render(
        blocks,
        title=f"Dossier du conseil - {session.title}",
        subject="Dossier de séance du conseil d'administration",
        kicker="Conseil d'administration de la CAF de la Loire - dossier de séance",
        heading=session.title,
        lines=session_lines(session, french_datetime(session.date).capitalize()),
        footer=f"{session.title} - {day}",
    )


def filename(session: BoardSession) -> str:
    return f"dossier-conseil-{timezone.localtime(session.date, PARIS):%Y-%m-%d}.pdf"
