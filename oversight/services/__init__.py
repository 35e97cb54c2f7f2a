"""Every state change of the oversight records, one function each (docs/contributing.md, "Habits").

Re-exported here so callers write ``from oversight.services import quality_audit_submit``.
"""

from .audits import (
    audit_sample_draw,
    quality_audit_answer,
    quality_audit_start,
    quality_audit_submit,
)
from .governance import board_meeting_record, board_member_appoint, board_tenure_end

__all__ = [
    "audit_sample_draw",
    "board_meeting_record",
    "board_member_appoint",
    "board_tenure_end",
    "quality_audit_answer",
    "quality_audit_start",
    "quality_audit_submit",
]
