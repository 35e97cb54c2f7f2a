"""Who attended a held meeting: the line for each invited agency, observers and agencies not invited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings import selectors as meeting_selectors
from meetings import services as meeting_services
from meetings.models import (
    Attendance,
    Meeting,
)

from ...access import can_manage_cases, page
from ...forms_base import apply_workflow_error
from ...forms_meetings import (
    OBSERVER_NO_AGENCY,
    AttendanceRowForm,
    ExtraAttendeeForm,
)
from ._common import _agency_choices, _meeting


def _additional_attendance(meeting: Meeting) -> list[Attendance]:
    """Lines beyond the first for each invited agency: observers, agencies not invited, second officers."""
    invited = {i.agency_id for i in meeting.invitations.all()}
    seen: set[int] = set()
    extra = []
    for line in meeting.attendance.all():
        if line.agency_id in invited and line.agency_id not in seen:
            seen.add(line.agency_id)
        else:
            extra.append(line)
    return extra


def _attendance_forms(meeting: Meeting, data: Any = None) -> list[tuple[Agency, AttendanceRowForm]]:
    """One attendance line per invited agency, filled from what is recorded."""
    additional = {line.pk for line in _additional_attendance(meeting)}
    recorded = {a.agency_id: a for a in meeting.attendance.all() if a.pk not in additional}
    rows = []
    for number, invitation in enumerate(meeting.invitations.all(), start=1):
        existing = recorded.get(invitation.agency_id)
        initial = (
            {
                "status": existing.status,
                "name": existing.name,
                "role": existing.role,
                "seniority": str(existing.seniority or ""),
                "confidentiality_acknowledged": existing.confidentiality_acknowledged_at is not None,
            }
            if existing
            else {}
        )
        rows.append((invitation.agency, AttendanceRowForm(data, prefix=f"attendance-{number}", initial=initial)))
    return rows


@page(can_manage_cases)
def meeting_attendance(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    meeting = _meeting(request, pk)
    rows = _attendance_forms(meeting, request.POST if request.method == "POST" else None)
    error_items: list[tuple[str, str]] = []
    if request.method == "POST":
        if all(form.is_valid() for _, form in rows):
            entries, line_for_entry = [], {}
            for agency, form in rows:
                data = form.cleaned_data
                if not data["status"]:
                    continue
                entries.append(
                    meeting_services.AttendanceEntry(
                        status=data["status"],
                        agency=agency,
                        name=data["name"],
                        role=data["role"],
                        seniority=int(data["seniority"]) if data["seniority"] else None,
                        confidentiality_acknowledged=data["confidentiality_acknowledged"],
                    )
                )
                line_for_entry[len(entries)] = form
            # Observers and agencies not invited are kept as they are (changed on their own page).
            entries += [
                meeting_services.AttendanceEntry(
                    status=line.status,
                    agency=line.agency,
                    name=line.name,
                    role=line.role,
                    seniority=line.seniority,
                    confidentiality_acknowledged=line.confidentiality_acknowledged_at is not None,
                )
                for line in _additional_attendance(meeting)
            ]
            try:
                meeting_services.meeting_record_attendance(actor=request.user, meeting=meeting, entries=entries)
            except WorkflowError as exc:
                for key, msgs in exc.errors.items():
                    parts = key.split("-")
                    line_form = line_for_entry.get(int(parts[1])) if len(parts) == 3 and parts[1].isdigit() else None
                    if line_form is not None and parts[2] in line_form.fields:
                        for message in msgs:
                            line_form.add_error(parts[2], message)
                    else:
                        error_items += [("", m) for m in msgs]
            else:
                messages.success(request, "Attendance recorded")
                return redirect("web:meeting_detail", pk=meeting.pk)
        for _, form in rows:
            error_items += form.summary_errors()
    return render(
        request,
        "web/meetings/attendance.html",
        {
            "meeting": meeting,
            "rows": rows,
            "additional": _additional_attendance(meeting),
            "error_items": error_items,
            "forms_have_errors": bool(error_items),
        },
    )


@page(can_manage_cases)
def attendance_add(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Add an observer (a lay adviser, say) or someone from an agency that was not invited."""
    meeting = _meeting(request, pk)
    form = ExtraAttendeeForm(request.POST or None, agencies=_agency_choices(meeting))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency_id = data["agency"] if data["agency"] != OBSERVER_NO_AGENCY else None
        try:
            meeting_services.meeting_add_attendee(
                actor=request.user,
                meeting=meeting,
                entry=meeting_services.AttendanceEntry(
                    status=data["status"],
                    agency=meeting_selectors.area_agency(meeting.area, agency_id) if agency_id else None,
                    name=data["name"],
                    role=data["role"],
                    seniority=int(data["seniority"]) if data["seniority"] else None,
                    confidentiality_acknowledged=data["confidentiality_acknowledged"],
                ),
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, f"{data['name']} added to the attendance")
            return redirect("web:meeting_attendance", pk=meeting.pk)
    return render(request, "web/meetings/attendance_add.html", {"meeting": meeting, "form": form})


@page(can_manage_cases)
def attendance_remove(request: AuthenticatedHttpRequest, pk: Any, attendance_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:meeting_attendance", pk=pk)
    meeting = _meeting(request, pk)
    line = next((a for a in meeting.attendance.all() if a.pk == attendance_id), None)
    if line is None:
        raise Http404
    try:
        meeting_services.meeting_remove_attendee(actor=request.user, meeting=meeting, attendance=line)
    except WorkflowError as exc:
        messages.error(request, " ".join(m for msgs in exc.errors.values() for m in msgs))
    else:
        messages.success(request, f"{line.name or line.agency} removed from the attendance")
    return redirect("web:meeting_attendance", pk=meeting.pk)
