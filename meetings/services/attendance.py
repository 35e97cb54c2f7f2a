"""Who attended a held meeting, and the required attendance it lacked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from mappa_workflow import roles
from mappa_workflow.audit import audit_record
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, AgencyType, Area, AuditAction, Seniority, User

from ..models import (
    ATTENDING,
    Attendance,
    AttendanceRequirement,
    AttendanceStatus,
    Meeting,
    MeetingState,
)
from ._common import _lock_meeting, _require_state


@dataclass(frozen=True)
class AttendanceEntry:
    """One line of the attendance record: a person present or observing, or an agency's apologies or absence."""

    status: str
    agency: Agency | None = None
    name: str = ""
    role: str = ""
    seniority: int | None = None
    confidentiality_acknowledged: bool = False


def _attendance_entry_errors(number: int, entry: AttendanceEntry, area: Area) -> dict[str, str]:
    """Line ``number``'s problems, keyed ``attendance-<number>-<field>``; each message starts with the agency's
    name (the line as the co-ordinator sees it on the page), or "Line <number>" for a line with no agency."""
    where = f"{entry.agency.name}: " if entry.agency is not None else f"Line {number}: "
    return _attendee_errors(entry, area, key=lambda name: f"attendance-{number}-{name}", line=where)


def _attendee_errors(entry: AttendanceEntry, area: Area, *, key: Any, line: str) -> dict[str, str]:
    """Every rule one attendance line breaks, one message per field; ``key`` names the field, ``line`` starts
    each message."""

    def say(text: str) -> str:
        return f"{line}{text}" if line else text[:1].upper() + text[1:]

    if entry.status not in AttendanceStatus.values:
        return {key("status"): say("select present, apologies, absent or observer")}
    errors: dict[str, str] = {}
    if entry.agency is None and entry.status != AttendanceStatus.OBSERVER:
        errors[key("agency")] = say("select the agency")
    elif entry.agency is not None and entry.agency.area_id != area.pk:
        errors[key("agency")] = say(f"{entry.agency} is not an agency of {area}")
    who = entry.name.strip()
    if entry.status in ATTENDING:
        if not who:
            errors[key("name")] = say("enter the name of the person attending")
        if not entry.confidentiality_acknowledged:
            errors[key("confidentiality_acknowledged")] = say(
                f"{who or 'the person attending'} must acknowledge the confidentiality statement (MAPPA D)"
            )
    if entry.status == AttendanceStatus.PRESENT:
        if not entry.role.strip():
            errors[key("role")] = say(f"enter {who}'s role" if who else "enter the role of the person attending")
        if entry.seniority not in Seniority.values:
            errors[key("seniority")] = say(
                f"select {who}'s seniority" if who else "select the seniority of the person attending"
            )
    return errors


def _attendance_row(meeting: Meeting, entry: AttendanceEntry, now: dt.datetime) -> Attendance:
    return Attendance(
        meeting=meeting,
        agency=entry.agency,
        status=entry.status,
        name=entry.name.strip(),
        role=entry.role.strip(),
        seniority=entry.seniority,
        confidentiality_acknowledged_at=now if entry.confidentiality_acknowledged else None,
    )


def meeting_record_attendance(
    *, actor: User | None, meeting: Meeting, entries: Sequence[AttendanceEntry]
) -> list[Attendance]:
    """Record who attended (replacing any earlier record) while the minutes are open. Refused with every line's
    problems at once (each keyed ``attendance-<n>-<field>``, n counting ``entries`` from 1)."""
    roles.require(actor, "meetings.manage_meeting", meeting)
    if not entries:
        raise WorkflowError({"attendance": "Record at least one attendee"})
    errors: dict[str, str] = {}
    for number, entry in enumerate(entries, start=1):
        errors |= _attendance_entry_errors(number, entry, meeting.area)
    if errors:
        raise WorkflowError(errors)  # every line's problems at once, nothing saved
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD, MeetingState.MINUTES_DRAFTED], "record attendance")
        locked.attendance.all().delete()
        rows = Attendance.objects.bulk_create([_attendance_row(locked, entry, now) for entry in entries])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            reason="Attendance recorded",
            details={"attendance": [(e.agency.pk if e.agency else None, e.status, e.name) for e in entries]},
        )
    return rows


def meeting_add_attendee(*, actor: User | None, meeting: Meeting, entry: AttendanceEntry) -> Attendance:
    """Add one line to a held meeting's attendance without touching the others: an observer (a lay
    adviser observing for quality assurance, with no agency) or someone from an agency that was not
    invited. The same rules as :func:`meeting_record_attendance` (MAPPA D acknowledged, named, and
    for someone present their role and seniority); errors name the entry's own fields."""
    roles.require(actor, "meetings.manage_meeting", meeting)
    errors = _attendee_errors(entry, meeting.area, key=lambda name: name, line="")
    if errors:
        raise WorkflowError(errors)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD, MeetingState.MINUTES_DRAFTED], "record attendance")
        row = _attendance_row(locked, entry, timezone.now())
        row.save(force_insert=True)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            reason="Attendee added",
            details={"attendee": (entry.agency.pk if entry.agency else None, entry.status, entry.name.strip())},
        )
    return row


def meeting_remove_attendee(*, actor: User | None, meeting: Meeting, attendance: Attendance) -> None:
    """Remove one line recorded by mistake from a held meeting's attendance (audited)."""
    roles.require(actor, "meetings.manage_meeting", meeting)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD, MeetingState.MINUTES_DRAFTED], "record attendance")
        row = locked.attendance.filter(pk=attendance.pk).select_related("agency").first()
        if row is None:
            raise WorkflowError({"attendance": "That attendee has already been removed"})
        row.delete()
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            reason="Attendee removed",
            details={"attendee": (row.agency_id, row.status, row.name)},
        )


def _requirements(meeting: Meeting) -> list[AttendanceRequirement]:
    own = list(AttendanceRequirement.objects.filter(area=meeting.area, meeting_type=meeting.meeting_type))
    return own or list(AttendanceRequirement.objects.filter(area__isnull=True, meeting_type=meeting.meeting_type))


def attendance_gaps(meeting: Meeting) -> list[str]:
    """The required attendance a meeting lacked, in words, for the warning and the minutes."""
    present = [a for a in meeting.attendance.select_related("agency") if a.status == AttendanceStatus.PRESENT]
    gaps = []
    for requirement in _requirements(meeting):
        label = AgencyType(requirement.agency_type).label.split(" / ")[0]
        matching = [a for a in present if a.agency and a.agency.agency_type == requirement.agency_type]
        if not matching:
            gaps.append(f"No {label.lower()} representative present")
        elif all((a.seniority or 0) < requirement.minimum_seniority for a in matching):
            gaps.append(
                f"No {label.lower()} representative at {Seniority(requirement.minimum_seniority).label.lower()} or above"
            )
    return gaps
