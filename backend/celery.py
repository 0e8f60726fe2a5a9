"""The Celery application: configured from Django's settings (CELERY_* names)."""

import os
from pathlib import Path

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _create_filesystem_broker_folder(sender, **kwargs):
    """kombu's filesystem transport (the embedded run) does not create its folder."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@signals.worker_init.connect
def _load_url_conf(**kwargs):
    """E-mails carry links, so sending them reverses URLs, which first imports the whole URL
    conf (the API, the exports and their spreadsheet libraries: most of a CPU second). Done
    here, once, before the pool forks; else every pool process pays it on its first e-mail."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (the import is the point)
