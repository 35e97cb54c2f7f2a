"""Release plans: make one, change the expected date, record the level decided, tick off the checklist, close.

Each function is one state change: it checks the rules, locks the row, saves, and writes the audit row
in the same transaction. Pages, the API and the demo loader all call these.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from mappa_workflow.audit import audit_record
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AuditAction, User
from mappa_workflow.services_base import apply_transition, lock_for_change, require_not_future, require_text
from need_to_know import permissions
from referrals.models import Individual, Location

from ..dates import weeks_before, working_days_before
from ..models import (
    ChecklistItem,
    ChecklistItemKind,
    ReleaseDateChange,
    ReleaseKind,
    ReleasePlan,
    ReleasePlanningSettings,
    ReleasePlanState,
)

PERM = "release_planning.manage_release_plan"
KIND_FOR_LOCATION: dict[str, str] = {Location.CUSTODY: ReleaseKind.CUSTODY, Location.HOSPITAL: ReleaseKind.HOSPITAL}


def item_due_dates(settings: ReleasePlanningSettings, release: dt.date, *, children_linked: bool) -> dict[str, dt.date]:
    """Each checklist item's due date for a release on ``release``. Children's services only where
    children are linked to the person."""
    due = {
        ChecklistItemKind.APPROVED_ADDRESS: weeks_before(release, settings.approved_address_weeks),
        ChecklistItemKind.LICENCE_CONDITIONS: weeks_before(release, settings.licence_conditions_weeks),
        ChecklistItemKind.MAPPA_J: weeks_before(release, settings.mappa_j_weeks),
        ChecklistItemKind.VICTIM_LIAISON: weeks_before(release, settings.victim_liaison_weeks),
        ChecklistItemKind.PRISON_REPORT: working_days_before(release, settings.prison_report_working_days),
    }
    if children_linked:
        due[ChecklistItemKind.CHILDRENS_SERVICES] = weeks_before(release, settings.childrens_services_weeks)
    return {str(kind): day for kind, day in due.items()}


def level_decision_due(settings: ReleasePlanningSettings, release: dt.date) -> dt.date:
    return weeks_before(release, settings.level_decision_weeks)


def _check_release_date(expected_date: dt.date | None, *, today: dt.date) -> dt.date:
    if expected_date is None:
        raise WorkflowError({"expected_date": "Enter the expected release or discharge date"})
    if expected_date < today:
        raise WorkflowError({"expected_date": "The expected release or discharge date must be today or later"})
    if expected_date > today + dt.timedelta(days=366 * 5):
        raise WorkflowError({"expected_date": "The expected date must be within five years"})
    return expected_date


def release_plan_create(*, actor: User | None, individual: Individual, expected_date: dt.date | None) -> ReleasePlan:
    """Start planning the release (custody) or discharge (hospital) of a registered person.

    The area's co-ordinators and chairs, or a practitioner of the case's lead agency, may. The checklist is
    made at once with its due dates counted back from the expected date.
    """
    today = timezone.localdate()
    registration = individual.registrations.active().first()
    if registration is None:
        raise WorkflowError({"individual": f"{individual} has no active MAPPA registration"})
    permissions.require(actor, PERM, registration)
    expected_date = _check_release_date(expected_date, today=today)
    with transaction.atomic():
        period = registration.periods.select_for_update().filter(end_date__isnull=True).first()
        if period is None or period.location not in KIND_FOR_LOCATION:
            raise WorkflowError({"individual": f"{individual} is not in custody or detained in hospital"})
        if ReleasePlan.objects.open().filter(individual=individual).exists():
            raise WorkflowError({"individual": f"A release plan for {individual} is already open"})
        settings = ReleasePlanningSettings.for_area(registration.area)
        plan = ReleasePlan.objects.create(
            area_id=registration.area_id,
            individual=individual,
            registration=registration,
            lead_agency_id=period.lead_agency_id,
            kind=KIND_FOR_LOCATION[period.location],
            expected_date=expected_date,
            level_decision_due=level_decision_due(settings, expected_date),
            created_by=actor,
        )
        ReleaseDateChange.objects.create(
            plan=plan, new_date=expected_date, changed_on=today, reason="Plan started", changed_by=actor
        )
        due = item_due_dates(settings, expected_date, children_linked=individual.children_linked)
        ChecklistItem.objects.bulk_create(
            [ChecklistItem(plan=plan, kind=kind, due_date=day) for kind, day in due.items()]
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=plan,
            to_state=plan.state,
            details={"expected_date": expected_date, "kind": plan.kind, "items": sorted(due)},
        )
    return plan


def _locked_open(plan: ReleasePlan) -> ReleasePlan:
    locked = lock_for_change(plan, state_field="state", what="This release plan")
    if locked.state != ReleasePlanState.PLANNING:
        raise WorkflowError({"state": f"This release plan is closed ({locked.get_state_display().lower()})"})
    return locked


def release_plan_change_date(
    *,
    actor: User | None,
    plan: ReleasePlan,
    expected_date: dt.date | None,
    reason: str,
    changed_on: dt.date | None = None,
) -> ReleasePlan:
    """Record a new expected date, dated, with why; the history keeps every earlier date. The due dates of
    the items not yet done, and of an undecided level, move with it (done items keep theirs)."""
    permissions.require(actor, PERM, plan)
    today = timezone.localdate()
    expected_date = _check_release_date(expected_date, today=today)
    reason = require_text(reason, field="reason", message="Enter why the date changed")
    changed_on = require_not_future(changed_on or today, field="changed_on", label="date the change became known")
    with transaction.atomic():
        locked = _locked_open(plan)
        if expected_date == locked.expected_date:
            raise WorkflowError({"expected_date": "That is already the expected date"})
        previous = locked.expected_date
        settings = ReleasePlanningSettings.for_area(locked.area)
        locked.expected_date = expected_date
        update_fields = ["expected_date"]
        if locked.decided_level is None:
            locked.level_decision_due = level_decision_due(settings, expected_date)
            update_fields.append("level_decision_due")
        locked.save(update_fields=update_fields)
        due = item_due_dates(settings, expected_date, children_linked=locked.individual.children_linked)
        for item in locked.items.filter(completed_on__isnull=True):
            if item.kind in due and item.due_date != due[item.kind]:
                item.due_date = due[item.kind]
                item.save(update_fields=["due_date"])
        ReleaseDateChange.objects.create(
            plan=locked,
            previous_date=previous,
            new_date=expected_date,
            changed_on=changed_on,
            reason=reason,
            changed_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            reason=reason,
            details={"expected_date": [previous, expected_date], "changed_on": changed_on},
        )
    return locked


def release_plan_decide_level(
    *, actor: User | None, plan: ReleasePlan, level: int | None, rationale: str, decided_on: dt.date | None = None
) -> ReleasePlan:
    """Record the MAPPA level decided for the person's release (by the panel or the co-ordinator)."""
    permissions.require(actor, PERM, plan)
    if level not in (1, 2, 3):
        raise WorkflowError({"level": "Select the level decided for release: 1, 2 or 3"})
    rationale = require_text(rationale, field="rationale", message="Enter the rationale for the level")
    decided_on = require_not_future(decided_on or timezone.localdate(), field="decided_on", label="decision date")
    with transaction.atomic():
        locked = _locked_open(plan)
        category = locked.registration.periods.filter(end_date__isnull=True).values_list("category", flat=True).first()
        if category == 3 and level == 1:
            raise WorkflowError({"level": "A Category 3 case is managed at Level 2 or 3, or leaves MAPPA"})
        previous = locked.decided_level
        locked.decided_level, locked.level_decided_on, locked.level_rationale = level, decided_on, rationale
        locked.save(update_fields=["decided_level", "level_decided_on", "level_rationale"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            reason=rationale,
            details={"decided_level": [previous, level], "decided_on": decided_on},
        )
    return locked


def checklist_item_complete(
    *, actor: User | None, plan: ReleasePlan, kind: str, notes: str, completed_on: dt.date | None = None
) -> ChecklistItem:
    """Mark one item of the checklist done: what was done, and when (today unless said)."""
    permissions.require(actor, PERM, plan)
    notes = require_text(notes, field="notes", message="Say what was done")
    completed_on = require_not_future(
        completed_on or timezone.localdate(), field="completed_on", label="date it was done"
    )
    with transaction.atomic():
        locked = _locked_open(plan)
        item = locked.items.select_for_update().filter(kind=kind).first()
        if item is None:
            raise WorkflowError({"kind": "This plan has no such item"})
        if item.is_done:
            raise WorkflowError({"kind": f"'{item}' was already recorded as done on {item.completed_on:%d %B %Y}"})
        item.completed_on, item.completed_by, item.notes = completed_on, actor, notes
        item.save(update_fields=["completed_on", "completed_by", "notes"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            reason=notes,
            details={"item": kind, "completed_on": completed_on},
        )
    return item


CLOSE_OUTCOMES = {"released": "record_release", "withdrawn": "withdraw"}


def release_plan_close(
    *, actor: User | None, plan: ReleasePlan, outcome: str, note: str, closed_on: dt.date | None = None
) -> ReleasePlan:
    """Close a plan: the person was released (or discharged), or is no longer expected to be."""
    permissions.require(actor, PERM, plan)
    if outcome not in CLOSE_OUTCOMES:
        raise WorkflowError({"outcome": "Select released or no longer expected"})
    note = require_text(note, field="note", message="Enter a note")
    closed_on = require_not_future(closed_on or timezone.localdate(), field="closed_on", label="date")
    with transaction.atomic():
        locked = _locked_open(plan)
        apply_transition(
            locked,
            CLOSE_OUTCOMES[outcome],
            actor=actor,
            what="This release plan",
            action_label="close it",
            update_fields=["closed_on", "closing_note"],
            reason=note,
            closed_on=closed_on,
            note=note,
        )
    return locked
