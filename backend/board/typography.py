"""French typography of the board's documents (the board file, the minutes): no-break spaces
before « : ; ! ? » and inside « », dates and amounts written out. How they are typeset is in
``backend.board.pdf``; what they say in ``backend.board.board_file`` and
``backend.board.minutes``."""

import re
from decimal import Decimal

from django.utils import timezone

from backend.board.ics import PARIS

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
