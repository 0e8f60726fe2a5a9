"""The tables of the pages « Pilotage »: each with its columns, its rows and its chart. The
pages show them by section (``SECTIONS``: each page computes its own tables only),
``/pilotage/<table>.csv`` writes them (``backend.exports.writers``).

The figures come from ``backend.analytics``, as for the API."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.analytics import board, partners, time_in_state
from backend.analytics.scope import Scope
from backend.exports.rows import Column
from backend.web.charts import bar_chart

# The organisations drawn in the partners' chart (the table holds them all).
CHART_ORGANISATIONS = 15
FLAGGED_SHOWN = 20
FLAGGED_CSV = 1000
TABLES = {
    "etats": gettext_lazy("Temps passé dans chaque état"),
    "attentes": gettext_lazy("Actions en attente au-delà du 90e centile"),
    "partenaires": gettext_lazy("Réponses des partenaires, par organisation"),
    "categories": gettext_lazy("Réponses des partenaires, par catégorie d'interlocuteur"),
    "conseil": gettext_lazy("Décisions du conseil"),
}


@dataclass
class Table:
    slug: str
    title: str
    columns: list[Column]
    rows: list[dict]
    chart: str = ""  # a data: URI
    chart_description: str = ""
    links: dict = field(default_factory=dict)  # row index -> URL of its first cell

    def lines(self) -> list[dict]:
        """The rows as the page shows them: the first cell (with its link), the others."""
        lines = []
        for index, row in enumerate(self.rows):
            first, *others = self.columns
            lines.append(
                {
                    "head": row[first.key],
                    "link": self.links.get(index, ""),
                    "cells": [(row[column.key], column.kind) for column in others],
                }
            )
        return lines


def _days(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _number_columns(*pairs) -> list[Column]:
    return [Column(key, header, kind) for key, header, kind in pairs]


def time_in_state_table(figures) -> Table:
    rows = [
        {
            "label": row.label,
            "actions": row.actions,
            "median_days": _days(row.median_days),
            "p90_days": _days(row.p90_days),
            "now": row.now,
            "over_p90": row.over_p90,
        }
        for row in figures
    ]
    title = str(TABLES["etats"])
    columns = _number_columns(
        ("label", _("État"), "text"),
        ("actions", _("Actions passées par l'état"), "int"),
        ("median_days", _("Médiane (jours)"), "decimal"),
        ("p90_days", _("90e centile (jours)"), "decimal"),
        ("now", _("Actions dans l'état aujourd'hui"), "int"),
        ("over_p90", _("Dont au-delà du 90e centile"), "int"),
    )
    description = _("Médiane et 90e centile des jours passés dans chaque état, en barres.")
    chart = bar_chart(
        title,
        description,
        [row.label for row in figures],
        [
            (_("médiane"), [row.median_days for row in figures]),
            (_("90e centile"), [row.p90_days for row in figures]),
        ],
        unit=" j",
    )
    return Table("etats", title, columns, rows, chart, description)


def flagged_table(found) -> Table:
    rows = [
        {
            "title": item.action.title,
            "territory": item.action.project.territory.name,
            "label": item.label,
            "since": item.since.date(),
            "days": _days(round(item.days, 1)),
            "p90_days": _days(round(item.p90_days, 1)),
        }
        for item in found
    ]
    columns = _number_columns(
        ("title", _("Action"), "text"),
        ("territory", _("Territoire"), "text"),
        ("label", _("État"), "text"),
        ("since", _("Depuis le"), "date"),
        ("days", _("Jours dans l'état"), "decimal"),
        ("p90_days", _("90e centile de l'état (jours)"), "decimal"),
    )
    links = {
        index: reverse("web:action_detail", args=[item.action.pk])
        for index, item in enumerate(found)
    }
    return Table("attentes", str(TABLES["attentes"]), columns, rows, links=links)


ANSWER_COLUMNS = (
    ("invited", gettext_lazy("Rôles invités"), "int"),
    ("answered", gettext_lazy("Réponses"), "int"),
    ("median_days_to_answer", gettext_lazy("Médiane des jours de réponse"), "decimal"),
    ("p90_days_to_answer", gettext_lazy("90e centile (jours)"), "decimal"),
    ("declined", gettext_lazy("Refus"), "int"),
    ("changes_requested", gettext_lazy("Modifications demandées"), "int"),
    ("pending", gettext_lazy("En attente de réponse"), "int"),
    ("reminders_before_answer", gettext_lazy("Relances avant réponse"), "int"),
)


def _answer_rows(rows: list[dict], first: str) -> list[dict]:
    return [
        {
            first: row[first],
            **row,
            "median_days_to_answer": _days(row["median_days_to_answer"]),
            "p90_days_to_answer": _days(row["p90_days_to_answer"]),
        }
        for row in rows
    ]


def _answer_chart(title: str, description: str, rows: list[dict], name: str) -> str:
    return bar_chart(
        title,
        description,
        [row[name] for row in rows],
        [
            (_("médiane des jours de réponse"), [row["median_days_to_answer"] for row in rows]),
            (_("rôles en attente"), [row["pending"] for row in rows]),
        ],
    )


def partners_table(scope: Scope) -> Table:
    rows = partners.by_organisation(scope)
    title = str(TABLES["partenaires"])
    slowest = sorted(
        rows,
        key=lambda row: (-(row["median_days_to_answer"] or 0), -row["pending"], row["name"]),
    )[:CHART_ORGANISATIONS]
    description = _(
        "Les %(count)d organisations les plus lentes à répondre : médiane des jours de "
        "réponse et rôles en attente. Le tableau donne toutes les organisations."
    ) % {"count": len(slowest)}
    columns = [Column("name", _("Organisation")), *_number_columns(*ANSWER_COLUMNS)]
    chart = _answer_chart(title, description, slowest, "name")
    return Table("partenaires", title, columns, _answer_rows(rows, "name"), chart, description)


def categories_table(scope: Scope) -> Table:
    rows = partners.by_category(scope)
    title = str(TABLES["categories"])
    description = _("Médiane des jours de réponse et rôles en attente, par catégorie.")
    columns = [Column("label", _("Catégorie")), *_number_columns(*ANSWER_COLUMNS)]
    chart = _answer_chart(title, description, rows, "label")
    return Table("categories", title, columns, _answer_rows(rows, "label"), chart, description)


def board_table(scope: Scope) -> tuple[Table, dict]:
    figures = board.board(scope)
    outcomes = figures["outcomes"]
    title = str(TABLES["conseil"])
    description = _(
        "Jours entre « prête pour le conseil » et la décision (médiane et 90e centile), "
        "par décision."
    )
    rows = [
        {
            "label": row["label"],
            "decisions": row["decisions"],
            "median_days": _days(row["median_days"]),
            "p90_days": _days(row["p90_days"]),
        }
        for row in outcomes
    ]
    columns = _number_columns(
        ("label", _("Décision"), "text"),
        ("decisions", _("Décisions"), "int"),
        ("median_days", _("Médiane des jours jusqu'à la décision"), "decimal"),
        ("p90_days", _("90e centile (jours)"), "decimal"),
    )
    chart = bar_chart(
        title,
        description,
        [row["label"] for row in outcomes],
        [
            (_("médiane"), [row["median_days"] for row in outcomes]),
            (_("90e centile"), [row["p90_days"] for row in outcomes]),
        ],
        unit=" j",
    )
    return Table("conseil", title, columns, rows, chart, description), figures["deferrals"]


@dataclass(frozen=True)
class Section:
    """One page of « Pilotage »: its address (``url_name``), its title in the navigation and
    the tables it shows."""

    slug: str
    url_name: str
    title: str
    tables: tuple[str, ...]


SECTIONS = (
    Section("etats", "web:pilotage", gettext_lazy("Délais par étape"), ("etats", "attentes")),
    Section("partenaires", "web:pilotage_partners", gettext_lazy("Partenaires"), ("partenaires",)),
    Section(
        "categories",
        "web:pilotage_categories",
        gettext_lazy("Catégories d'interlocuteurs"),
        ("categories",),
    ),
    Section("conseil", "web:pilotage_board", gettext_lazy("Conseil"), ("conseil",)),
)


def section_tables(scope: Scope, section: Section) -> tuple[list[Table], dict | None]:
    """The tables of one section, and the board's deferral figures on the board's."""
    if section.slug == "etats":
        figures = time_in_state.time_in_state(scope, flagged=FLAGGED_SHOWN)
        return [time_in_state_table(figures.states), flagged_table(figures.flagged)], None
    if section.slug == "partenaires":
        return [partners_table(scope)], None
    if section.slug == "categories":
        return [categories_table(scope)], None
    table, deferrals = board_table(scope)
    return [table], deferrals


def one_table(scope: Scope, slug: str) -> Table:
    """One table (for its CSV)."""
    if slug == "etats":
        return time_in_state_table(time_in_state.time_in_state(scope).states)
    if slug == "attentes":
        return flagged_table(time_in_state.time_in_state(scope, flagged=FLAGGED_CSV).flagged)
    return {
        "partenaires": partners_table,
        "categories": categories_table,
        "conseil": lambda s: board_table(s)[0],
    }[slug](scope)
