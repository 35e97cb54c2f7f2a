"""The minutes of a meeting as a PDF (WeasyPrint): the full minutes for the panel, or an executive
summary for a request from outside it. Both carry the OFFICIAL-SENSITIVE marking and say who may see them.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from mappa_workflow.models import AreaSettings

from .models import AttendanceStatus, Meeting, MeetingState
from .selectors import meeting_detail
from .timescales import meeting_timescale

FULL = "full"
EXECUTIVE_SUMMARY = "executive_summary"


def minutes_context(meeting: Meeting, *, variant: str = FULL) -> dict:
    meeting = meeting_detail(meeting.pk)
    attendance = list(meeting.attendance.all())
    present_agencies = sorted({str(a.agency) for a in attendance if a.status == AttendanceStatus.PRESENT and a.agency})
    return {
        "meeting": meeting,
        "variant": variant,
        "full": variant == FULL,
        "items": list(meeting.agenda_items.all()),
        "present": [a for a in attendance if a.status == AttendanceStatus.PRESENT],
        "observers": [a for a in attendance if a.status == AttendanceStatus.OBSERVER],
        "not_present": [a for a in attendance if a.status not in (AttendanceStatus.PRESENT, AttendanceStatus.OBSERVER)],
        "invitations": list(meeting.invitations.all()),
        "present_agencies": present_agencies,
        "approved": meeting.state == MeetingState.MINUTES_APPROVED,
        "gaps": [g for g in meeting.attendance_gaps.splitlines() if g.strip()],
        "timescale": meeting_timescale(meeting, AreaSettings.for_area(meeting.area)),
        "generated_at": timezone.localtime(),
    }


def minutes_html(meeting: Meeting, *, variant: str = FULL) -> str:
    if variant not in (FULL, EXECUTIVE_SUMMARY):
        raise ValueError(f"Unknown minutes variant {variant!r}")
    return render_to_string("meetings/pdf/minutes.html", minutes_context(meeting, variant=variant))


def minutes_pdf(meeting: Meeting, *, variant: str = FULL) -> bytes:
    """The PDF bytes. WeasyPrint is imported here so that loading the app does not need it."""
    from weasyprint import HTML

    return HTML(string=minutes_html(meeting, variant=variant)).write_pdf()
