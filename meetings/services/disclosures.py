"""Decisions to disclose to a third party, recorded with the minutes of a held meeting."""

from __future__ import annotations

from django.db import transaction

from mappa_workflow import roles
from mappa_workflow.audit import audit_record
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AuditAction, User
from mappa_workflow.services_base import require_text

from ..models import (
    CaseMinutes,
    DisclosureDecision,
    MeetingState,
)
from ._common import _lock_meeting, _require_state


def disclosure_decision_record(
    *,
    actor: User | None,
    case_minutes: CaseMinutes,
    recipient: str,
    what_is_disclosed: str,
    why: str,
    recipient_undertaking: str,
    individual_told: bool | None,
    why_individual_not_told: str = "",
) -> DisclosureDecision:
    """Record a decision to disclose to a third party, with everything the guidance asks for."""
    meeting = case_minutes.agenda_item.meeting
    roles.require(actor, "meetings.manage_meeting", meeting)
    recipient = require_text(recipient, field="recipient", message="Enter who the information is disclosed to")
    what_is_disclosed = require_text(what_is_disclosed, field="what_is_disclosed", message="Enter what is disclosed")
    why = require_text(why, field="why", message="Enter why disclosure is necessary, lawful and proportionate")
    recipient_undertaking = require_text(
        recipient_undertaking, field="recipient_undertaking", message="Enter the recipient's undertaking"
    )
    if individual_told is None:
        raise WorkflowError({"individual_told": "Say whether the individual was told about the disclosure"})
    if not individual_told:
        why_individual_not_told = require_text(
            why_individual_not_told, field="why_individual_not_told", message="Enter why the individual was not told"
        )
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD, MeetingState.MINUTES_DRAFTED], "record a disclosure decision")
        disclosure = DisclosureDecision.objects.create(
            case_minutes=case_minutes,
            recipient=recipient,
            what_is_disclosed=what_is_disclosed,
            why=why,
            recipient_undertaking=recipient_undertaking,
            individual_told=individual_told,
            why_individual_not_told="" if individual_told else why_individual_not_told,
        )
        audit_record(actor=actor, action=AuditAction.CREATE, obj=disclosure, area_id=locked.area_id, reason=why)
    return disclosure
