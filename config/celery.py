"""The Celery application.

The broker is Redis when ``REDIS_URL`` is set. Without it (``make run`` on a bare machine)
the broker is kombu's filesystem transport: web, worker and beat exchange messages through
a folder under ``var/``, so no server is needed. See docs/operations.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """The filesystem transport needs its folders to exist before anyone publishes or consumes."""
    if app.conf.broker_url.startswith("filesystem://"):
        options = app.conf.broker_transport_options or {}
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)


ensure_broker_folders()
