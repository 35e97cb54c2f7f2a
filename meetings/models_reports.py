"""What agencies send to a meeting before it sits: whether they will attend, and a written report per case.

An agency's written report is structured (current risk, changes, the agency's contribution) with an
optional document. Documents are stored in a private folder (``PRIVATE_FILES_ROOT``), never under a
folder the web server publishes, and are served only through a page that checks the reader may see the
case. Change any of it only through ``meetings.services_reports``.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from mappa_workflow.models import Agency, User

# Extension -> (the extension as typed, the content type it is served with).
ATTACHMENT_TYPES: dict[str, tuple[str, str]] = {
    "pdf": (".pdf", "application/pdf"),
    "docx": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "odt": (".odt", "application/vnd.oasis.opendocument.text"),
}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files kept out of every public folder: no URL of their own (``url()`` refuses), read through a view."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property  # type: ignore[override]  # read each time, so a test's settings apply
    def base_location(self) -> Any:
        return getattr(settings, "PRIVATE_FILES_ROOT", settings.BASE_DIR / "var" / "private")

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public address; serve them through a view that checks access")


def _report_path(instance: AgencyReport, filename: str) -> str:
    extension = os.path.splitext(filename)[1].lower()
    return f"reports/{instance.agenda_item.meeting_id}/{uuid.uuid4().hex}{extension}"


class AttendanceIntention(models.TextChoices):
    ATTENDING = "attending", "Attending"
    APOLOGIES_WITH_REPORT = "apologies_with_report", "Apologies, written report sent"
    APOLOGIES = "apologies", "Apologies, no report"


class AttendanceConfirmation(models.Model):
    """An invited agency's answer to the invitation, before the meeting (the attendance itself is recorded
    by the co-ordinator at the meeting; this is what the chair expects)."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="attendance_confirmations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    intention = models.CharField(max_length=30, choices=AttendanceIntention.choices)
    name = models.CharField(max_length=200)
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "agency__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "agency"], name="attendance_confirmed_once")]

    def __str__(self) -> str:
        return f"{self.agency}: {self.get_intention_display()}"


class AgencyReport(models.Model):
    """One agency's written report on one case on a meeting's agenda."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agenda_item = models.ForeignKey("meetings.AgendaItem", on_delete=models.CASCADE, related_name="agency_reports")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    current_risk = models.TextField()
    changes = models.TextField("Changes since the last meeting")
    contribution = models.TextField("The agency's contribution")
    attachment = models.FileField(upload_to=_report_path, storage=PrivateStorage(), blank=True, max_length=200)
    attachment_name = models.CharField(max_length=200, blank=True, help_text="The file's name as it was sent.")
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agenda_item", "agency__name"]
        constraints = [models.UniqueConstraint(fields=["agenda_item", "agency"], name="one_report_per_agency_and_case")]

    def __str__(self) -> str:
        return f"Report from {self.agency} for agenda item {self.agenda_item_id}"


class ReportChase(models.Model):
    """The co-ordinator asked an agency for its missing reports (one click; the email goes through the outbox)."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="report_chases")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    cases_missing = models.PositiveSmallIntegerField()
    chased_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    chased_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-chased_at", "-id"]

    def __str__(self) -> str:
        return f"{self.agency} chased for {self.cases_missing} report(s)"
