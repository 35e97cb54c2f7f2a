"""The minutes of a held meeting (MAPPA C): each case's minutes and the decision they apply,
amendments while in draft, drafting and approving the minutes, and carrying unfinished actions over.

Level and screening decisions go through ``referrals.services`` so their rules and history live in one place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from mappa_workflow import roles
from mappa_workflow.audit import audit_record
from mappa_workflow.changes import announce
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AreaSettings, AuditAction, User
from mappa_workflow.services_base import apply_transition, require_text
from referrals import services as referral_services
from referrals.models import ExitReason, Registration, RegistrationStatus

from ..models import (
    LEVEL_DECISIONS,
    MINUTES_TEXT_FIELDS,
    SCREENING_DECISIONS,
    AgendaItem,
    AgendaItemKind,
    CaseDecision,
    CaseMinutes,
    Meeting,
    MeetingState,
)
from ..timescales import review_interval
from ._common import MEETING, _actor_id, _carried_actions, _lock_meeting, _require_state
from .attendance import attendance_gaps

_REFERRAL_FIELDS_TO_MINUTES = {
    "level": "decision",
    "reason": "rationale",
    "effective_date": "decision",
    "rationale": "rationale",
    "decided_on": "decision",
    "request": "rationale",
}


def _as_minutes_error(exc: WorkflowError) -> WorkflowError:
    """Name the minutes' fields in errors that come from the referral workflow."""
    return WorkflowError(
        {_REFERRAL_FIELDS_TO_MINUTES.get(name, name): messages for name, messages in exc.errors.items()}
    )


@dataclass
class RiskManagementPlan:
    supervision: str = ""
    monitoring_and_control: str = ""
    interventions_and_treatment: str = ""
    victim_safety_planning: str = ""
    contingency: str = ""


@dataclass
class MinutesInput:
    """What the minute-taker writes for one case."""

    risk_summary: str
    decision: str
    rationale: str
    differing_views: str = ""
    exit_reason: str = ""
    why_level_2_cannot_manage: str = ""
    plan: RiskManagementPlan = field(default_factory=RiskManagementPlan)
    next_review_date: dt.date | None = None


def _level_after(decision: str, level: int) -> int:
    if decision == CaseDecision.LEVEL_UP:
        if level == 3:
            raise WorkflowError({"decision": "The case is at Level 3 already: it cannot move up"})
        return level + 1
    if decision == CaseDecision.LEVEL_DOWN:
        return level - 1
    return level


def _next_review(minutes: MinutesInput, *, meeting: Meeting, level_after: int | None) -> dt.date | None:
    if level_after not in (2, 3):
        if minutes.next_review_date is not None:
            raise WorkflowError({"next_review_date": "A case leaving Level 2 and 3 management has no next review"})
        return None
    settings = AreaSettings.for_area(meeting.area)
    latest = meeting.meeting_date + review_interval(settings, level_after)
    if minutes.next_review_date is None:
        return latest
    if minutes.next_review_date <= meeting.meeting_date:
        raise WorkflowError({"next_review_date": "The next review must be after the meeting"})
    if minutes.next_review_date > latest:
        raise WorkflowError({"next_review_date": f"A Level {level_after} case must be reviewed by {latest:%-d %B %Y}"})
    return minutes.next_review_date


def _check_minutes(item: AgendaItem, minutes: MinutesInput) -> None:
    require_text(minutes.risk_summary, field="risk_summary", message="Enter the summary of the risk of serious harm")
    require_text(minutes.rationale, field="rationale", message="Enter the rationale for the decision")
    allowed = SCREENING_DECISIONS if item.kind == AgendaItemKind.SCREENING else LEVEL_DECISIONS
    if minutes.decision not in allowed:
        raise WorkflowError({"decision": "Select one of: " + ", ".join(CaseDecision(d).label.lower() for d in allowed)})
    if minutes.decision == CaseDecision.EXIT and minutes.exit_reason not in ExitReason.values:
        raise WorkflowError({"exit_reason": "Select why the person leaves MAPPA"})


