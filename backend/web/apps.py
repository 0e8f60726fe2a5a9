from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "backend.web"
    label = "web"
    verbose_name = _("Interface web")
