"""Meetings: scheduling, running a meeting (attendance, minutes per case, actions) and approving minutes.

Every change goes through meetings.services; every read through meetings.selectors. One module per
part of the journey: :mod:`.schedule` (the list and the three scheduling steps), :mod:`.detail` (the
meeting page, its PDF minutes, its buttons, invitations and agenda changes), :mod:`.attendance` and
:mod:`.minutes` (each case's minutes, actions and disclosures); ``_common`` holds what they share.
The package re-exports every view, so ``web.urls`` names them as ``meetings.<view>``.
"""

from .attendance import attendance_add, attendance_remove, meeting_attendance
from .detail import agenda_remove, meeting_detail, meeting_invite, meeting_minutes_pdf, meeting_transition
from .minutes import case_action_add, case_minutes, case_minutes_amend, disclosure_add
from .schedule import schedule_cases, schedule_check, schedule_start

__all__ = [
    "agenda_remove",
    "attendance_add",
    "attendance_remove",
    "case_action_add",
    "case_minutes",
    "case_minutes_amend",
    "disclosure_add",
    "meeting_attendance",
    "meeting_detail",
    "meeting_invite",
    "meeting_minutes_pdf",
    "meeting_transition",
    "schedule_cases",
    "schedule_check",
    "schedule_start",
]
