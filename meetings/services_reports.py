"""What invited agencies send before a meeting, and the co-ordinator's chase for what is missing.

Each public function is one user-visible action: it checks the rules first (``WorkflowError`` naming the
field, before anything is written), runs in one transaction, writes an audit row, and any email it causes
is an outbox row written in the same transaction.
"""

from __future__ import annotations

import io
import os
import zipfile
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from mappa_workflow import roles
from mappa_workflow.audit import audit_record
from mappa_workflow.changes import announce
from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import Agency, AuditAction, User
from mappa_workflow.services_base import require_text

from .models import AgendaItem, Meeting, MeetingState
from .models_reports import (
    ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    AgencyReport,
    AttendanceConfirmation,
    AttendanceIntention,
    ReportChase,
)


def _invited_agency(actor: User | None, meeting: Meeting) -> Agency:
    """The actor's agency, if it is invited to ``meeting``; otherwise refused."""
    agency = getattr(actor, "agency", None)
    if actor is None or agency is None or not meeting.invitations.filter(agency=agency).exists():
        raise NotPermitted("Only a practitioner of an agency invited to this meeting can do this")
    if not roles.has_perm(actor, "meetings.view_meeting", meeting):
        raise NotPermitted("You cannot see this meeting")
    return agency


def _require_scheduled(meeting: Meeting, doing: str) -> None:
    current = Meeting.objects.filter(pk=meeting.pk).values_list("state", flat=True).first()
    if current != MeetingState.SCHEDULED:
        label = MeetingState(current).label.lower() if current else "no longer there"
        raise WorkflowError({"state": f"You cannot {doing}: the meeting is {label}"})


def attendance_confirm(*, actor: User | None, meeting: Meeting, intention: str, name: str) -> AttendanceConfirmation:
    """An invited agency says whether it will attend. "Apologies, written report sent" needs the agency's
    written report on at least one case on the agenda first. Answering again replaces the answer."""
    agency = _invited_agency(actor, meeting)
    if intention not in AttendanceIntention.values:
        raise WorkflowError({"intention": "Select whether your agency will attend"})
    name = require_text(name, field="name", message="Enter the name of who will attend or is sending apologies")
    if len(name) > 200:
        raise WorkflowError({"name": "Keep the name to 200 characters or fewer"})
    with transaction.atomic():
        _require_scheduled(meeting, "confirm attendance")
        if (
            intention == AttendanceIntention.APOLOGIES_WITH_REPORT
            and not AgencyReport.objects.filter(agenda_item__meeting=meeting, agency=agency).exists()
        ):
            raise WorkflowError(
                {"intention": "Send your agency's written report on the cases first, then send apologies with it"}
            )
        confirmation, _ = AttendanceConfirmation.objects.update_or_create(
            meeting=meeting,
            agency=agency,
            defaults={"intention": intention, "name": name, "confirmed_by": actor},
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=meeting,
            reason=f"{agency}: {AttendanceIntention(intention).label}",
            details={"agency": agency.pk, "intention": intention},
        )
    return confirmation


def _check_attachment(upload: UploadedFile) -> tuple[str, str]:
    """The (extension, original name) of an acceptable attachment: PDF, DOCX or ODT, really that type
    (its first bytes, not just its name), and no larger than the limit."""
    original = os.path.basename(upload.name or "")[:200]
    extension = os.path.splitext(original)[1].lower().lstrip(".")
    if extension not in ATTACHMENT_TYPES:
        raise WorkflowError({"attachment": "The document must be a PDF, Word (DOCX) or OpenDocument (ODT) file"})
    if upload.size is None or upload.size > MAX_ATTACHMENT_BYTES:
        raise WorkflowError(
            {"attachment": f"The document must be smaller than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB"}
        )
    if upload.size == 0:
        raise WorkflowError({"attachment": "The document is empty"})
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    if extension == "pdf":
        genuine = content.startswith(b"%PDF-")
    else:
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
                if extension == "docx":
                    genuine = "word/document.xml" in names
                else:
                    genuine = (
                        "mimetype" in names
                        and archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text"
                    )
        except zipfile.BadZipFile:
            genuine = False
    if not genuine:
        raise WorkflowError({"attachment": f"The document is not a real {extension.upper()} file"})
    return extension, original


