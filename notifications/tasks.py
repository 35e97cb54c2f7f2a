"""Celery tasks. Each takes ids, calls one service, and holds no logic of its own.

``deliver_outbox_message`` is the only task with ``acks_late``: it is idempotent (the row's
status is claimed before sending), so running it again after a worker crash cannot double-send.
The sweeps are idempotent through their dedupe keys, so a second run adds nothing; they keep
the default early ack, since re-running a half-done sweep is the next beat's job anyway.
"""

from __future__ import annotations

from celery import shared_task
from django.db import connection

from . import outbox, services
from .outbox import deliver_outbox_message
from .services import build_statistics_export

# A database that went away (restart, failover, a terminated connection) is retried with backoff
# on a new connection, rather than left for the drain to find after the lease.
DATABASE_RETRY = {
    "autoretry_for": outbox.DATABASE_GONE,
    "retry_backoff": 1,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 10,
}


def _drop_connection_if_broken() -> None:
    """A retried task starts on a fresh connection if the last one failed (Celery's Django fixup
    closes it after the task too; this covers a retry run in the same process straight away)."""
    connection.close_if_unusable_or_obsolete()


@shared_task(name="notifications.drain_outbox", **DATABASE_RETRY)
def drain_outbox() -> int:
    _drop_connection_if_broken()
    return outbox.outbox_drain()


@shared_task(name="notifications.send_action_reminders", **DATABASE_RETRY)
def send_action_reminders() -> int:
    _drop_connection_if_broken()
    return services.action_reminders_send()


@shared_task(name="notifications.send_coordinator_alerts", **DATABASE_RETRY)
def send_coordinator_alerts() -> int:
    _drop_connection_if_broken()
    return services.coordinator_alerts_send()


@shared_task(name="notifications.send_weekly_digest", **DATABASE_RETRY)
def send_weekly_digest() -> int:
    _drop_connection_if_broken()
    return services.weekly_digest_send()


__all__ = [
    "build_statistics_export",
    "deliver_outbox_message",
    "drain_outbox",
    "send_action_reminders",
    "send_coordinator_alerts",
    "send_weekly_digest",
]
