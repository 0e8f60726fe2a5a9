from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RespondConfig(AppConfig):
    """No models: registered so that Django finds the templates and static files."""

    name = "backend.respond"
    label = "respond"
    verbose_name = _("Réponse des partenaires")
