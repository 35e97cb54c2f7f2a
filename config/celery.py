"""The Celery application.

The broker is Redis when ``REDIS_URL`` is set. Without it (``make run`` on a bare machine)
the broker is kombu's filesystem transport: web, worker and beat exchange messages through
a folder under ``var/``, so no server is needed. See docs/operations.md.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")

logger = logging.getLogger(__name__)

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


def keep_workers_through_a_redis_drop() -> None:
    """Work around a kombu race (5.7.0) that stops a worker when Redis goes away while it holds a message.

    During the reconnect kombu closes the consumer's channel after the transport under it was released; with an
    unacknowledged message in hand it then tries to requeue it through that released transport, raises
    AttributeError, and the worker exits ("Unrecoverable error"). Nothing can be requeued through a released
    transport anyway: the message stays in Redis's unacknowledged set (redelivered after the visibility timeout)
    or, if Redis restarted empty, the outbox drain publishes it again. So the requeue is skipped there, the worker
    reconnects, and nothing is lost (notifications/tests/test_broker_reconnect.py, docs/operations.md).
    """
    from kombu.transport import redis as kombu_redis

    requeue = kombu_redis.QoS.restore_unacked
    if getattr(requeue, "keeps_workers", False):
        return

    def restore_unacked(self, client=None):  # type: ignore[no-untyped-def]
        transport = self.channel.connection
        if client is None and (transport is None or transport.client is None):
            logger.warning(
                "Redis connection already released: %d unacknowledged message(s) left for redelivery",
                len(self._delivered),
            )
            self._delivered.clear()
            return None
        return requeue(self, client)

    restore_unacked.keeps_workers = True  # type: ignore[attr-defined]
    kombu_redis.QoS.restore_unacked = restore_unacked  # type: ignore[method-assign]


keep_workers_through_a_redis_drop()
