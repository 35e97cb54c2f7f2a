"""MAPPA A referrals: drafting, submitting, asking for more information, resubmitting,
withdrawing, and the screening decision (which opens or moves the registration)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from mappa_workflow import roles
from mappa_workflow.audit import audit_record
from mappa_workflow.changes import announce
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, Area, AreaSettings, AuditAction, User
from mappa_workflow.services_base import lock_for_change, require_not_future, require_text, transition_under_lock
from mappa_workflow.working_days import add_working_days

from ..models import (
    AWAITING_SCREENING,
    OPEN_FOR_EDITING,
    Category,
    Individual,
    Location,
    Referral,
    ReferralState,
    Registration,
)
from ..signals import referral_transitioned
from ._common import _clean
from .registrations import _open_registration, open_period, registration_change_level

REFERRAL = "This referral"

REFERRAL_ANSWER_FIELDS = (
    "level_requested",
    "category",
    "why_level_2_cannot_manage",
    "reason_for_referral",
    "risk_of_serious_harm",
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
    "referring_officer_name",
    "referring_officer_phone",
    "referring_officer_email",
)


def _validate_referral_answers(referral: Referral) -> None:
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if referral.category == Category.OTHER_DANGEROUS and referral.level_requested not in (None, 2, 3):
        errors["level_requested"] = "A Category 3 referral must be for Level 2 or Level 3"
    for name, label in (("index_offence_date", "index offence"), ("sentence_date", "sentence")):
        value = getattr(referral, name)
        if value and value > today:
            errors[name] = f"The date of the {label} must be today or in the past"
        if value and value.year < 1900:
            errors[name] = f"The date of the {label} must be after 1900"
    if referral.index_offence_date and referral.sentence_date and referral.sentence_date < referral.index_offence_date:
        errors["sentence_date"] = "The date of sentence must be on or after the date of the index offence"
    if (
        referral.sentence_expiry_date
        and referral.sentence_date
        and referral.sentence_expiry_date < referral.sentence_date
    ):
        errors["sentence_expiry_date"] = "The sentence expiry date must be on or after the date of sentence"
    if (
        referral.current_location == Location.CUSTODY
        and referral.expected_release_date
        and referral.expected_release_date < today
    ):
        errors["expected_release_date"] = (
            "The expected release date must be today or in the future: the person is in custody"
        )
    if referral.individual_id and referral.index_offence_date:
        dob = referral.individual.date_of_birth
        if referral.index_offence_date < dob:
            errors["index_offence_date"] = "The index offence cannot be before the person's date of birth"
    if errors:
        raise WorkflowError(errors)
    _clean(referral, exclude=["state", "reference"])


def _next_reference(area: Area) -> str:
    year = timezone.localdate().year
    prefix = f"{area.slug[:4].upper()}{year % 100:02d}-"
    last = (
        Referral.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def _check_refers_for_own_agency(actor: User, agency: Agency) -> None:
    """A practitioner refers for their own agency: a referral in another agency's name would give that
    agency sight of the person and take it from their own. Co-ordinators (and administrators) may record a
    referral for any agency of the person's area, as when one arrives on paper."""
    if roles.is_coordinator(actor) or roles.is_administrator(actor):
        return
    if agency.pk != actor.agency_id:
        raise WorkflowError(
            {"referring_agency": f"You can refer only for your own agency ({actor.agency or 'none recorded'})"}
        )


def referral_create(
    *, actor: User, individual: Individual, referring_agency: Agency | None = None, **answers: Any
) -> Referral:
    """Start a MAPPA A referral (a draft) about ``individual`` from the actor's agency."""
    roles.require(actor, "referrals.create_referral")
    roles.require_category_clearance(actor, answers.get("category"))
    unknown = set(answers) - set(REFERRAL_ANSWER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown referral fields: {sorted(unknown)}")
    agency = referring_agency or actor.agency
    if agency is None:
        raise WorkflowError({"referring_agency": "Select the referring agency"})
    _check_refers_for_own_agency(actor, agency)
    if agency.area_id != individual.area_id:
        raise WorkflowError({"referring_agency": f"The referring agency must be an agency of {individual.area}"})
    answers.setdefault("referring_officer_name", actor.get_full_name())
    answers.setdefault("referring_officer_email", actor.email)
    for attempt in range(5):
        referral = Referral(
            area_id=individual.area_id,
            individual=individual,
            referring_agency=agency,
            referring_officer=actor,
            reference=_next_reference(individual.area),
            **answers,
        )
        _validate_referral_answers(referral)
        try:
            with transaction.atomic():
                referral.save(force_insert=True)
                audit_record(actor=actor, action=AuditAction.CREATE, obj=referral, to_state=referral.state)
            return referral
        except IntegrityError:
            if attempt == 4 or not Referral.objects.filter(reference=referral.reference).exists():
                raise
    raise AssertionError("unreachable")


def referral_update(*, actor: User, referral: Referral, **answers: Any) -> Referral:
    """Change a draft's answers, or answer a request for more information."""
    roles.require(actor, "referrals.edit_referral", referral)
    roles.require_category_clearance(actor, answers.get("category"))
    unknown = set(answers) - set(REFERRAL_ANSWER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown referral fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = lock_for_change(referral, state_field="state", what=REFERRAL)
        if locked.state not in OPEN_FOR_EDITING:
            raise WorkflowError({"state": f"A referral that is {locked.get_state_display().lower()} cannot be changed"})
        changed = [name for name, value in answers.items() if getattr(locked, name) != value]
        for name, value in answers.items():
            setattr(locked, name, value)
        _validate_referral_answers(locked)
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, details={"fields": changed})
    return locked


def _announce_referral(referral: Referral, transition_name: str, actor: User | None) -> None:
    """Write the transition's messages now, in its transaction (they commit or roll back with it),
    and send ``referral_transitioned`` after commit for anyone else listening."""
    actor_id = actor.pk if actor else None
    announce(about="referral", object_id=referral.pk, change=transition_name, actor_id=actor_id)
    transaction.on_commit(
        lambda: referral_transitioned.send(
            sender=Referral, referral_id=referral.pk, transition=transition_name, actor_id=actor_id
        )
    )


def _referral_transition(
    referral: Referral,
    transition_name: str,
    *,
    actor: User | None,
    action_label: str,
    prepare: Callable[[Referral], dict[str, Any] | None] | None = None,
    then: Callable[[Referral], None] | None = None,
    **options: Any,
) -> Referral:
    """One referral transition (:func:`transition_under_lock`), announced in its transaction."""

    def after(locked: Referral) -> None:
        if then is not None:
            then(locked)
        _announce_referral(locked, transition_name, actor)

    return transition_under_lock(
        referral,
        transition_name,
        actor=actor,
        what=REFERRAL,
        action_label=action_label,
        prepare=prepare,
        then=after,
        **options,
    )


def _require_complete_when(state: str) -> Callable[[Referral], None]:
    """Refuse to send a referral in ``state`` on while a mandatory MAPPA A answer is missing."""

    def check(locked: Referral) -> None:
        if locked.state == state:
            missing = locked.missing_for_submission()
            if missing:
                raise WorkflowError(missing)

    return check


def referral_submit(*, actor: User, referral: Referral, submitted_on: date | None = None) -> Referral:
    """Send a complete draft to the co-ordinator. Every mandatory MAPPA A answer must be given.

    ``submitted_on`` records a referral received earlier (by email, say) on the day it arrived.
    """
    roles.require(actor, "referrals.edit_referral", referral)
    if submitted_on is not None:
        require_not_future(submitted_on, field="submitted_on", label="date the referral was received")

    def received_on(locked: Referral) -> None:
        if submitted_on is not None:
            locked.submitted_at = timezone.make_aware(dt.datetime.combine(submitted_on, dt.time(9, 0)))
            locked.save(update_fields=["submitted_at"])

    return _referral_transition(
        referral,
        "submit",
        actor=actor,
        action_label="submit it",
        prepare=_require_complete_when(ReferralState.DRAFT),
        then=received_on,
        update_fields=["submitted_at", "updated_at"],
    )


def referral_request_more_information(*, actor: User | None, referral: Referral, request: str) -> Referral:
    """Ask the referrer for more before screening. The request is shown to the referrer."""
    roles.require(actor, "referrals.screen_referral", referral)
    request = require_text(request, field="request", message="Say what more information you need")
    return _referral_transition(
        referral,
        "request_more_information",
        actor=actor,
        action_label="ask for more information",
        update_fields=["more_information_request", "updated_at"],
        reason=request,
        request=request,
    )


def referral_resubmit(*, actor: User, referral: Referral) -> Referral:
    roles.require(actor, "referrals.edit_referral", referral)
    return _referral_transition(
        referral,
        "resubmit",
        actor=actor,
        action_label="resubmit it",
        prepare=_require_complete_when(ReferralState.MORE_INFORMATION_REQUESTED),
        update_fields=["submitted_at", "updated_at"],
    )


class ScreeningDecision(models.TextChoices):
    """What a threshold meeting (or a co-ordinator screening) decides about a referral."""

    LEVEL_2 = "level_2", "Accept at Level 2"
    LEVEL_3 = "level_3", "Accept at Level 3"
    LEVEL_1 = "level_1", "Manage at Level 1 (not adopted)"

    @property
    def transition(self) -> str:
        """The referral's transition for this decision."""
        return {"level_2": "accept_at_level_2", "level_3": "accept_at_level_3", "level_1": "manage_at_level_1"}[
            self.value
        ]

    @property
    def level(self) -> int:
        """The level the case is managed at after this decision."""
        return int(self.value.removeprefix("level_"))


def first_meeting_due_date(area: Area, level: int, decided_on: date) -> date:
    settings = AreaSettings.for_area(area)
    days = settings.first_meeting_working_days_level_3 if level == 3 else settings.first_meeting_working_days_level_2
    return add_working_days(decided_on, days)


def referral_decide(
    *,
    actor: User | None,
    referral: Referral,
    decision: str,
    rationale: str,
    decided_on: date | None = None,
    why_level_2_cannot_manage: str | None = None,
) -> Referral:
    """Record the screening decision. Accepting opens (or moves) the registration at the decided
    level and sets the first meeting's due date in working days from the decision."""
    roles.require(actor, "referrals.screen_referral", referral)
    if decision not in ScreeningDecision.values:
        raise WorkflowError({"decision": "Select a decision: Level 2, Level 3 or Level 1"})
    rationale = require_text(rationale, field="rationale", message="Enter the rationale for the decision")
    decided_on = decided_on or timezone.localdate()
    require_not_future(decided_on, field="decided_on", label="decision date")
    level = ScreeningDecision(decision).level

    def prepare(locked: Referral) -> dict[str, Any]:
        if locked.state not in AWAITING_SCREENING:
            raise WorkflowError(
                {"state": f"You cannot screen this referral because it is {locked.get_state_display().lower()}"}
            )
        if locked.submitted_at and decided_on < timezone.localtime(locked.submitted_at).date():
            raise WorkflowError({"decided_on": "The decision date cannot be before the referral was submitted"})
        if why_level_2_cannot_manage is not None and why_level_2_cannot_manage.strip():
            locked.why_level_2_cannot_manage = why_level_2_cannot_manage.strip()
        if level == 3 and not locked.why_level_2_cannot_manage.strip():
            raise WorkflowError(
                {"why_level_2_cannot_manage": "A Level 3 decision must say what Level 2 management cannot deliver"}
            )
        category = int(locked.category or 0)
        update_fields = ["decided_on", "decision_rationale", "decided_by", "why_level_2_cannot_manage", "updated_at"]
        if level in (2, 3):
            locked.first_meeting_due = first_meeting_due_date(locked.area, level, decided_on)
            locked.registration = _register_for_decision(
                actor=actor, referral=locked, level=level, category=category, decided_on=decided_on
            )
            update_fields += ["first_meeting_due", "registration"]
        elif category in (Category.SEXUAL, Category.VIOLENT, Category.TERRORISM):
            # Not adopted for meetings, but still MAPPA-eligible: make sure they are registered at Level 1.
            active = locked.individual.registrations.active().first()
            if active is None:
                locked.registration = _open_registration(
                    actor=actor,
                    individual=locked.individual,
                    area=locked.area,
                    category=category,
                    level=1,
                    location=locked.current_location,
                    lead_agency=locked.referring_agency,
                    start_date=decided_on,
                    reason=f"Referral {locked.reference} managed at Level 1",
                )
            else:
                locked.registration = active
            update_fields.append("registration")
        return {
            "update_fields": update_fields,
            "details": {"decided_on": decided_on, "first_meeting_due": locked.first_meeting_due},
        }

    return _referral_transition(
        referral,
        ScreeningDecision(decision).transition,
        actor=actor,
        action_label="record this decision",
        prepare=prepare,
        reason=rationale,
        decided_on=decided_on,
        rationale=rationale,
        decided_by=actor,
    )


def _register_for_decision(
    *, actor: User | None, referral: Referral, level: int, category: int, decided_on: date
) -> Registration:
    reason = f"Referral {referral.reference} accepted at Level {level}"
    active = referral.individual.registrations.active().first()
    due = first_meeting_due_date(referral.area, level, decided_on)
    if active is None:
        return _open_registration(
            actor=actor,
            individual=referral.individual,
            area=referral.area,
            category=category,
            level=level,
            location=referral.current_location,
            lead_agency=referral.referring_agency,
            start_date=decided_on,
            reason=reason,
            first_meeting_due=due,
        )
    if active.area_id != referral.area_id:
        raise WorkflowError(
            {"individual": f"{referral.individual} is registered in {active.area}; transfer the case first"}
        )
    current_level = active.level
    current_category = open_period(active).category
    if current_level == level and current_category == category:
        active.first_meeting_due = due
        active.save(update_fields=["first_meeting_due"])
        return active
    return registration_change_level(
        actor=actor,
        registration=active,
        level=level,
        effective_date=decided_on,
        reason=reason,
        category=category if category != current_category else None,
        first_meeting_due=due,
    )


def referral_withdraw(*, actor: User, referral: Referral, reason: str) -> Referral:
    roles.require(actor, "referrals.edit_referral", referral)
    reason = require_text(reason, field="reason", message="Enter why the referral is withdrawn")
    return _referral_transition(
        referral,
        "withdraw",
        actor=actor,
        action_label="withdraw it",
        update_fields=["withdrawal_reason", "updated_at"],
        reason=reason,
        withdrawal_reason=reason,
    )
