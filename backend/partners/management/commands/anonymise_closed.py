"""``manage.py anonymise_closed [--dry-run] [--years N]``: the personal data retention rule
(see ``backend.partners.retention``), to run from cron or by hand."""

import argparse

from django.core.management.base import BaseCommand, CommandError

from backend.partners.retention import RetentionPeriodError, apply_retention, check_years


def years_argument(value: str) -> int:
    """``--years``: a whole number of years within the bounds of the retention rule."""
    try:
        return check_years(int(value))
    except RetentionPeriodError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of years: {value!r}") from None


class Command(BaseCommand):
    help = (
        "Anonymise the contacts whose every action ended (closed, rejected or withdrawn) more "
        "than RETENTION_YEARS years ago; --dry-run only lists them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List, change nothing.")
        parser.add_argument(
            "--years",
            type=years_argument,
            help="Override RETENTION_YEARS for this run (1 to 100).",
        )

    def handle(self, *args, dry_run=False, years=None, **options):
        try:
            report = apply_retention(years=years, dry_run=dry_run)
        except RetentionPeriodError as error:  # RETENTION_YEARS itself out of bounds
            raise CommandError(f"RETENTION_YEARS: {error}") from None
        verb = "would be anonymised" if dry_run else "anonymised"
        self.stdout.write(
            f"{report.count} contact(s) {verb}: every action of theirs ended before "
            f"{report.cutoff:%Y-%m-%d} (retention {report.years} years)."
        )
        if report.contacts:
            self.stdout.write("Contact ids: " + ", ".join(str(pk) for pk in report.contacts))
