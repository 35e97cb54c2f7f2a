"""Putting a finished risk management action right: reopen it, or correct the day it was completed.

Both are for the owning agency and the area's co-ordinator and chair (``meetings.update_risk_action``),
both need a reason, and both leave an audit row and a line in the action's update log in the same
transaction, so the panel reviewing the plan sees what changed and why.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from mappa_workflow import roles
from mappa_workflow.audit import audit_record
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AuditAction, User
from mappa_workflow.services_base import apply_transition, lock_for_change, require_text

from ..models import FINISHED, RiskAction, RiskActionState, RiskActionUpdate

ACTION = "This action"


def risk_action_reopen(*, actor: User | None, action: RiskAction, reason: str) -> RiskAction:
    """A completed or closed action is open again (in progress): completed in error, or needed again.
    Clears the completion date or closing reason; the reason for reopening goes in the log and the audit row."""
    roles.require(actor, "meetings.update_risk_action", action)
    reason = require_text(reason, field="reason", message="Enter why the action is being reopened")
    if action.state not in FINISHED:
        raise WorkflowError({"reason": "Only a completed or closed action can be reopened"})
    with transaction.atomic():
        locked = lock_for_change(action, state_field="state", what=ACTION)
        apply_transition(
            locked,
            "reopen",
            actor=actor,
            what=ACTION,
            action_label="reopen it",
            update_fields=["completed_on", "closed_reason"],
            reason=reason,
        )
        RiskActionUpdate.objects.create(
            action=locked,
            written_by=actor if actor and actor.pk else None,
            text=f"Reopened: {reason}",
            state_after=locked.state,
        )
    return locked


def risk_action_correct_completion(
    *, actor: User | None, action: RiskAction, completed_on: dt.date | None, reason: str
) -> RiskAction:
    """Correct the day a completed action was done (no earlier than the day it was set, not in the future)."""
    roles.require(actor, "meetings.update_risk_action", action)
    reason = require_text(reason, field="reason", message="Enter why the completion date is being corrected")
    if completed_on is None:
        raise WorkflowError({"completed_on": "Enter the date the action was completed"})
    if completed_on > timezone.localdate():
        raise WorkflowError({"completed_on": "The completion date must be today or in the past"})
    if completed_on < action.set_on:
        raise WorkflowError(
            {"completed_on": f"The completion date cannot be before the action was set, on {action.set_on:%-d %B %Y}"}
        )
    with transaction.atomic():
        locked = lock_for_change(action, state_field="state", what=ACTION)
        if locked.state != RiskActionState.COMPLETED:
            raise WorkflowError({"completed_on": "Only a completed action has a completion date to correct"})
        before = locked.completed_on
        if before == completed_on:
            raise WorkflowError({"completed_on": "That is already the completion date"})
        locked.completed_on = completed_on
        locked.save(update_fields=["completed_on"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            area_id=locked.area_id,
            reason=reason,
            details={
                "field": "completed_on",
                "from": before.isoformat() if before else None,
                "to": completed_on.isoformat(),
            },
        )
        RiskActionUpdate.objects.create(
            action=locked,
            written_by=actor if actor and actor.pk else None,
            text=f"Completion date corrected from {before:%-d %B %Y} to {completed_on:%-d %B %Y}: {reason}",
            state_after=locked.state,
        )
    return locked
