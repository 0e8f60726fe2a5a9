from django.core.management.base import BaseCommand

from backend.core.command_options import add_now_option, parse_now
from notifications.delivery.sweep import sweep


class Command(BaseCommand):
    help = "Une passe d'envoi des notifications dues, comme la tâche périodique (sans broker)."

    def add_arguments(self, parser):
        add_now_option(parser)

    def handle(self, *args, now=None, **options):
        report = sweep(now=parse_now(now))
        self.stdout.write(
            f"envoyées : {report.sent}, à réessayer : {report.retried}, échecs : {report.failed}, "
            f"récapitulatif : {report.in_digest}, ignorées : {report.skipped}, "
            f"non confirmées : {report.unconfirmed}"
        )
