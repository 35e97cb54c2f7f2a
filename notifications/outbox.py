"""The outbox: write a message once, hand it to the broker after commit, send it at most once.

Reliability rules, in one place:

* a message is a row before it is a broker message, so a broker outage loses nothing;
* ``dedupe_key`` is unique, so building the same message twice (a sweep run twice, a signal
  received twice) adds nothing;
* a worker claims a row (``pending`` -> ``sending`` with a lease) in one UPDATE before sending,
  so two workers, or the on-commit task and the drain, never both send it;
* a send that fails with an SMTP or network error goes back to ``pending`` with an exponential
  backoff, and gives up (``failed``) after ``NOTIFICATIONS_MAX_ATTEMPTS``.

A worker killed between the SMTP server accepting a message and the row being marked sent will
send it again once its lease expires: email gives no stronger guarantee than at-least-once there.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .email import Attachment, RenderedEmail, send_email
from .models import MessageStatus, OutboxMessage

logger = logging.getLogger(__name__)

# Errors worth trying again: the SMTP server or the network, not our own bugs.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError, TimeoutError)


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", 6))


def backoff_seconds(attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failure: base, 2 x base, 4 x base, ... capped."""
    base = float(getattr(settings, "NOTIFICATIONS_RETRY_BACKOFF_SECONDS", 60))
    cap = float(getattr(settings, "NOTIFICATIONS_RETRY_BACKOFF_MAX_SECONDS", 1800))
    return min(cap, base * 2 ** max(0, attempts - 1))


def lease_seconds() -> int:
    """How long a claim lasts before the drain may assume the worker died (longer than any SMTP timeout)."""
    return int(getattr(settings, "NOTIFICATIONS_CLAIM_LEASE_SECONDS", 600))


class RetryLater(Exception):
    """The send failed for a reason that may pass; try again after ``countdown`` seconds."""

    def __init__(self, message: str, *, countdown: float) -> None:
        super().__init__(message)
        self.countdown = countdown


@dataclass(frozen=True)
class DeliveryResult:
    message_id: int
    outcome: str  # "sent", "already sent", "claimed elsewhere", "failed", "missing"


def publish(task: Any, *args: Any) -> bool:
    """Hand a task to the broker; never raise. The outbox row is the record, so a lost publish is not lost work.

    Publishing retries briefly (a broker restart takes a second or two); after that the error is logged
    and the drain picks the work up when the broker is back.
    """
    try:
        task.apply_async(
            args=args,
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
        )
    except Exception:  # any broker failure: kombu OperationalError, redis ConnectionError, OSError...
        logger.warning("Could not publish %s%r; the outbox drain will pick it up", task.name, args, exc_info=True)
        return False
    return True


def enqueue_delivery_on_commit(message_id: int) -> None:
    from .tasks import deliver_outbox_message

    transaction.on_commit(lambda: publish(deliver_outbox_message, message_id))


def outbox_add(
    *,
    kind: str,
    recipient_email: str,
    dedupe_key: str,
    email: RenderedEmail,
    recipient_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> OutboxMessage | None:
    """Write one message unless one with ``dedupe_key`` exists; send it after commit.

    Returns the new row, or ``None`` when the message was already written (nothing is sent again).
    Callable from services, receivers and tasks, inside or outside a transaction.
    """
    if not recipient_email:
        return None
    payload = dict(payload or {})
    payload["attachments"] = [a.to_json() for a in email.attachments]
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                kind=kind,
                recipient_email=recipient_email,
                recipient_id=recipient_id,
                dedupe_key=dedupe_key[:200],
                subject=email.subject[:300],
                body_text=email.text,
                body_html=email.html,
                payload=payload,
            )
    except IntegrityError:
        if OutboxMessage.objects.filter(dedupe_key=dedupe_key[:200]).exists():
            return None
        raise
    enqueue_delivery_on_commit(message.pk)
    return message


def _claim(message_id: int, now) -> bool:  # type: ignore[no-untyped-def]
    """Take the row for this worker in one UPDATE; False if it is sent, gone, or another worker holds it."""
    lease = now + dt.timedelta(seconds=lease_seconds())
    claimable = Q(status=MessageStatus.PENDING) | Q(status=MessageStatus.SENDING, claimed_until__lt=now)
    return bool(
        OutboxMessage.objects.filter(claimable, pk=message_id).update(
            status=MessageStatus.SENDING, claimed_until=lease, attempts=F("attempts") + 1
        )
    )


