"""Every change to meetings, agendas, attendance, minutes and risk management actions.

Each public function is one user-visible action, callable by pages, the API, the admin and
commands alike. It checks the rules first (raising :class:`WorkflowError` naming the field, before
anything is written), runs in one transaction, locks what it changes, writes an audit row, and
sends its signals only after commit. Level and screening decisions go through
``referrals.services`` so their rules and history live in one place.

One module per sub-capability: :mod:`.scheduling` (a meeting, its agenda and invitations, its
arrangements, rescheduling, cancelling, holding), :mod:`.attendance`, :mod:`.minutes` (MAPPA C),
:mod:`.disclosures` and :mod:`.actions` (risk management actions); ``_common`` and ``_checks`` hold
what they share. This package re-exports every public service, so ``from meetings.services import
meeting_cancel`` and ``services.meeting_cancel`` keep working.
"""

from ._checks import EXTRA_INVITATION, MAX_DURATION, MIN_DURATION
from ._common import ACTION, MEETING
from .action_corrections import risk_action_correct_completion, risk_action_reopen
from .actions import (
    CLOSE_OUTCOMES,
    risk_action_add_update,
    risk_action_close,
    risk_action_complete,
    risk_action_create,
    risk_action_start,
)
from .attendance import (
    AttendanceEntry,
    attendance_gaps,
    meeting_add_attendee,
    meeting_record_attendance,
    meeting_remove_attendee,
)
from .disclosures import disclosure_decision_record
from .minutes import (
    MinutesInput,
    RiskManagementPlan,
    case_minutes_amend,
    case_minutes_record,
    meeting_approve_minutes,
    meeting_draft_minutes,
)
from .scheduling import (
    meeting_add_cases,
    meeting_cancel,
    meeting_invite_agency,
    meeting_record_held,
    meeting_remove_case,
    meeting_reschedule,
    meeting_schedule,
    meeting_update_arrangements,
)

__all__ = [
    "ACTION",
    "CLOSE_OUTCOMES",
    "EXTRA_INVITATION",
    "MAX_DURATION",
    "MEETING",
    "MIN_DURATION",
    "AttendanceEntry",
    "MinutesInput",
    "RiskManagementPlan",
    "attendance_gaps",
    "case_minutes_amend",
    "case_minutes_record",
    "disclosure_decision_record",
    "meeting_add_attendee",
    "meeting_add_cases",
    "meeting_approve_minutes",
    "meeting_cancel",
    "meeting_draft_minutes",
    "meeting_invite_agency",
    "meeting_record_attendance",
    "meeting_record_held",
    "meeting_remove_attendee",
    "meeting_remove_case",
    "meeting_reschedule",
    "meeting_schedule",
    "meeting_update_arrangements",
    "risk_action_add_update",
    "risk_action_close",
    "risk_action_complete",
    "risk_action_correct_completion",
    "risk_action_create",
    "risk_action_reopen",
    "risk_action_start",
]
