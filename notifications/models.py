"""The outbox of email to send and the statistics exports built in the background.

An :class:`OutboxMessage` is written by the service that makes the change that causes it, inside
the same transaction, before anything is handed to the broker. Its ``dedupe_key`` is unique, so writing the
same message twice (a sweep run twice, a signal received twice) leaves one row, and its status is
claimed atomically before sending, so two workers never send it twice. If the broker is down the
row simply waits: the ``drain`` beat task sends whatever is still pending.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class MessageKind(models.TextChoices):
    MEETING_INVITATION = "meeting_invitation", "Meeting invitation"
    MEETING_UPDATE = "meeting_update", "Meeting changed"
    MEETING_CANCELLATION = "meeting_cancellation", "Meeting cancelled"
    ACTION_ASSIGNED = "action_assigned", "Risk management action assigned"
    ACTION_REMINDER = "action_reminder", "Actions due and overdue (daily)"
    COORDINATOR_ALERT = "coordinator_alert", "Meetings and minutes due (daily, co-ordinator)"
    WEEKLY_DIGEST = "weekly_digest", "Weekly digest (co-ordinator)"
    REFERRAL_UPDATE = "referral_update", "Referral update"
    EXPORT_READY = "export_ready", "Statistics export ready"
    TRANSFER_UPDATE = "transfer_update", "Transfer between areas"
    RELEASE_REMINDER = "release_reminder", "Release checklist due and overdue (daily)"
    SHARING_REQUEST = "sharing_request", "Request to share minutes (to the chairs; the decision to the requester)"
    REPORTS_REQUESTED = "reports_requested", "Written reports asked for (meeting)"
    MINUTES_CIRCULATED = "minutes_circulated", "Minutes approved and circulated"
    REVIEW_DECISION_DUE = "review_decision_due", "Serious case review: the SMB's decision is due (SMB members)"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (gave up)"


class OutboxMessageQuerySet(models.QuerySet["OutboxMessage"]):
    def due_for_delivery(self, *, now=None, grace_seconds: int = 0) -> OutboxMessageQuerySet:
        """Pending rows whose next attempt is due, and rows a crashed worker left claimed past their lease.

        ``grace_seconds`` leaves fresh rows to the task enqueued for them on commit.
        """
        now = now or timezone.now()
        created_before = now - dt.timedelta(seconds=grace_seconds)
        return self.filter(
            Q(status=MessageStatus.PENDING, next_attempt_at__lte=now, created_at__lte=created_before)
            | Q(status=MessageStatus.SENDING, claimed_until__lt=now)
        )


class OutboxMessage(models.Model):
    """One email to one recipient, rendered when it was decided and sent at most once."""

    kind = models.CharField(max_length=30, choices=MessageKind.choices)
    recipient_email = models.EmailField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dedupe_key = models.CharField(
        max_length=200, unique=True, help_text="Identifies the message: the same key is never sent twice."
    )
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    payload = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the message was built from (object ids) and its attachments (filename, mimetype, content).",
    )
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(
        max_length=32, blank=True, default="", help_text="Which delivery attempt holds the claim (renews its lease)."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_status_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.SENT) | Q(sent_at__isnull=False), name="outbox_sent_has_sent_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_email} ({self.get_status_display().lower()})"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"
    ODS = "ods", "OpenDocument spreadsheet (ODS)"
    PDF = "pdf", "PDF"
    JSON = "json", "JSON"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being built"
    DONE = "done", "Ready to download"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    """A statistics export for an area and reporting year, built by a worker; the requester watches its progress."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("mappa_workflow.Area", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(help_text="Start of the reporting year: 2024 means 2024/25.")
    export_format = models.CharField(max_length=10, choices=ExportFormat.choices)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    progress_message = models.CharField(max_length=200, blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_at_most_100"),
            models.CheckConstraint(condition=~Q(status=ExportStatus.DONE) | ~Q(file=""), name="export_done_has_file"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year}/{(self.year + 1) % 100:02d} {self.get_export_format_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)