def outbox_deliver(*, message_id: int) -> DeliveryResult:
    """Send one outbox message if nobody has. Called by the delivery task only.

    Raises :class:`RetryLater` after a transient failure (the row is back to pending with its next
    attempt time); any other error is recorded on the row and re-raised.
    """
    now = timezone.now()
    if not _claim(message_id, now):
        status = OutboxMessage.objects.filter(pk=message_id).values_list("status", flat=True).first()
        if status is None:
            return DeliveryResult(message_id, "missing")
        return DeliveryResult(message_id, "already sent" if status == MessageStatus.SENT else "claimed elsewhere")
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        send_email(
            to=message.recipient_email,
            subject=message.subject,
            text=message.body_text,
            html=message.body_html,
            attachments=[Attachment.from_json(a) for a in message.payload.get("attachments", [])],
            headers={"X-MAPPA-Message": message.dedupe_key},
        )
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        gave_up = message.attempts >= max_attempts()
        countdown = backoff_seconds(message.attempts)
        OutboxMessage.objects.filter(pk=message_id).update(
            status=MessageStatus.FAILED if gave_up else MessageStatus.PENDING,
            claimed_until=None,
            last_error=error,
            next_attempt_at=timezone.now() + dt.timedelta(seconds=countdown),
        )
        if gave_up:
            logger.error("Gave up sending outbox message %s after %s attempts: %s", message_id, message.attempts, error)
            return DeliveryResult(message_id, "failed")
        if isinstance(exc, TRANSIENT_ERRORS):
            raise RetryLater(error, countdown=countdown) from exc
        raise
    OutboxMessage.objects.filter(pk=message_id).update(
        status=MessageStatus.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return DeliveryResult(message_id, "sent")


def outbox_drain(*, limit: int = 500) -> int:
    """Publish a delivery task for every message still waiting (broker was down, task lost, backoff over).

    Called by the beat task every minute. Fresh rows are left to their own on-commit task for
    ``NOTIFICATIONS_DRAIN_GRACE_SECONDS``. Returns how many were handed to the broker.
    """
    from .tasks import deliver_outbox_message

    grace = int(getattr(settings, "NOTIFICATIONS_DRAIN_GRACE_SECONDS", 120))
    ids = list(OutboxMessage.objects.due_for_delivery(grace_seconds=grace).values_list("pk", flat=True)[:limit])
    published = 0
    for message_id in ids:
        if not publish(deliver_outbox_message, message_id):
            break  # the broker is down again; the next drain carries on
        published += 1
    return published


def outbox_backlog() -> dict[str, Any]:
    """For /healthz: how many messages wait and how long the oldest has waited."""
    waiting = OutboxMessage.objects.filter(status__in=[MessageStatus.PENDING, MessageStatus.SENDING])
    oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first()
    return {
        "waiting": waiting.count(),
        "oldest_waiting_seconds": int((timezone.now() - oldest).total_seconds()) if oldest else 0,
        "failed": OutboxMessage.objects.filter(status=MessageStatus.FAILED).count(),
    }


def outbox_retry(*, actor: Any, message: OutboxMessage) -> OutboxMessage:
    """Give a message that failed (gave up after its retries) a fresh set of attempts. Administrators only."""
    from django.db import transaction

    from mappa_workflow.audit import audit_record
    from mappa_workflow.exceptions import NotPermitted, WorkflowError
    from mappa_workflow.models import AuditAction, Role

    if actor is not None and not actor.has_role(Role.ADMINISTRATOR):
        raise NotPermitted("Only an administrator can send a failed message again")
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status != MessageStatus.FAILED:
            raise WorkflowError({"status": "Only a message that failed can be tried again"})
        locked.status = MessageStatus.PENDING
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=locked,
            transition="retry",
            from_state=MessageStatus.FAILED,
            to_state=MessageStatus.PENDING,
            reason=locked.last_error[:500],
        )
        enqueue_delivery_on_commit(locked.pk)
    return locked
