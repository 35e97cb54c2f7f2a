"""Serious further offences and serious case reviews (MAPPA Guidance ch. 20; docs/serious-case-reviews.md).

Who may: the area's co-ordinator records an SFO (the review's decision then falls due, 5 working days on, and
the area's SMB members are told); the board's chair (the account holding the area's chair tenure today:
``oversight/rules.py``) decides whether to review; an SMB member of the area approves the report and closes the
review; SMB members and co-ordinators write the report and keep its action plan. Each function is one
transaction: the row is locked, the django-fsm transition runs, the row is saved, the audit row written, and any
message goes into the outbox in the same transaction. Refusals are ``WorkflowError``s naming the field.

The report and the action plan are read by SMB members and lay advisers, who never see whom the review is about:
so no text they read may carry the person's names or references (:func:`_without_the_person`).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from case_reviews.models import (
    DECISION_WORKING_DAYS,
    REPORT_SECTIONS,
    ReviewAction,
    ReviewCriterion,
    ReviewState,
    SeriousCaseReview,
    SeriousFurtherOffence,
)
from mappa_workflow.audit import audit_record
from mappa_workflow.changes import announce
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, AuditAction, Role, User
from mappa_workflow.services_base import lock_for_change, require_text, transition_under_lock
from mappa_workflow.working_days import add_working_days
from need_to_know import permissions
from referrals.models import Individual, Registration, RegistrationPeriod

WHAT = "This review"


def _reference(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


def _day(value: dt.date | None, *, field: str, label: str, not_before: dt.date | None = None) -> dt.date:
    if value is None:
        raise WorkflowError({field: f"Enter the {label}"})
    if value > timezone.localdate():
        raise WorkflowError({field: f"The {label} must be today or in the past"})
    if not_before is not None and value < not_before:
        raise WorkflowError({field: f"The {label} must be on or after {not_before:%-d %B %Y}"})
    return value


def _identifiers(individual: Individual) -> list[str]:
    """What would name the person in a text: the family name, the given names together, each other name and each
    reference. (Not each given name alone: "Will" or "June" are also ordinary words of a report.)"""
    names = [individual.family_name, individual.given_names, *individual.aliases.values_list("name", flat=True)]
    refs = [individual.visor_reference, individual.pnc_reference, individual.ndelius_reference]
    return [value.strip() for value in (*names, *refs) if value and value.strip()]


def _without_the_person(review: SeriousCaseReview, texts: dict[str, str]) -> None:
    """Refuse text that names the person or gives a reference: SMB members and lay advisers read it."""
    found = [re.compile(rf"\b{re.escape(value)}\b", re.IGNORECASE) for value in _identifiers(review.individual)]
    errors = {}
    for field, text in texts.items():
        if any(pattern.search(text) for pattern in found):
            errors[field] = (
                "Write this without the person's name, other names or references: the SMB and lay advisers read it"
            )
    if errors:
        raise WorkflowError(errors)


def _valid(record: object) -> None:
    """The model's own field checks (hidden characters in the texts, say) as field-named refusals."""
    try:
        # (the FSM state is protected: it is set by transitions only)
        record.full_clean(exclude=["state"], validate_unique=False, validate_constraints=False)  # type: ignore[attr-defined]
    except ValidationError as exc:
        raise WorkflowError.from_validation_error(exc) from exc


def _criteria(criteria_met: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(criteria_met or []))
    unknown = [c for c in chosen if c not in ReviewCriterion.values]
    if unknown:
        raise WorkflowError({"criteria_met": "Choose the criteria from the list"})
    return [c for c in ReviewCriterion.values if c in chosen]  # in the guidance's order


# ---------------------------------------------------------------------------------------------
# The SFO
# ---------------------------------------------------------------------------------------------


def sfo_record(
    *, actor: User, registration: Registration, offence_date: dt.date | None, charged_on: dt.date | None, offence: str
) -> SeriousFurtherOffence:
    """A co-ordinator of the area records that a MAPPA case was charged with a serious further offence.

    The category and level are the registration period's on the day of the offence. The review's decision falls
    due 5 working days from today, and the area's SMB members are told (a reference and the date only)."""
    permissions.require(actor, "case_reviews.record_serious_further_offence", registration)
    offence = require_text(offence, field="offence", message="Describe the offence charged")
    offence_date = _day(offence_date, field="offence_date", label="date of the offence")
    charged_on = _day(charged_on, field="charged_on", label="date charged", not_before=offence_date)
    today = timezone.localdate()
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        period = RegistrationPeriod.objects.on(offence_date).filter(registration=locked).first()
        if period is None:
            raise WorkflowError(
                {"offence_date": "The case was not registered with MAPPA on that day: check the date of the offence"}
            )
        if SeriousFurtherOffence.objects.filter(registration=locked, offence_date=offence_date).exists():
            raise WorkflowError({"offence_date": "An offence on this date is already recorded for this case"})
        sfo = SeriousFurtherOffence(
            reference=_reference("SFO"),
            area_id=locked.area_id,
            registration=locked,
            individual_id=locked.individual_id,
            offence_date=offence_date,
            charged_on=charged_on,
            offence=offence,
            category=period.category,
            level=period.level,
            recorded_by=actor,
        )
        _valid(sfo)
        try:
            with transaction.atomic():
                sfo.save(force_insert=True)
        except IntegrityError as exc:  # recorded by someone else a moment ago
            raise WorkflowError({"offence_date": "An offence on this date is already recorded for this case"}) from exc
        review = SeriousCaseReview.objects.create(
            reference=_reference("SCR"),
            area_id=locked.area_id,
            serious_further_offence=sfo,
            individual_id=locked.individual_id,
            decision_due=add_working_days(today, DECISION_WORKING_DAYS),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=sfo,
            details={"charged_on": charged_on, "category": period.category, "level": period.level},
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=review,
            to_state=review.state,
            details={"decision_due": review.decision_due, "serious_further_offence": sfo.reference},
        )
        announce(about="serious_case_review", object_id=review.pk, change="decision_due", actor_id=actor.pk)
    return sfo


# ---------------------------------------------------------------------------------------------
# The SMB's decision
# ---------------------------------------------------------------------------------------------


def _decide(
    *,
    actor: User,
    review: SeriousCaseReview,
    transition: str,
    criteria_met: Iterable[str],
    reasons: str,
    decided_on: dt.date | None,
    more: dict[str, object],
) -> SeriousCaseReview:
    permissions.require(actor, "case_reviews.decide_case_review", review)
    criteria = _criteria(criteria_met)
    recorded = timezone.localdate(review.serious_further_offence.recorded_at)
    decided_on = _day(decided_on or timezone.localdate(), field="decided_on", label="date of the decision")
    if decided_on < recorded:
        raise WorkflowError(
            {"decided_on": f"The decision must be on or after {recorded:%-d %B %Y}, when the offence was recorded"}
        )

    def prepare(locked: SeriousCaseReview) -> dict[str, object]:
        texts = {key: value for key, value in {"reasons": reasons, **more}.items() if isinstance(value, str)}
        _without_the_person(locked, texts)
        locked.criteria_met = criteria
        locked.decision_reasons = reasons
        locked.decided_by = actor
        locked.decided_on = decided_on
        locked.decided_late = decided_on > locked.decision_due
        for field, value in more.items():
            setattr(locked, field, value)
        fields = ["criteria_met", "decision_reasons", "decided_by", "decided_on", "decided_late", *more]
        return {
            "update_fields": fields,
            "details": {"criteria_met": criteria, "decided_on": decided_on, "late": locked.decided_late},
        }

    return transition_under_lock(
        review, transition, actor=actor, what=WHAT, action_label="decide on a review", prepare=prepare
    )


def scr_decide_not_to_review(
    *,
    actor: User,
    review: SeriousCaseReview,
    criteria_met: Iterable[str],
    reasons: str,
    decided_on: dt.date | None = None,
) -> SeriousCaseReview:
    """The board's chair records the SMB's decision that the SFO does not call for a review, with the reasons
    against the criteria (which, if any, were met). Flagged late when after the due date."""
    reasons = require_text(reasons, field="reasons", message="Give the reasons, against the criteria, not to review")
    return _decide(
        actor=actor,
        review=review,
        transition="decide_not_to_review",
        criteria_met=criteria_met,
        reasons=reasons,
        decided_on=decided_on,
        more={},
    )


def scr_commission(
    *,
    actor: User,
    review: SeriousCaseReview,
    criteria_met: Iterable[str],
    reasons: str,
    remit: str,
    lay_adviser: User | None,
    decided_on: dt.date | None = None,
) -> SeriousCaseReview:
    """The board's chair commissions a review: the criteria met, its remit and the lay adviser involved (every
    review involves one: a lay adviser of the area). Flagged late when after the due date."""
    if not _criteria(criteria_met):
        raise WorkflowError(
            {"criteria_met": "Select the criteria the case meets: a review is commissioned against them"}
        )
    reasons = reasons.strip() if reasons else ""
    remit = require_text(remit, field="remit", message="Set the review's remit: what it is to examine")
    if (
        lay_adviser is None
        or not lay_adviser.is_active
        or lay_adviser.area_id != review.area_id
        or not lay_adviser.has_role(Role.LAY_ADVISER)
    ):
        raise WorkflowError({"lay_adviser": "Select a lay adviser of the area: every review involves one"})
    return _decide(
        actor=actor,
        review=review,
        transition="commission",
        criteria_met=criteria_met,
        reasons=reasons,
        decided_on=decided_on,
        more={"remit": remit, "lay_adviser": lay_adviser},
    )


# ---------------------------------------------------------------------------------------------
# The report (MAPPA O)
# ---------------------------------------------------------------------------------------------


