"""The Level 1 review: one service records it and, when the review says so, refers the case to Level 2
in the same transaction through the referral services (a MAPPA A submitted to the co-ordinator)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from mappa_workflow.audit import audit_record
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AuditAction, User
from mappa_workflow.services_base import lock_for_change, require_not_future, require_text
from need_to_know import permissions
from referrals import services as referral_services
from referrals.models import Referral, Registration, RegistrationStatus

from .dates import add_months
from .models import LevelOneReview, LevelOneSettings

# The answers of the person's last MAPPA A that a referral from a review carries over: the offending and
# sentence do not change because the risk did.
CARRIED_OVER = (
    "category",
    "current_location",
    "proposed_release_address",
    "expected_release_date",
    "index_offence",
    "index_offence_date",
    "sentence",
    "sentence_date",
    "sentence_expiry_date",
    "previous_relevant_offending",
    "hospital_detention",
    "risk_of_serious_harm",
)


def _refer_to_level_2(*, actor: User | None, registration: Registration, lead_agency: Any, notes: str) -> Referral:
    last = (
        Referral.objects.filter(individual_id=registration.individual_id, category__isnull=False)
        .exclude(state="withdrawn")
        .order_by("-created_at")
        .first()
    )
    if last is None:
        raise WorkflowError(
            {"refer_to_level_2": "There is no earlier MAPPA A to carry over: make a full referral to Level 2"}
        )
    answers = {name: getattr(last, name) for name in CARRIED_OVER if getattr(last, name) not in (None, "")}
    if actor is not None and actor.get_full_name():
        answers["referring_officer_name"] = actor.get_full_name()
    referral = referral_services.referral_create(
        actor=actor,  # type: ignore[arg-type]
        individual=registration.individual,
        referring_agency=lead_agency,
        level_requested=2,
        reason_for_referral=f"Level 1 review: {notes}",
        **answers,
    )
    missing = referral.missing_for_submission()
    if missing:
        raise WorkflowError(
            {"refer_to_level_2": "The earlier MAPPA A lacks answers a referral needs: make a full referral to Level 2"}
        )
    return referral_services.referral_submit(actor=actor, referral=referral)  # type: ignore[arg-type]


def level_one_review_record(
    *,
    actor: User | None,
    registration: Registration,
    reviewed_on: dt.date | None,
    risk_changed: bool | None,
    plan_robust: bool | None,
    refer_to_level_2: bool | None,
    notes: str,
) -> LevelOneReview:
    """Record a Level 1 review. The next review falls due the area's interval after it; a review that refers
    the case to Level 2 sends the referral to the co-ordinator (who is emailed, as for any referral)."""
    permissions.require(actor, "level_one.review_case", registration)
    errors: dict[str, str] = {}
    for name, value, message in (
        ("risk_changed", risk_changed, "Say whether the risk has changed"),
        ("plan_robust", plan_robust, "Say whether the risk management plan is robust"),
        ("refer_to_level_2", refer_to_level_2, "Say whether to refer the case to Level 2"),
    ):
        if value is None:
            errors[name] = message
    if not str(notes or "").strip():
        errors["notes"] = "Enter what was considered and why"
    if reviewed_on is None:
        errors["reviewed_on"] = "Enter the date of the review"
    elif reviewed_on > timezone.localdate():
        errors["reviewed_on"] = "The date of the review must be today or in the past"
    elif reviewed_on < registration.started_on:
        errors["reviewed_on"] = "The review cannot be before the registration began"
    if errors:
        raise WorkflowError(errors)
    notes = require_text(notes, field="notes", message="Enter what was considered and why")
    reviewed_on = require_not_future(reviewed_on, field="reviewed_on", label="date of the review")
    with transaction.atomic():
        locked = lock_for_change(registration, state_field="status", what="This case")
        if locked.status != RegistrationStatus.LEVEL_1:
            raise WorkflowError({"registration": "Only a case managed at Level 1 has a Level 1 review"})
        period = locked.periods.filter(end_date__isnull=True).select_related("lead_agency").get()
        interval = LevelOneSettings.for_area(locked.area).review_interval_months
        review = LevelOneReview(
            area_id=locked.area_id,
            individual_id=locked.individual_id,
            registration=locked,
            lead_agency=period.lead_agency,
            reviewed_on=reviewed_on,
            risk_changed=bool(risk_changed),
            plan_robust=bool(plan_robust),
            refer_to_level_2=bool(refer_to_level_2),
            notes=notes,
            next_review_due=None if refer_to_level_2 else add_months(reviewed_on, interval),
            reviewed_by=actor,
        )
        if refer_to_level_2:
            review.referral = _refer_to_level_2(
                actor=actor, registration=locked, lead_agency=period.lead_agency, notes=notes
            )
        review.save(force_insert=True)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=review,
            details={
                "reviewed_on": reviewed_on,
                "risk_changed": review.risk_changed,
                "plan_robust": review.plan_robust,
                "refer_to_level_2": review.refer_to_level_2,
                "referral": review.referral.reference if review.referral else "",
            },
        )
    return review