def _apply_screening(actor: User | None, item: AgendaItem, minutes: MinutesInput, day: dt.date) -> None:
    referral = item.referral
    assert referral is not None  # a screening item names its referral (agenda_item_is_a_referral_or_a_registration)
    if minutes.decision == CaseDecision.MORE_INFORMATION:
        referral_services.referral_request_more_information(actor=actor, referral=referral, request=minutes.rationale)
        return
    decision = {
        CaseDecision.ACCEPT_LEVEL_2: "level_2",
        CaseDecision.ACCEPT_LEVEL_3: "level_3",
        CaseDecision.MANAGE_LEVEL_1: "level_1",
    }[CaseDecision(minutes.decision)]
    referral_services.referral_decide(
        actor=actor,
        referral=referral,
        decision=decision,
        rationale=minutes.rationale,
        decided_on=day,
        why_level_2_cannot_manage=minutes.why_level_2_cannot_manage or None,
    )


def _apply_level_decision(
    actor: User | None, item: AgendaItem, minutes: MinutesInput, meeting: Meeting
) -> dt.date | None:
    """Move the registration as the panel decided; return the next review date it now has."""
    registration = Registration.objects.get(pk=item.registration_id)
    if registration.status == RegistrationStatus.EXITED:
        raise WorkflowError({"decision": f"{registration.individual} has left MAPPA since the agenda was set"})
    day = meeting.meeting_date
    if minutes.decision == CaseDecision.EXIT:
        referral_services.registration_exit(
            actor=actor,
            registration=registration,
            reason=minutes.exit_reason,
            effective_date=day,
            notes=minutes.rationale,
        )
        return None
    level_after = _level_after(minutes.decision, registration.level or 0)
    next_review = _next_review(minutes, meeting=meeting, level_after=level_after)
    if level_after != registration.level:
        registration = referral_services.registration_change_level(
            actor=actor,
            registration=registration,
            level=level_after,
            effective_date=day,
            reason=f"Decided at the {meeting}: {minutes.rationale}",
        )
    if level_after in (2, 3):
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        locked.next_review_due = next_review
        locked.save(update_fields=["next_review_due"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            reason=f"Next review set at the {meeting}",
            details={"next_review_due": next_review, "meeting": str(meeting.pk)},
        )
    return next_review


def case_minutes_record(*, actor: User | None, item: AgendaItem, minutes: MinutesInput) -> CaseMinutes:
    """Minute one case of a held meeting and apply its decision.

    A screening decision goes through ``referrals.services.referral_decide`` (or a request for more
    information); a panel's level decision through ``registration_change_level`` or
    ``registration_exit``, effective on the meeting's date, and sets the next review date
    (by default the area's review interval for the level). All or nothing.
    """
    meeting = item.meeting
    roles.require(actor, "meetings.manage_meeting", meeting)
    _check_minutes(item, minutes)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD], "record a case's minutes")
        if CaseMinutes.objects.filter(agenda_item=item).exists():
            raise WorkflowError({"agenda_item": f"The minutes for {item.individual} are already recorded"})
        try:
            if item.kind == AgendaItemKind.SCREENING:
                _apply_screening(actor, item, minutes, locked.meeting_date)
                next_review = None
            else:
                next_review = _apply_level_decision(actor, item, minutes, locked)
        except WorkflowError as exc:
            raise _as_minutes_error(exc) from exc
        plan = minutes.plan
        record = CaseMinutes.objects.create(
            agenda_item=item,
            risk_summary=minutes.risk_summary.strip(),
            decision=minutes.decision,
            rationale=minutes.rationale.strip(),
            differing_views=minutes.differing_views.strip(),
            exit_reason=minutes.exit_reason if minutes.decision == CaseDecision.EXIT else "",
            why_level_2_cannot_manage=minutes.why_level_2_cannot_manage.strip(),
            rmp_supervision=plan.supervision.strip(),
            rmp_monitoring_and_control=plan.monitoring_and_control.strip(),
            rmp_interventions_and_treatment=plan.interventions_and_treatment.strip(),
            rmp_victim_safety_planning=plan.victim_safety_planning.strip(),
            contingency=plan.contingency.strip(),
            next_review_date=next_review,
            recorded_by=actor if actor and actor.pk else None,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=record,
            area_id=locked.area_id,
            reason=minutes.rationale,
            details={"meeting": str(locked.pk), "decision": minutes.decision, "next_review_date": next_review},
        )
    return record


