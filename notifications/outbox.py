"""The outbox: write a message once, hand it to the broker after commit, send it at most once.

Reliability rules, in one place:

* a change's messages are rows written by the change's own service, **inside the change's
  transaction** (:func:`outbox_enqueue`): if the change commits its messages exist, if it rolls
  back there are none, and a connection lost right after commit cannot lose them;
* a message is a row before it is a broker message, so a broker outage loses nothing; publishing
  after commit is one attempt with a short timeout, skipped for a while after a failure, so a
  broker outage never slows a request down (the drain sends what was not published);
* ``dedupe_key`` is unique, so building the same message twice (a sweep run twice, a signal
  received twice) adds nothing;
* a worker claims a row (``pending`` -> ``sending`` with a short lease and a claim token) in one
  UPDATE before sending, renews the lease while the SMTP conversation lasts, so two workers, or
  the on-commit task and the drain, never both send it;
* marking a row sent is its own short transaction, retried on database errors (a dropped
  connection after the SMTP server accepted the message must not make it look unsent);
* each message carries a stable RFC 5322 ``Message-ID`` derived from its row, so the rare resend
  is recognisable (and discarded) downstream;
* a send that fails with an SMTP or network error goes back to ``pending`` with an exponential
  backoff, and gives up (``failed``) after ``NOTIFICATIONS_MAX_ATTEMPTS``.

A worker killed between the SMTP server accepting a message and the row being marked sent will
send it again once its lease expires (with the same ``Message-ID``): email gives no stronger
guarantee than at-least-once at that one instant.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from celery import current_app, shared_task
from django.conf import settings
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connection, transaction
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
    """How long a claim lasts unless renewed. The sender renews it every third of this while the SMTP
    conversation lasts, so it only runs out when the worker died: then the drain may send again."""
    return int(getattr(settings, "NOTIFICATIONS_CLAIM_LEASE_SECONDS", 30))


# Database errors that mean "the connection or the server went away", worth a retry on a new connection.
DATABASE_GONE: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)


class RetryLater(Exception):
    """The send failed for a reason that may pass; try again after ``countdown`` seconds."""

    def __init__(self, message: str, *, countdown: float) -> None:
        super().__init__(message)
        self.countdown = countdown


@dataclass(frozen=True)
class DeliveryResult:
    message_id: int
    outcome: str  # "sent", "already sent", "claimed elsewhere", "failed", "missing"


# After a failed publish this process skips publishing for a while: the rows wait for the drain,
# and requests do not each pay for a connection attempt to a broker that is down.
_publish_paused_until = 0.0
_publish_lock = threading.Lock()


def publish_pause_seconds() -> float:
    return float(getattr(settings, "NOTIFICATIONS_PUBLISH_PAUSE_SECONDS", 30))


def publish_timeout() -> float:
    return float(getattr(settings, "NOTIFICATIONS_PUBLISH_TIMEOUT_SECONDS", 0.2))


def publish(task: Any, *args: Any) -> bool:
    """Hand a task to the broker; never raise. The outbox row is the record, so a lost publish is not lost work.

    One attempt, no retries (the broker's socket timeouts are short, see settings): a web request
    must not wait for a broker that is down. After a failure, publishing is skipped in this process
    for ``NOTIFICATIONS_PUBLISH_PAUSE_SECONDS``; the drain sends what was not published.
    """
    global _publish_paused_until
    if time.monotonic() < _publish_paused_until:
        return False
    try:
        with current_app.pool.acquire(block=True, timeout=1) as broker:
            # kombu otherwise retries a failed connect for broker_connection_timeout (seconds).
            broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=publish_timeout())
            task.apply_async(args=args, connection=broker, retry=False)
    except Exception:  # any broker failure: kombu OperationalError, redis ConnectionError, OSError...
        with _publish_lock:
            _publish_paused_until = time.monotonic() + publish_pause_seconds()
        logger.warning("Could not publish %s%r; the outbox drain will pick it up", task.name, args, exc_info=True)
        return False
    return True


def publish_resume() -> None:
    """Forget an earlier publishing failure (the drain calls it: it runs when the broker answers)."""
    global _publish_paused_until
    _publish_paused_until = 0.0


def enqueue_delivery_on_commit(message_id: int) -> None:
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
    Called by the services of this app (through :func:`outbox_enqueue` for case changes) and by tasks;
    inside a transaction the row commits or rolls back with it.
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


def message_id_header(message: OutboxMessage) -> str:
    """A stable RFC 5322 Message-ID for the row: every (re)send of it carries the same one."""
    domain = getattr(settings, "NOTIFICATIONS_MESSAGE_ID_DOMAIN", "") or getattr(
        settings, "MEETINGS_ICS_DOMAIN", "mappa-workflow.invalid"
    )
    digest = hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:16]
    return f"<outbox.{message.pk}.{digest}@{domain}>"


def _claim(message_id: int, now: dt.datetime, token: str) -> bool:
    """Take the row for this worker in one UPDATE; False if it is sent, gone, or another worker holds it."""
    lease = now + dt.timedelta(seconds=lease_seconds())
    claimable = Q(status=MessageStatus.PENDING) | Q(status=MessageStatus.SENDING, claimed_until__lt=now)
    return bool(
        OutboxMessage.objects.filter(claimable, pk=message_id).update(
            status=MessageStatus.SENDING, claimed_until=lease, claim_token=token, attempts=F("attempts") + 1
        )
    )


def _with_database_retries(what: str, update: Any, *, tries: int | None = None) -> Any:
    """Run ``update`` (one short statement) until the database answers: a new connection each time.

    Used to record the outcome of a send that already happened, which must not be lost to a
    dropped connection. Gives up (re-raises) after ``NOTIFICATIONS_MARK_SENT_TRIES`` tries.
    """
    tries = tries or int(getattr(settings, "NOTIFICATIONS_MARK_SENT_TRIES", 20))
    for attempt in range(1, tries + 1):
        try:
            with transaction.atomic():
                return update()
        except DATABASE_GONE:
            if attempt == tries:
                raise
            logger.warning("Database error while %s (try %s of %s); reconnecting", what, attempt, tries)
            connection.close()
            time.sleep(min(5.0, 0.1 * 2**attempt))
    raise AssertionError("unreachable")


class _LeaseKeeper:
    """Renews a claim every third of the lease while a send lasts, on a connection of its own (a thread)."""

    def __init__(self, message_id: int, token: str) -> None:
        self.message_id, self.token = message_id, token
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"outbox-lease-{message_id}", daemon=True)

    def __enter__(self) -> _LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        from django.db import connections

        interval = max(0.5, lease_seconds() / 3)
        try:
            while not self._stop.wait(interval):
                try:
                    OutboxMessage.objects.filter(
                        pk=self.message_id, status=MessageStatus.SENDING, claim_token=self.token
                    ).update(claimed_until=timezone.now() + dt.timedelta(seconds=lease_seconds()))
                except DatabaseError:
                    logger.warning("Could not renew the lease of outbox message %s", self.message_id, exc_info=True)
                    connections["default"].close()
        finally:
            connections.close_all()


def outbox_deliver(*, message_id: int) -> DeliveryResult:
    """Send one outbox message if nobody has. Called by the delivery task only.

    Raises :class:`RetryLater` after a transient failure (the row is back to pending with its next
    attempt time); any other error is recorded on the row and re-raised. A database error before
    the send is raised as it is (the task retries it); after the send, recording the outcome is
    retried here until the database answers, so a message the SMTP server accepted is not resent.
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    if not _claim(message_id, now, token):
        status = OutboxMessage.objects.filter(pk=message_id).values_list("status", flat=True).first()
        if status is None:
            return DeliveryResult(message_id, "missing")
        return DeliveryResult(message_id, "already sent" if status == MessageStatus.SENT else "claimed elsewhere")
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        with _LeaseKeeper(message_id, token):
            send_email(
                to=message.recipient_email,
                subject=message.subject,
                text=message.body_text,
                html=message.body_html,
                attachments=[Attachment.from_json(a) for a in message.payload.get("attachments", [])],
                headers={"Message-ID": message_id_header(message), "X-MAPPA-Message": message.dedupe_key},
            )
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        gave_up = message.attempts >= max_attempts()
        countdown = backoff_seconds(message.attempts)
        _with_database_retries(
            "recording a failed send",
            lambda: OutboxMessage.objects.filter(pk=message_id, claim_token=token).update(
                status=MessageStatus.FAILED if gave_up else MessageStatus.PENDING,
                claimed_until=None,
                last_error=error,
                next_attempt_at=timezone.now() + dt.timedelta(seconds=countdown),
            ),
        )
        if gave_up:
            logger.error("Gave up sending outbox message %s after %s attempts: %s", message_id, message.attempts, error)
            return DeliveryResult(message_id, "failed")
        if isinstance(exc, TRANSIENT_ERRORS):
            raise RetryLater(error, countdown=countdown) from exc
        raise
    _with_database_retries(
        "marking a message sent",
        lambda: OutboxMessage.objects.filter(pk=message_id).update(
            status=MessageStatus.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
        ),
    )
    return DeliveryResult(message_id, "sent")


def outbox_drain(*, limit: int = 500) -> int:
    """Publish a delivery task for every message still waiting (broker was down, task lost, backoff over).

    Called by the beat task every minute. Fresh rows are left to their own on-commit task for
    ``NOTIFICATIONS_DRAIN_GRACE_SECONDS``. Returns how many were handed to the broker.
    """
    grace = int(getattr(settings, "NOTIFICATIONS_DRAIN_GRACE_SECONDS", 15))
    publish_resume()  # the drain runs on a worker, so the broker answered a moment ago
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


# The delivery task lives beside what it runs (notifications.tasks re-exports it for Celery's autodiscovery):
# publishing it from here needs no import of the tasks module, which imports this one.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None, name="notifications.deliver")
def deliver_outbox_message(self: Any, message_id: int) -> str:
    """Send one outbox message; on an SMTP, network or database error retry with exponential backoff."""
    try:
        return outbox_deliver(message_id=message_id).outcome
    except RetryLater as exc:
        # The row already says when to try again and counts attempts (it gives up on its own).
        raise self.retry(exc=exc, countdown=exc.countdown) from exc
    except DATABASE_GONE as exc:
        connection.close()
        if self.request.retries >= 10:
            raise  # the drain sends it once the database is back and the lease is over
        raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc
