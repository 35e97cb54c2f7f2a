"""Every state change of the oversight records, one function each (docs/contributing.md, "Habits").

Re-exported here so callers write ``from oversight.services import quality_audit_submit``.
"""

from .audits import (
    audit_sample_draw,
    quality_audit_answer,
    quality_audit_start,
    quality_audit_submit,
)
from .governance import board_meeting_record, board_member_appoint, board_tenure_end, board_tenure_link_account
from .reviews import (
    scr_action_add,
    scr_action_complete,
    scr_close,
    scr_commission,
    scr_decide_not_to_review,
    scr_report_approve,
    scr_report_write,
    sfo_record,
)

__all__ = [
    "audit_sample_draw",
    "board_meeting_record",
    "board_member_appoint",
    "board_tenure_end",
    "board_tenure_link_account",
    "quality_audit_answer",
    "quality_audit_start",
    "quality_audit_submit",
    "scr_action_add",
    "scr_action_complete",
    "scr_close",
    "scr_commission",
    "scr_decide_not_to_review",
    "scr_report_approve",
    "scr_report_write",
    "sfo_record",
]
