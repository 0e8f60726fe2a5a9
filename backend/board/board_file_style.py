"""How the board file looks: French typography (no-break spaces, dates and amounts written
out), the fonts (DejaVu Sans when installed, else Helvetica), the paragraph styles and the
tables. What the file says is in ``backend.board.board_file``."""

import re
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, Table, TableStyle

from backend.board.ics import PARIS

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
NBSP = "\u00a0"
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

# --- French typography ---------------------------------------------------------------------


def typo(text: str | None) -> str:
    """No-break spaces where French typography wants them (existing spaces only: a URL or an
    hour such as 14:00 is left alone)."""
    if not text:
        return ""
    text = re.sub(r"[ \t\u00a0\u202f]+([:;!?»])", NBSP + r"\1", str(text))
    return re.sub(r"«[ \t\u00a0\u202f]*", "«" + NBSP, text)


def quoted(text: str) -> str:
    return f"«{NBSP}{text}{NBSP}»"


def french_date(day) -> str:
    """« jeudi 14 janvier 2027 », « vendredi 1er janvier 2027 » (the day and the month are
    kept together); empty for None."""
    if day is None:
        return ""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{DAYS[day.weekday()]} {number}{NBSP}{MONTHS[day.month - 1]} {day.year}"


def french_datetime(moment) -> str:
    """« jeudi 14 janvier 2027 à 14 h », « … à 9 h 30 » (Paris time)."""
    local = timezone.localtime(moment, PARIS)
    hour = f"{local.hour}{NBSP}h" + (f"{NBSP}{local.minute:02d}" if local.minute else "")
    return f"{french_date(local.date())} à {hour}"


def french_amount(value, currency: str = "€") -> str:
    """« 12 500,00 € »; empty for None."""
    if value is None:
        return ""
    text = f"{Decimal(value).quantize(Decimal('0.01')):,.2f}"
    return text.replace(",", NBSP).replace(".", ",") + NBSP + currency


# --- fonts and styles ----------------------------------------------------------------------


def fonts() -> tuple[str, str]:
    """(regular, bold): DejaVu Sans when its files are there, else Helvetica."""
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return "Helvetica", "Helvetica-Bold"
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        try:
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
        except Exception:  # an unreadable font file: fall back rather than fail
            return "Helvetica", "Helvetica-Bold"
        pdfmetrics.registerFontFamily("DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold")
    return "DejaVuSans", "DejaVuSans-Bold"


class Styles:
    def __init__(self, regular: str, bold: str):
        self.regular, self.bold = regular, bold
        base = {"fontName": regular, "fontSize": 9.5, "leading": 12.5, "alignment": TA_LEFT}
        self.body = ParagraphStyle("body", **base, spaceAfter=3)
        self.cell = ParagraphStyle("cell", **{**base, "fontSize": 8.5, "leading": 11})
        self.label = ParagraphStyle("label", parent=self.cell, fontName=bold)
        self.note = ParagraphStyle(
            "note", parent=self.body, textColor=colors.HexColor("#7a4b00"), spaceBefore=6
        )
        self.title = ParagraphStyle(
            "title", parent=self.body, fontName=bold, fontSize=18, leading=22, spaceAfter=6
        )
        self.h2 = ParagraphStyle(
            "h2", parent=self.body, fontName=bold, fontSize=13, leading=16, spaceAfter=6
        )
        self.h3 = ParagraphStyle(
            "h3",
            parent=self.body,
            fontName=bold,
            fontSize=10.5,
            leading=13,
            spaceBefore=8,
            spaceAfter=3,
        )


def para(text: str | None, style) -> Paragraph:
    """User text, made safe for reportlab's markup, typographed, line breaks kept."""
    return Paragraph(escape(typo(text)).replace("\n", "<br/>"), style)


TABLE_STYLE = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b0b7c3")),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
]


def table(rows, widths, *, header: bool) -> Table:
    style = list(TABLE_STYLE)
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6ebf2")))
    else:
        style.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f4f7")))
    # splitInRow: a very long commitment or answer may run over a page break.
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, splitInRow=1)
    table.setStyle(TableStyle(style))
    return table


def fields_table(rows: list[tuple[str, str]], styles: Styles) -> Table:
    """A two-column table of labels and values (already typographed values)."""
    data = [
        [Paragraph(escape(typo(label)), styles.label), para(value or "-", styles.cell)]
        for label, value in rows
    ]
    return table(data, [48 * mm, 122 * mm], header=False)
