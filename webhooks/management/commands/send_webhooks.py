import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from webhooks.delivery import sweep


class Command(BaseCommand):
    help = "Une passe d'envoi des webhooks dus, comme la tâche périodique (sans broker)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", help="traiter cet instant (ISO 8601) comme le présent", default=None
        )

    def handle(self, *args, now=None, **options):
        moment = timezone.now()
        if now:
            try:
                moment = datetime.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now : date ISO 8601 invalide : {now!r}") from None
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        report = sweep(now=moment)
        self.stdout.write(
            f"livrées : {report.delivered}, à réessayer : {report.retried}, "
            f"abandonnées : {report.failed}, interrompues renvoyées : {report.released}"
        )
