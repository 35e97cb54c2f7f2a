"""Celery tasks. Each takes ids, calls one service, and holds no logic of its own.

``deliver_outbox_message`` is the only task with ``acks_late``: it is idempotent (the row's
status is claimed before sending), so running it again after a worker crash cannot double-send.
The sweeps are idempotent through their dedupe keys, so a second run adds nothing; they keep
the default early ack, since re-running a half-done sweep is the next beat's job anyway.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import outbox, services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None, name="notifications.deliver")
def deliver_outbox_message(self: Any, message_id: int) -> str:
    """Send one outbox message; on an SMTP or network error retry with exponential backoff."""
    try:
        return outbox.outbox_deliver(message_id=message_id).outcome
    except outbox.RetryLater as exc:
        # The row already says when to try again and counts attempts (it gives up on its own).
        raise self.retry(exc=exc, countdown=exc.countdown) from exc


@shared_task(name="notifications.drain_outbox")
def drain_outbox() -> int:
    return outbox.outbox_drain()


@shared_task(name="notifications.send_action_reminders")
def send_action_reminders() -> int:
    return services.action_reminders_send()


@shared_task(name="notifications.send_coordinator_alerts")
def send_coordinator_alerts() -> int:
    return services.coordinator_alerts_send()


@shared_task(name="notifications.send_weekly_digest")
def send_weekly_digest() -> int:
    return services.weekly_digest_send()


@shared_task(name="notifications.build_statistics_export")
def build_statistics_export(job_id: str) -> str:
    return services.export_build(job_id=job_id)
