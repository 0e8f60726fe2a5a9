"""``manage.py anonymise_closed [--dry-run] [--years N]``: the personal data retention rule
(see ``backend.partners.retention``), to run from cron or by hand."""

from django.core.management.base import BaseCommand

from backend.partners.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Anonymise the contacts whose every action ended (closed, rejected or withdrawn) more "
        "than RETENTION_YEARS years ago; --dry-run only lists them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List, change nothing.")
        parser.add_argument("--years", type=int, help="Override RETENTION_YEARS for this run.")

    def handle(self, *args, dry_run=False, years=None, **options):
        report = apply_retention(years=years, dry_run=dry_run)
        verb = "would be anonymised" if dry_run else "anonymised"
        self.stdout.write(
            f"{report.count} contact(s) {verb}: every action of theirs ended before "
            f"{report.cutoff:%Y-%m-%d} (retention {report.years} years)."
        )
        if report.contacts:
            self.stdout.write("Contact ids: " + ", ".join(str(pk) for pk in report.contacts))
