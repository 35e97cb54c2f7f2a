"""Whether the broker answers now: for /healthz. Uses the Celery app Django started (``config.celery``)."""

from __future__ import annotations

import os
from pathlib import Path

from celery import current_app


def broker_status(timeout: float = 2.0) -> str:
    """'ok' when a message could be published now, else 'error: <why>'. For /healthz; never raises."""
    try:
        if current_app.conf.broker_url.startswith("filesystem://"):
            folder = Path((current_app.conf.broker_transport_options or {}).get("data_folder_out", ""))
            if not folder.is_dir() or not os.access(folder, os.W_OK):
                return f"error: broker folder {folder} is missing or not writable"
            return "ok"
        with current_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
            # ensure_connection proves the socket; a PING proves Redis answers.
            client = getattr(connection.default_channel, "client", None)
            if client is not None:
                client.ping()
        return "ok"
    except Exception as exc:  # any failure is "down" for monitoring
        return f"error: {type(exc).__name__}"
