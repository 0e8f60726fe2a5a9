"""The limits of what a client may send, one constant per limit, shared by the API's
serializers and the pages' forms (so that a page never stores what the API would refuse).

Dates: every date a client sends (a consultation deadline, planned start and end, an
evaluation's due date, a board session) lies between ``EARLIEST_DATE`` and ``LATEST_DATE``,
the years of the territory projects. Beyond them the date arithmetic (business days,
reminders, the Paris offset of year 1) overflows or goes wrong.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

TEXT_LIMIT = 10_000  # long free text: summaries, descriptions, comments, report texts
CONDITIONS_LIMIT = 5_000  # a board decision's conditions
REFERENCE_LIMIT = 32  # a board decision's reference (its model field)
SHORT_TEXT_LIMIT = 200  # a title, an indicator's label, a time commitment, a venue
UNIT_LIMIT = 50  # an indicator's unit
ADDRESS_LIMIT = 1_000
MAX_INDICATORS = 100  # rows of an evaluation plan read from a page

EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
DATE_OUT_OF_RANGE = _("Indiquez une date entre le %(earliest)s et le %(latest)s.")


def date_out_of_range_message() -> str:
    return DATE_OUT_OF_RANGE % {
        "earliest": formats.date_format(EARLIEST_DATE, "d/m/Y"),
        "latest": formats.date_format(LATEST_DATE, "d/m/Y"),
    }


def date_in_range(value) -> bool:
    """A date (or the calendar day of a datetime, as given) within the bounds."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def validate_date_range(value) -> None:
    """The validator of every date field, on the API and the pages."""
    if value is not None and not date_in_range(value):
        raise ValidationError(date_out_of_range_message(), code="date_out_of_range")