def scr_report_write(*, actor: User, review: SeriousCaseReview, **sections: str) -> SeriousCaseReview:
    """Save the report's sections (background, chronology, findings, learning points), every one written and none
    naming the person. The first save makes the review "report drafted"; later saves, until approval, amend it."""
    permissions.require(actor, "case_reviews.write_case_review_report", review)
    unknown = set(sections) - {key for key, _ in REPORT_SECTIONS}
    if unknown:
        raise WorkflowError(f"The report has no section {', '.join(sorted(unknown))}")
    texts = {key: (sections.get(key) or "").strip() for key, _ in REPORT_SECTIONS}
    missing = {key: f"Write the {label.lower()}" for key, label in REPORT_SECTIONS if not texts[key]}
    if missing:
        raise WorkflowError(missing)

    def prepare(locked: SeriousCaseReview) -> dict[str, object]:
        _without_the_person(locked, texts)
        for key, text in texts.items():
            setattr(locked, key, text)
        return {"update_fields": [*texts, "report_drafted_on"]}

    return transition_under_lock(
        review, "draft_report", actor=actor, what=WHAT, action_label="write the report", prepare=prepare
    )


def scr_report_approve(*, actor: User, review: SeriousCaseReview) -> SeriousCaseReview:
    """An SMB member of the area approves the drafted report (it is not published without the SMB's approval)."""
    permissions.require(actor, "case_reviews.approve_case_review_report", review)

    def prepare(locked: SeriousCaseReview) -> dict[str, object]:
        locked.report_approved_by = actor
        return {"update_fields": ["report_approved_on", "report_approved_by"]}

    return transition_under_lock(
        review, "approve_report", actor=actor, what=WHAT, action_label="approve the report", prepare=prepare
    )


def scr_close(*, actor: User, review: SeriousCaseReview) -> SeriousCaseReview:
    """An SMB member of the area closes an approved review once every action of its plan is completed."""
    permissions.require(actor, "case_reviews.close_case_review", review)

    def prepare(locked: SeriousCaseReview) -> dict[str, object]:
        if locked.state == ReviewState.REPORT_APPROVED and not locked.actions_complete():
            if not locked.actions.exists():
                raise WorkflowError({"actions": "Add the review's action plan before closing it"})
            raise WorkflowError({"actions": "Complete every action of the plan before closing the review"})
        return {"update_fields": ["closed_on"]}

    return transition_under_lock(review, "close", actor=actor, what=WHAT, action_label="close it", prepare=prepare)


# ---------------------------------------------------------------------------------------------
# The action plan
# ---------------------------------------------------------------------------------------------

PLAN_STATES = (ReviewState.COMMISSIONED, ReviewState.REPORT_DRAFTED, ReviewState.REPORT_APPROVED)


def scr_action_add(
    *, actor: User, review: SeriousCaseReview, description: str, owning_agency: Agency | None, due_date: dt.date | None
) -> ReviewAction:
    """Add an action to a commissioned review's plan: what, which agency of the area, by when."""
    permissions.require(actor, "case_reviews.manage_case_review_actions", review)
    description = require_text(description, field="description", message="Describe the action")
    if owning_agency is None or owning_agency.area_id != review.area_id:
        raise WorkflowError({"owning_agency": "Select the agency of the area that owns the action"})
    if due_date is None:
        raise WorkflowError({"due_date": "Enter the date the action is due"})
    with transaction.atomic():
        locked = lock_for_change(review, state_field="state", what=WHAT)
        if locked.state not in PLAN_STATES:
            raise WorkflowError(
                {"state": f"You cannot add an action because this review is {locked.get_state_display().lower()}"}
            )
        _without_the_person(locked, {"description": description})
        action = ReviewAction(
            review=locked, description=description, owning_agency=owning_agency, due_date=due_date, added_by=actor
        )
        _valid(action)
        action.save(force_insert=True)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=action,
            area_id=locked.area_id,
            to_state=action.state,
            details={"review": locked.reference, "owning_agency": owning_agency.pk, "due_date": due_date},
        )
    return action


def scr_action_complete(*, actor: User, action: ReviewAction, completed_on: dt.date | None = None) -> ReviewAction:
    """Mark an action of a review's plan completed (not before it was added, never in the future)."""
    permissions.require(actor, "case_reviews.manage_case_review_actions", action)
    added = timezone.localdate(action.added_at)
    completed_on = _day(
        completed_on or timezone.localdate(), field="completed_on", label="date completed", not_before=added
    )

    def prepare(locked: ReviewAction) -> dict[str, object]:
        if locked.review.state == ReviewState.CLOSED:
            raise WorkflowError({"state": "This review is closed"})
        locked.completed_by = actor
        return {"update_fields": ["completed_on", "completed_by"], "on": completed_on}

    return transition_under_lock(
        action, "complete", actor=actor, what="This action", action_label="complete it", prepare=prepare
    )
