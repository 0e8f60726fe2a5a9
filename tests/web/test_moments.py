"""One way to write dates, times and amounts on every page, in the page's language."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

FIRST_OF_MARCH = timezone.make_aware(datetime.datetime(2027, 3, 1, 14, 30))
NBSP = "\u00a0"


def render(text: str, **context) -> str:
    return Template("{% load moments %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", f"1er mars 2027 à 14{NBSP}h{NBSP}30 · lundi 1er mars 2027 · 12{NBSP}500,50{NBSP}€"),
        ("en", "1 March 2027 at 14:30 · Monday 1 March 2027 · €12,500.50"),
    ],
)
def test_a_date_a_time_and_an_amount_in_the_pages_language(language, expected):
    with translation.override(language):
        text = render(
            "{{ when|moment }} · {{ when|day_long }} · {{ amount|euros }}",
            when=FIRST_OF_MARCH,
            amount=Decimal("12500.50"),
        )
    assert text == expected


def test_times_are_shown_in_paris_and_whole_amounts_without_cents():
    midnight_utc = timezone.make_aware(datetime.datetime(2027, 7, 14, 23, 5), datetime.UTC)
    with translation.override("fr"):
        assert (
            render("{{ when|moment }}", when=midnight_utc) == f"15 juillet 2027 à 01{NBSP}h{NBSP}05"
        )
        assert render("{{ amount|euros }}", amount=Decimal("800.00")) == f"800{NBSP}€"
        assert render("{{ day|day }}", day=datetime.date(2027, 1, 11)) == "11 janvier 2027"
        assert render("{{ nothing|moment }}{{ nothing|euros }}", nothing=None) == ""