def _decision_already_applied(item: AgendaItem, record: CaseMinutes) -> str:
    label = CaseDecision(record.decision).label
    if item.kind == AgendaItemKind.SCREENING:
        return (
            f"The decision '{label}' was applied to the referral when these minutes were recorded and is not "
            "applied again, so it cannot be changed here"
        )
    return (
        f"The decision '{label}' was applied to the registration when these minutes were recorded and is not "
        "applied again, so it cannot be changed here: to change the level now, use 'Change level' on the case page"
    )


def case_minutes_amend(*, actor: User | None, case_minutes: CaseMinutes, minutes: MinutesInput) -> CaseMinutes:
    """Correct a case's minutes while the meeting's minutes are still in draft (held or drafted).

    The decision was applied to the referral or registration when the minutes were first recorded
    (:func:`case_minutes_record`) and is not applied again: a different decision, or a different
    exit reason, is refused on its field. The text of the minutes and the plan can change; a new
    next review date follows the same rules as when recording and moves the registration's next
    review with it unless a later meeting has set another since. Audited with the fields changed.
    """
    item = case_minutes.agenda_item
    meeting = item.meeting
    roles.require(actor, "meetings.manage_meeting", meeting)
    require_text(minutes.risk_summary, field="risk_summary", message="Enter the summary of the risk of serious harm")
    require_text(minutes.rationale, field="rationale", message="Enter the rationale for the decision")
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD, MeetingState.MINUTES_DRAFTED], "amend the minutes")
        record = CaseMinutes.objects.select_for_update().get(pk=case_minutes.pk)
        if minutes.decision != record.decision:
            raise WorkflowError({"decision": _decision_already_applied(item, record)})
        if record.decision == CaseDecision.EXIT and (minutes.exit_reason or record.exit_reason) != record.exit_reason:
            raise WorkflowError(
                {
                    "exit_reason": "The exit from MAPPA was applied to the registration when these minutes were "
                    "recorded, so its reason cannot be changed here"
                }
            )
        plan = minutes.plan
        wanted = {
            "risk_summary": minutes.risk_summary,
            "rationale": minutes.rationale,
            "differing_views": minutes.differing_views,
            "why_level_2_cannot_manage": minutes.why_level_2_cannot_manage,
            "rmp_supervision": plan.supervision,
            "rmp_monitoring_and_control": plan.monitoring_and_control,
            "rmp_interventions_and_treatment": plan.interventions_and_treatment,
            "rmp_victim_safety_planning": plan.victim_safety_planning,
            "contingency": plan.contingency,
        }
        changed = [name for name in MINUTES_TEXT_FIELDS if (wanted[name] or "").strip() != getattr(record, name)]
        for name in changed:
            setattr(record, name, wanted[name].strip())
        review_moved = None
        if (
            item.registration_id
            and record.next_review_date is not None
            and minutes.next_review_date not in (None, record.next_review_date)
        ):
            registration = Registration.objects.select_for_update().get(pk=item.registration_id)
            new_review = _next_review(minutes, meeting=locked, level_after=registration.level)
            if registration.next_review_due == record.next_review_date:
                registration.next_review_due = new_review
                registration.save(update_fields=["next_review_due"])
                review_moved = registration
            record.next_review_date = new_review
            changed.append("next_review_date")
        if not changed:
            return record
        record.save(update_fields=changed)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=record,
            area_id=locked.area_id,
            reason="Minutes amended while in draft",
            details={"meeting": str(locked.pk), "fields": changed},
        )
        if review_moved is not None:
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                obj=review_moved,
                reason=f"Next review changed in the draft minutes of the {locked}",
                details={"next_review_due": record.next_review_date, "meeting": str(locked.pk)},
            )
    return record


