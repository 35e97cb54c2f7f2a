"""MAPPA registrations and their dated periods: opening one, changing the level or the
circumstances (category, location, lead agency) from a date, and ending it."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from mappa_workflow import roles
from mappa_workflow.audit import audit_record
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, Area, AuditAction, User
from mappa_workflow.services_base import apply_transition, lock_for_change, require_not_future, require_text

from ..models import (
    LEVEL_FOR_STATUS,
    Category,
    ExitReason,
    Individual,
    Location,
    Registration,
    RegistrationPeriod,
    RegistrationStatus,
)
from ..signals import registration_changed


def _check_category_level(category: int, level: int, *, field: str = "level") -> None:
    if category not in Category.values:
        raise WorkflowError({"category": "Category must be 1, 2, 3 or 4"})
    if level not in (1, 2, 3):
        raise WorkflowError({field: "Level must be 1, 2 or 3"})
    if category == Category.OTHER_DANGEROUS and level == 1:
        raise WorkflowError(
            {
                field: "Category 3 cases are managed only at Level 2 or 3: a Category 3 case leaves MAPPA instead of going to Level 1"
            }
        )


def open_period(registration: Registration) -> RegistrationPeriod:
    period = registration.periods.select_for_update().filter(end_date__isnull=True).first()
    if period is None:
        raise WorkflowError("This registration has no open period: it has ended")
    return period


def _change_period(
    registration: Registration,
    *,
    effective_date: date,
    reason: str,
    category: int | None = None,
    level: int | None = None,
    location: str | None = None,
    lead_agency: Agency | None = None,
) -> RegistrationPeriod:
    """Close the open period on ``effective_date`` and open one with the changed values.

    A change on the day the open period began replaces that period's values instead, so no
    period is ever empty. Nothing changes if the values are already those asked for.
    """
    current = open_period(registration)
    if effective_date < current.start_date:
        raise WorkflowError(
            {
                "effective_date": f"The date must be on or after {current.start_date:%-d %B %Y}, when the current period began"
            }
        )
    new_category = category if category is not None else current.category
    new_level = level if level is not None else current.level
    new_values = {
        "category": new_category,
        "level": new_level,
        "location": location if location is not None else current.location,
        "lead_agency_id": lead_agency.pk if lead_agency is not None else current.lead_agency_id,
    }
    _check_category_level(new_category, new_level)
    if new_values["location"] not in Location.values:
        raise WorkflowError({"location": "Select community, custody or hospital"})
    if all(getattr(current, k) == v for k, v in new_values.items()):
        return current
    if effective_date == current.start_date:
        for key, value in new_values.items():
            setattr(current, key, value)
        current.change_reason = reason[:200]
        current.save(update_fields=[*new_values.keys(), "change_reason"])
        return current
    current.end_date = effective_date
    current.save(update_fields=["end_date"])
    return RegistrationPeriod.objects.create(
        registration=registration,
        individual_id=registration.individual_id,
        area_id=registration.area_id,
        start_date=effective_date,
        change_reason=reason[:200],
        **new_values,
    )


def _locked_registration(registration: Registration) -> Registration:
    return lock_for_change(registration, state_field="status", what="This registration")


def _after_commit_registration(registration: Registration, change: str, actor: User | None) -> None:
    transaction.on_commit(
        lambda: registration_changed.send(
            sender=Registration,
            registration_id=registration.pk,
            transition=change,
            actor_id=actor.pk if actor else None,
        )
    )


def registration_open(
    *,
    actor: User | None,
    individual: Individual,
    area: Area,
    category: int,
    level: int,
    location: str,
    lead_agency: Agency,
    start_date: date,
    reason: str,
    first_meeting_due: date | None = None,
) -> Registration:
    """Register ``individual`` as MAPPA-eligible in ``area`` from ``start_date``.

    For the area's co-ordinators and chairs; Category 4 also needs counter-terrorism clearance.
    """
    roles.require(actor, "referrals.manage_registration", area)
    roles.require_category_clearance(actor, category)
    return _open_registration(
        actor=actor,
        individual=individual,
        area=area,
        category=category,
        level=level,
        location=location,
        lead_agency=lead_agency,
        start_date=start_date,
        reason=reason,
        first_meeting_due=first_meeting_due,
    )


def _open_registration(
    *,
    actor: User | None,
    individual: Individual,
    area: Area,
    category: int,
    level: int,
    location: str,
    lead_agency: Agency,
    start_date: date,
    reason: str,
    first_meeting_due: date | None = None,
) -> Registration:
    """Open a registration for a caller whose own permission check already covers it (a screening
    decision, a transfer in or a breached order recorded as a life event)."""
    require_not_future(start_date, field="start_date", label="start date")
    _check_category_level(category, level)
    if location not in Location.values:
        raise WorkflowError({"location": "Select community, custody or hospital"})
    if lead_agency.area_id != area.pk:
        raise WorkflowError({"lead_agency": f"The lead agency must be an agency of {area}"})
    with transaction.atomic():
        locked_individual = Individual.objects.select_for_update().get(pk=individual.pk)
        if locked_individual.registrations.active().exists():
            raise WorkflowError({"individual": f"{individual} already has an active MAPPA registration"})
        last_end = (
            locked_individual.registrations.filter(ended_on__isnull=False)
            .order_by("-ended_on")
            .values_list("ended_on", flat=True)
            .first()
        )
        if last_end and start_date < last_end:
            raise WorkflowError(
                {
                    "start_date": f"The start date must be on or after {last_end:%-d %B %Y}, when the last registration ended"
                }
            )
        registration = Registration(
            individual=locked_individual,
            area=area,
            status=RegistrationStatus(f"level_{level}"),
            started_on=start_date,
            first_meeting_due=first_meeting_due,
        )
        registration.save(force_insert=True)
        RegistrationPeriod.objects.create(
            registration=registration,
            individual=locked_individual,
            area=area,
            start_date=start_date,
            category=category,
            level=level,
            location=location,
            lead_agency=lead_agency,
            change_reason=reason[:200],
        )
        if locked_individual.area_id != area.pk:
            locked_individual.area = area
            locked_individual.save(update_fields=["area"])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=registration,
            to_state=registration.status,
            reason=reason,
            details={"category": category, "level": level, "location": location, "start_date": start_date},
        )
        _after_commit_registration(registration, "opened", actor)
    return registration


_LEVEL_TRANSITIONS = {
    (1, 2): "escalate_to_level_2",
    (1, 3): "escalate_to_level_3",
    (2, 3): "escalate_to_level_3",
    (3, 2): "de_escalate_to_level_2",
    (2, 1): "de_escalate_to_level_1",
    (3, 1): "de_escalate_to_level_1",
}


def registration_change_level(
    *,
    actor: User | None,
    registration: Registration,
    level: int,
    effective_date: date,
    reason: str,
    category: int | None = None,
    first_meeting_due: date | None = None,
) -> Registration:
    """Escalate or de-escalate a registration from ``effective_date`` (a transition with a reason)."""
    roles.require(actor, "referrals.manage_registration", registration)
    roles.require_category_clearance(actor, category)
    reason = require_text(reason, field="reason", message="Enter the reason for the level change")
    require_not_future(effective_date, field="effective_date", label="effective date")
    with transaction.atomic():
        locked = _locked_registration(registration)
        current_level = LEVEL_FOR_STATUS.get(locked.status)
        if current_level is None:
            raise WorkflowError({"state": "This registration has ended: its level cannot change"})
        if level == current_level and (category is None or category == open_period(locked).category):
            raise WorkflowError({"level": f"The case is already managed at Level {level}"})
        if level != current_level:
            transition_name = _LEVEL_TRANSITIONS.get((current_level, level))
            if transition_name is None:
                raise WorkflowError({"level": "Level must be 1, 2 or 3"})
            new_category = category if category is not None else open_period(locked).category
            _check_category_level(new_category, level)
        _change_period(locked, effective_date=effective_date, reason=reason, level=level, category=category)
        update_fields = []
        if level == 1:
            locked.first_meeting_due = None
            locked.next_review_due = None
            update_fields += ["first_meeting_due", "next_review_due"]
        elif first_meeting_due is not None:
            locked.first_meeting_due = first_meeting_due
            update_fields.append("first_meeting_due")
        if level != current_level:
            apply_transition(
                locked,
                _LEVEL_TRANSITIONS[(current_level, level)],
                actor=actor,
                what="This registration",
                action_label=f"move the case to Level {level}",
                state_field="status",
                update_fields=update_fields,
                reason=reason,
                details={"effective_date": effective_date, "category": category},
            )
        else:
            if update_fields:
                locked.save(update_fields=update_fields)
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                obj=locked,
                reason=reason,
                details={"effective_date": effective_date, "category": category},
            )
        _after_commit_registration(locked, "level_changed", actor)
    return locked


def registration_change_circumstances(
    *,
    actor: User | None,
    registration: Registration,
    effective_date: date,
    reason: str,
    category: int | None = None,
    location: str | None = None,
    lead_agency: Agency | None = None,
) -> Registration:
    """Change category, location or lead agency from ``effective_date`` (a new period)."""
    roles.require(actor, "referrals.manage_registration", registration)
    roles.require_category_clearance(actor, category)
    reason = require_text(reason, field="reason", message="Enter the reason for the change")
    require_not_future(effective_date, field="effective_date", label="effective date")
    if lead_agency is not None and lead_agency.area_id != registration.area_id:
        raise WorkflowError({"lead_agency": "The lead agency must be an agency of the registration's area"})
    with transaction.atomic():
        locked = _locked_registration(registration)
        if locked.status == RegistrationStatus.EXITED:
            raise WorkflowError({"state": "This registration has ended"})
        _change_period(
            locked,
            effective_date=effective_date,
            reason=reason,
            category=category,
            location=location,
            lead_agency=lead_agency,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            reason=reason,
            details={
                "effective_date": effective_date,
                "category": category,
                "location": location,
                "lead_agency": lead_agency.pk if lead_agency else None,
            },
        )
        _after_commit_registration(locked, "circumstances_changed", actor)
    return locked


def registration_exit(
    *, actor: User | None, registration: Registration, reason: str, effective_date: date, notes: str = ""
) -> Registration:
    """End a registration on ``effective_date`` for one of the MAPPA exit reasons."""
    roles.require(actor, "referrals.manage_registration", registration)
    if reason not in ExitReason.values:
        raise WorkflowError({"reason": "Select why the person leaves MAPPA"})
    require_not_future(effective_date, field="effective_date", label="exit date")
    with transaction.atomic():
        locked = _locked_registration(registration)
        if locked.status == RegistrationStatus.EXITED:
            raise WorkflowError({"state": "This registration has already ended"})
        current = open_period(locked)
        if effective_date < current.start_date:
            raise WorkflowError(
                {
                    "effective_date": f"The exit date must be on or after {current.start_date:%-d %B %Y}, when the current period began"
                }
            )
        if effective_date == current.start_date:
            if effective_date == locked.started_on:
                raise WorkflowError({"effective_date": "A registration cannot end on the day it starts"})
            current.delete()  # the previous period already ends on this date
        else:
            current.end_date = effective_date
            current.save(update_fields=["end_date"])
        apply_transition(
            locked,
            "exit",
            actor=actor,
            what="This registration",
            action_label="record an exit",
            state_field="status",
            update_fields=["ended_on", "exit_reason", "exit_notes"],
            reason=ExitReason(reason).label,
            details={"effective_date": effective_date, "notes": notes},
            ended_on=effective_date,
            exit_reason=reason,
            notes=notes,
        )
        _after_commit_registration(locked, "exited", actor)
    return locked
