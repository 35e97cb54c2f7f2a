"""Risk management actions: adding them to a case's plan, and their progress to completion or closure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from mappa_workflow import roles
from mappa_workflow.audit import audit_record
from mappa_workflow.changes import announce
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, AuditAction, User
from mappa_workflow.services_base import apply_transition, lock_for_change, require_text

from .. import signals
from ..models import (
    CaseMinutes,
    MeetingState,
    PlanHeading,
    RiskAction,
    RiskActionState,
    RiskActionUpdate,
)
from ._common import ACTION, _lock_meeting, _require_state


def risk_action_create(
    *,
    actor: User | None,
    case_minutes: CaseMinutes,
    heading: str,
    description: str,
    owning_agency: Agency | None,
    officer_name: str,
    due_date: dt.date | None,
    officer: User | None = None,
) -> RiskAction:
    """Add an action to a case's risk management plan. Writes the officer's email in the same transaction; sends ``action_assigned`` after commit."""
    item = case_minutes.agenda_item
    meeting = item.meeting
    roles.require(actor, "meetings.manage_meeting", meeting)
    if item.registration_id is None:
        raise WorkflowError({"agenda_item": "Actions belong to a Level 2 or 3 risk management plan, not to screening"})
    if heading not in PlanHeading.values:
        raise WorkflowError({"heading": "Select the risk management plan heading"})
    description = require_text(description, field="description", message="Describe the action")
    if owning_agency is None:
        raise WorkflowError({"owning_agency": "Select the agency that owns the action"})
    if owning_agency.area_id != meeting.area_id:
        raise WorkflowError({"owning_agency": f"{owning_agency} is not an agency of {meeting.area}"})
    officer_name = require_text(officer_name, field="officer_name", message="Enter the named officer for the action")
    if due_date is None:
        raise WorkflowError({"due_date": "Enter the date the action is due"})
    if due_date < meeting.meeting_date:
        raise WorkflowError({"due_date": "The action cannot be due before the meeting that set it"})
    if officer is not None and officer.agency_id != owning_agency.pk:
        raise WorkflowError({"officer": f"{officer} does not work for {owning_agency}"})
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD, MeetingState.MINUTES_DRAFTED], "add an action")
        action = RiskAction.objects.create(
            area_id=meeting.area_id,
            registration_id=item.registration_id,
            case_minutes=case_minutes,
            heading=heading,
            description=description,
            owning_agency=owning_agency,
            officer_name=officer_name,
            officer=officer,
            due_date=due_date,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=action,
            to_state=action.state,
            details={"agency": owning_agency.pk, "due_date": due_date, "heading": heading},
        )
        announce(about="risk_action", object_id=action.pk, change="assigned")
        transaction.on_commit(lambda: signals.action_assigned.send(sender=RiskAction, action_id=action.pk))
    return action


def _action_transition(
    *,
    actor: User | None,
    action: RiskAction,
    transition_name: str,
    label: str,
    note: str,
    update_fields: list[str],
    **kwargs: Any,
) -> RiskAction:
    roles.require(actor, "meetings.update_risk_action", action)
    with transaction.atomic():
        locked = lock_for_change(action, state_field="state", what=ACTION)
        apply_transition(
            locked,
            transition_name,
            actor=actor,
            what=ACTION,
            action_label=label,
            update_fields=update_fields,
            reason=note,
            **kwargs,
        )
        RiskActionUpdate.objects.create(
            action=locked, written_by=actor if actor and actor.pk else None, text=note, state_after=locked.state
        )
    return locked


def risk_action_start(*, actor: User | None, action: RiskAction, note: str = "") -> RiskAction:
    """The owning agency has started the action."""
    return _action_transition(
        actor=actor,
        action=action,
        transition_name="start",
        label="start it",
        note=note.strip() or "Started",
        update_fields=[],
    )


def risk_action_complete(
    *, actor: User | None, action: RiskAction, note: str, completed_on: dt.date | None = None
) -> RiskAction:
    """The action is done: say what was done."""
    note = require_text(note, field="note", message="Say what was done")
    completed_on = completed_on or timezone.localdate()
    if completed_on > timezone.localdate():
        raise WorkflowError({"completed_on": "The completion date must be today or in the past"})
    if completed_on < action.set_on:
        raise WorkflowError(
            {"completed_on": f"The completion date cannot be before the action was set, on {action.set_on:%-d %B %Y}"}
        )
    return _action_transition(
        actor=actor,
        action=action,
        transition_name="complete",
        label="complete it",
        note=note,
        update_fields=["completed_on"],
        completed_on=completed_on,
    )


CLOSE_OUTCOMES = {
    RiskActionState.CLOSED_NOT_POSSIBLE: "close_not_possible",
    RiskActionState.CLOSED_NOT_DONE: "close_not_done",
}


def risk_action_close(*, actor: User | None, action: RiskAction, outcome: str, reason: str) -> RiskAction:
    """Close an unfinished action as not possible (circumstances changed) or not done by the agency."""
    if outcome not in CLOSE_OUTCOMES:
        raise WorkflowError({"outcome": "Select 'not possible, circumstances changed' or 'not done by the agency'"})
    reason = require_text(reason, field="reason", message="Enter the reason the action was not completed")
    return _action_transition(
        actor=actor,
        action=action,
        transition_name=CLOSE_OUTCOMES[RiskActionState(outcome)],
        label="close it",
        note=reason,
        update_fields=["closed_reason"],
        closed_reason=reason,
    )


def risk_action_add_update(*, actor: User | None, action: RiskAction, text: str) -> RiskActionUpdate:
    """Add a progress note to an action's update log (the owning agency, or the panel at review)."""
    roles.require(actor, "meetings.update_risk_action", action)
    text = require_text(text, field="text", message="Enter the update")
    with transaction.atomic():
        locked = lock_for_change(action, state_field="state", what=ACTION)
        update = RiskActionUpdate.objects.create(
            action=locked, written_by=actor if actor and actor.pk else None, text=text, state_after=locked.state
        )
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, reason=text)
    return update