def meeting_draft_minutes(*, actor: User | None, meeting: Meeting) -> Meeting:
    """Mark the minutes drafted: every case on the agenda minuted and the attendance recorded."""
    roles.require(actor, "meetings.manage_meeting", meeting)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD], "mark the minutes drafted")
        if not locked.attendance.exists():
            raise WorkflowError({"attendance": "Record the attendance before drafting the minutes"})
        missing = [
            str(item.individual)
            for item in locked.agenda_items.filter(minutes__isnull=True).select_related(
                "referral__individual", "registration__individual"
            )
        ]
        if missing:
            raise WorkflowError({"agenda": f"Record the minutes for every case first: {'; '.join(missing)}"})
        apply_transition(
            locked,
            "draft_minutes",
            actor=actor,
            what=MEETING,
            action_label="mark the minutes drafted",
            update_fields=["updated_at"],
        )
    return locked


def meeting_approve_minutes(*, actor: User | None, meeting: Meeting, confirm_attendance_gaps: bool = False) -> Meeting:
    """Approve and circulate the minutes.

    When required attendance was missing the approver must confirm it (``confirm_attendance_gaps``);
    the gap and the confirmation are recorded in the minutes. Unfinished actions of the meeting's
    cases are carried to each case's next scheduled meeting.
    """
    roles.require(actor, "meetings.manage_meeting", meeting)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.MINUTES_DRAFTED], "approve the minutes")
        gaps = attendance_gaps(locked)
        if gaps and not confirm_attendance_gaps:
            raise WorkflowError(
                {
                    "confirm_attendance_gaps": "Required attendance was missing: "
                    + "; ".join(gaps)
                    + ". Confirm that you approve the minutes with this gap; it will be recorded in them."
                }
            )
        apply_transition(
            locked,
            "approve_minutes",
            actor=actor,
            what=MEETING,
            action_label="approve the minutes",
            update_fields=[
                "minutes_approved_at",
                "minutes_approved_by",
                "attendance_gaps",
                "attendance_gaps_confirmed_by",
                "updated_at",
            ],
            reason="; ".join(gaps),
            details={"attendance_gaps": gaps, "gaps_confirmed": bool(gaps)},
            approved_by=actor,
            gaps="\n".join(gaps),
            gaps_confirmed_by=actor if gaps else None,
        )
        _carry_over(locked)
        # The invited agencies are told the minutes are out (in the service; the email names no one).
        announce(about="meeting", object_id=locked.pk, change="minutes_approved", actor_id=_actor_id(actor))
    return locked


def _carry_over(meeting: Meeting) -> None:
    """Put each case's unfinished actions on the agenda of its next scheduled meeting, if there is one."""
    registration_ids = [i for i in meeting.agenda_items.values_list("registration_id", flat=True) if i]
    next_items = (
        AgendaItem.objects.filter(
            registration_id__in=registration_ids,
            meeting__state=MeetingState.SCHEDULED,
            meeting__starts_at__gt=meeting.starts_at,
        )
        .order_by("registration_id", "meeting__starts_at")
        .select_related("registration")
    )
    done: set[Any] = set()
    for item in next_items:
        if item.registration_id in done:
            continue
        done.add(item.registration_id)
        assert item.registration is not None  # filtered on registration_id__in
        item.actions_to_review.set(_carried_actions(item.registration))
