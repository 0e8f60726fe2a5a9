from django.core.management.base import BaseCommand

from backend.core.command_options import add_now_option, parse_now
from webhooks.delivery import sweep


class Command(BaseCommand):
    help = "Une passe d'envoi des webhooks dus, comme la tâche périodique (sans broker)."

    def add_arguments(self, parser):
        add_now_option(parser)

    def handle(self, *args, now=None, **options):
        report = sweep(now=parse_now(now))
        self.stdout.write(
            f"livrées : {report.delivered}, à réessayer : {report.retried}, "
            f"abandonnées : {report.failed}, interrompues renvoyées : {report.released}"
        )