def agency_report_submit(
    *,
    actor: User | None,
    item: AgendaItem,
    current_risk: str,
    changes: str,
    contribution: str,
    attachment: UploadedFile | None = None,
) -> AgencyReport:
    """An invited agency's written report on one case on a scheduled meeting's agenda. Sending it again
    before the meeting replaces the agency's earlier report (and its document, if a new one is sent)."""
    meeting = item.meeting
    agency = _invited_agency(actor, meeting)
    if not roles.has_perm(actor, "meetings.view_minutes", item):
        raise NotPermitted("You cannot see this case")
    answers = {
        "current_risk": require_text(current_risk, field="current_risk", message="Enter the current risk"),
        "changes": require_text(changes, field="changes", message="Enter the changes since the last meeting"),
        "contribution": require_text(contribution, field="contribution", message="Enter your agency's contribution"),
    }
    checked = _check_attachment(attachment) if attachment is not None else None
    with transaction.atomic():
        _require_scheduled(meeting, "send a report")
        report = AgencyReport.objects.select_for_update().filter(
            agenda_item=item, agency=agency
        ).first() or AgencyReport(agenda_item=item, agency=agency)
        created = report._state.adding
        for name, value in answers.items():
            setattr(report, name, value)
        report.submitted_by = actor
        from django.utils import timezone

        report.submitted_at = timezone.now()
        previous_file = report.attachment.name if report.attachment else ""
        if checked is not None:
            assert attachment is not None
            report.attachment_name = checked[1]
            report.attachment.save(checked[1], attachment, save=False)
        report.save()
        if checked is not None and previous_file:
            storage = report.attachment.storage
            transaction.on_commit(lambda: storage.delete(previous_file))
        # The row names no one: the case is identified by its agenda item.
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.CHANGE,
            obj=report,
            area_id=meeting.area_id,
            reason="Written report sent" if created else "Written report replaced",
            details={
                "meeting": str(meeting.pk),
                "agenda_item": item.pk,
                "agency": agency.pk,
                "attachment": bool(checked),
            },
        )
    return report


def missing_reports(meeting: Meeting, agency: Agency) -> int:
    """How many cases on the agenda the agency has not reported on."""
    return AgendaItem.objects.filter(meeting=meeting).exclude(agency_reports__agency=agency).count()


def agency_reports_chase(*, actor: User | None, meeting: Meeting, agency: Agency) -> ReportChase:
    """The co-ordinator asks an invited agency for the written reports it has not sent (one email to the
    agency's MAPPA inbox, counting the cases, naming none)."""
    roles.require(actor, "meetings.manage_meeting", meeting)
    if not meeting.invitations.filter(agency=agency).exists():
        raise WorkflowError({"agency": f"{agency} is not invited to this meeting"})
    if not agency.email:
        raise WorkflowError({"agency": f"{agency} has no email address to send the reminder to"})
    with transaction.atomic():
        _require_scheduled(meeting, "ask for reports")
        missing = missing_reports(meeting, agency)
        if not missing:
            raise WorkflowError({"agency": f"{agency} has sent a report on every case"})
        chase = ReportChase.objects.create(
            meeting=meeting, agency=agency, cases_missing=missing, chased_by=actor if actor and actor.pk else None
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=meeting,
            reason=f"Written reports asked of {agency}",
            details={"agency": agency.pk, "cases_missing": missing},
        )
        announce(about="report_chase", object_id=chase.pk, change="sent", actor_id=_actor_id(actor))
    return chase


def _actor_id(actor: Any) -> int | None:
    return actor.pk if actor is not None else None
