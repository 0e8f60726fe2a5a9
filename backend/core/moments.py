"""One way to write a date, a time and an amount on every page and in every e-mail, in the
reader's language (``{% load moments %}``, a library the settings name; the functions are
called from Python too).

``{{ value|day }}``: « 1er mars 2027 », « 14 janvier 2027 » (English: "1 March 2027");
``{{ value|day_long }}``: with the weekday, « lundi 1er mars 2027 »;
``{{ value|clock }}``: « 14 h 30 » (English: "14:30");
``{{ value|moment }}``: « 1er mars 2027 à 14 h 30 » (English: "1 March 2027 at 14:30");
``{{ value|euros }}``: « 12 500,50 € » with no-break spaces, so that the amount never breaks
across two lines (English: "€12,500.50").
Aware datetimes are shown in the current time zone (Europe/Paris)."""

import datetime
from decimal import Decimal

from django import template
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

NO_BREAK = "\u00a0"


def _french() -> bool:
    return (get_language() or "fr").startswith("fr")


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _day(value, pattern: str) -> str:
    text = formats.date_format(value, pattern)
    if _french() and value.day == 1:  # « 1er mars », as French writes the first of a month
        text = (
            text.replace("1 ", "1er ", 1)
            if pattern.startswith("j")
            else text.replace(" 1 ", " 1er ", 1)
        )
    return text


@register.filter
def day(value) -> str:
    if not value:
        return ""
    return _day(_local(value), "j F Y")


@register.filter
def day_long(value) -> str:
    if not value:
        return ""
    return _day(_local(value), "l j F Y")


@register.filter
def clock(value) -> str:
    if not value:
        return ""
    value = _local(value)
    return f"{value:%H}{NO_BREAK}h{NO_BREAK}{value:%M}" if _french() else f"{value:%H:%M}"


@register.filter
def moment(value) -> str:
    if not value:
        return ""
    return _("%(day)s à %(time)s") % {"day": day(value), "time": clock(value)}


@register.filter
def moment_long(value) -> str:
    if not value:
        return ""
    return _("%(day)s à %(time)s") % {"day": day_long(value), "time": clock(value)}


@register.filter
def euros(value) -> str:
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    places = 0 if amount == amount.to_integral_value() else 2
    number = formats.number_format(amount, places, use_l10n=True, force_grouping=True)
    number = number.replace(" ", NO_BREAK).replace("\u202f", NO_BREAK)
    return f"{number}{NO_BREAK}€" if _french() else f"€{number}"
