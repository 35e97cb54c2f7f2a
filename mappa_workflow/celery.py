"""The Celery application.

The broker is Redis when ``REDIS_URL`` is set. Without it (``make run`` on a bare machine)
the broker is kombu's filesystem transport: web, worker and beat exchange messages through
a folder under ``var/``, so no server is needed. See docs/operations.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mappa_workflow.settings.development")

app = Celery("mappa_workflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """The filesystem transport needs its folders to exist before anyone publishes or consumes."""
    if app.conf.broker_url.startswith("filesystem://"):
        options = app.conf.broker_transport_options or {}
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)


def broker_status(timeout: float = 2.0) -> str:
    """'ok' when a message could be published now, else 'error: <why>'. For /healthz; never raises."""
    try:
        if app.conf.broker_url.startswith("filesystem://"):
            folder = Path((app.conf.broker_transport_options or {}).get("data_folder_out", ""))
            if not folder.is_dir() or not os.access(folder, os.W_OK):
                return f"error: broker folder {folder} is missing or not writable"
            return "ok"
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
            # ensure_connection proves the socket; a PING proves Redis answers.
            client = getattr(connection.default_channel, "client", None)
            if client is not None:
                client.ping()
        return "ok"
    except Exception as exc:  # any failure is "down" for monitoring
        return f"error: {type(exc).__name__}"


ensure_broker_folders()
