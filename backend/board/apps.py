from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoardConfig(AppConfig):
    name = "backend.board"
    label = "board"
    verbose_name = _("Conseil d'administration")

    def ready(self):
        from backend.board import agenda  # noqa: F401  (registers transition effects)
