"""Form fields shared by every page, staff or partner, with the API's limits
(``backend.core.limits``).

Every text a page reads goes through Django's ``CharField``, which refuses a null character
(PostgreSQL cannot store one) and, here, anything longer than the API accepts. Every date goes
through the same bounds as the API's. Numbers are read the French way: « 12,5 », « 1 250 »
(spaces and non-breaking spaces between thousands) as well as « 12.5 ».
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backend.core.limits import validate_date_range

TOO_LONG = _("%(limit_value)d caractères au plus (vous en avez écrit %(show_value)d).")
MAX_RESULT = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)
MAX_COUNT = 2_147_483_647  # PositiveIntegerField
SPACES = re.compile(r"[\s\u00a0\u202f]+")
NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
INTEGER = re.compile(r"\d+")


def text_field(limit: int, **kwargs) -> forms.CharField:
    """A text of at most ``limit`` characters, said in French with the length written."""
    messages = {"max_length": TOO_LONG, **kwargs.pop("error_messages", {})}
    return forms.CharField(max_length=limit, error_messages=messages, **kwargs)


class DateField(forms.DateField):
    """A date within the years of the projects, as on the API."""

    default_validators = [validate_date_range]


class DateTimeField(forms.DateTimeField):
    default_validators = [validate_date_range]


def parse_decimal(raw: str) -> Decimal:
    """« 12,5 », « 1 250,75 », « 12.5 » -> Decimal; ValueError with the message to show."""
    text = SPACES.sub("", raw or "")
    if not text:
        raise ValueError(_("Indiquez le résultat obtenu (un nombre)."))
    if ("," in text and "." in text) or not NUMBER.fullmatch(text):
        raise ValueError(_("Indiquez un nombre, par exemple 12 ou 12,5."))
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(_("Indiquez un nombre, par exemple 12 ou 12,5.")) from None
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise ValueError(_("Deux chiffres après la virgule au plus, par exemple 12,75."))
    if abs(value) > MAX_RESULT:
        raise ValueError(_("Ce nombre est trop grand."))
    return value.quantize(Decimal("0.01")) if value.as_tuple().exponent < -2 else value


class FrenchDecimalField(forms.Field):
    """A number written the French way (``parse_decimal``); its errors are parse_decimal's."""

    def to_python(self, value):
        if value in self.empty_values or not SPACES.sub("", str(value)):
            return None
        try:
            return parse_decimal(str(value))
        except ValueError as error:
            raise ValidationError(error.args[0], code="invalid") from None


class FrenchCountField(forms.Field):
    """A whole number of people: « 25 », « 1 250 »."""

    default_error_messages = {
        "invalid": _("Indiquez un nombre entier de personnes, par exemple 25."),
        "too_big": _("Ce nombre est trop grand."),
    }

    def to_python(self, value):
        text = SPACES.sub("", str(value or ""))
        if not text:
            return None
        if not INTEGER.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if len(text) > len(str(MAX_COUNT)) or int(text) > MAX_COUNT:
            raise ValidationError(self.error_messages["too_big"], code="too_big")
        return int(text)


def first_errors(form) -> dict:
    """{field name: its first message} (the pages show one message per field)."""
    return {name: errors[0] for name, errors in form.errors.items()}
