"""Every change to individuals, referrals, registrations and life events.

Each public function is one user-visible action: it runs in one transaction, locks what it
changes, checks the rules (raising :class:`WorkflowError` with the field at fault, before
anything is written), writes an audit row, and sends its signals only after commit.
Views, API views, admin actions and management commands all call these functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mappa_workflow import roles
from mappa_workflow.audit import audit_record
from mappa_workflow.changes import announce
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, AgencyType, Area, AreaSettings, AuditAction, User
from mappa_workflow.services_base import apply_transition, lock_for_change, require_not_future, require_text
from mappa_workflow.validators import hidden_character
from mappa_workflow.working_days import add_working_days

from .models import (
    AWAITING_SCREENING,
    LEVEL_FOR_STATUS,
    OPEN_FOR_EDITING,
    Alias,
    Category,
    ExitReason,
    Individual,
    LifeEvent,
    LifeEventType,
    Location,
    Referral,
    ReferralState,
    Registration,
    RegistrationPeriod,
    RegistrationStatus,
)
from .signals import referral_transitioned, registration_changed

# ---------------------------------------------------------------------------------------------
# Individuals
# ---------------------------------------------------------------------------------------------

INDIVIDUAL_FIELDS = (
    "given_names",
    "family_name",
    "date_of_birth",
    "gender",
    "ethnicity_as_stated",
    "address",
    "no_fixed_abode",
    "area_of_closest_links",
    "visor_reference",
    "pnc_reference",
    "ndelius_reference",
    "children_linked",
)


def _clean(instance: Any, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_constraints=True)
    except ValidationError as exc:
        raise WorkflowError.from_validation_error(exc) from exc


def _validate_individual(individual: Individual) -> None:
    _clean(individual)


def _checked_aliases(aliases: Iterable[str]) -> set[str]:
    """The aliases to keep, each a name a reader can see (raises naming ``aliases``)."""
    wanted = {a.strip() for a in aliases if a.strip()}
    for alias in sorted(wanted):
        found = hidden_character(alias)
        if found is not None:
            raise WorkflowError(
                {"aliases": f"Remove the hidden or control character ({found}) from the alias {alias!r}"}
            )
    return wanted


def individual_create(
    *, actor: User | None, area: Area, aliases: list[str] | tuple[str, ...] = (), **fields: Any
) -> Individual:
    """Record a new (synthetic) individual in ``area``."""
    roles.require(actor, "referrals.create_individual", area)
    unknown = set(fields) - set(INDIVIDUAL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown individual fields: {sorted(unknown)}")
    individual = Individual(area=area, **fields)
    _validate_individual(individual)
    wanted = _checked_aliases(aliases)
    with transaction.atomic():
        individual.save(force_insert=True)
        for name in wanted:
            Alias.objects.create(individual=individual, name=name)
        audit_record(actor=actor, action=AuditAction.CREATE, obj=individual)
    return individual


def individual_update(
    *, actor: User | None, individual: Individual, aliases: list[str] | None = None, **fields: Any
) -> Individual:
    roles.require(actor, "referrals.edit_individual", individual)
    unknown = set(fields) - set(INDIVIDUAL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown individual fields: {sorted(unknown)}")
    checked = None if aliases is None else _checked_aliases(aliases)
    with transaction.atomic():
        locked = Individual.objects.select_for_update().get(pk=individual.pk)
        changed = [name for name, value in fields.items() if getattr(locked, name) != value]
        for name, value in fields.items():
            setattr(locked, name, value)
        _validate_individual(locked)
        if changed:
            locked.save(update_fields=changed)
        if checked is not None:
            wanted = checked
            existing = set(locked.aliases.values_list("name", flat=True))
            locked.aliases.filter(name__in=existing - wanted).delete()
            Alias.objects.bulk_create([Alias(individual=locked, name=n) for n in wanted - existing])
            if wanted != existing:
                changed.append("aliases")
        if changed:
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, details={"fields": changed})
    return locked


# ---------------------------------------------------------------------------------------------
# Registration periods
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Life events
# ---------------------------------------------------------------------------------------------

_LOCATION_AFTER_EVENT = {
    LifeEventType.RETURNED_TO_CUSTODY_LICENCE: (Location.CUSTODY, {Location.COMMUNITY, Location.HOSPITAL}),
    LifeEventType.RETURNED_TO_CUSTODY_SHPO: (Location.CUSTODY, {Location.COMMUNITY, Location.HOSPITAL}),
    LifeEventType.RELEASED: (Location.COMMUNITY, {Location.CUSTODY}),
    LifeEventType.HOSPITAL_ADMISSION: (Location.HOSPITAL, {Location.COMMUNITY, Location.CUSTODY}),
    LifeEventType.HOSPITAL_DISCHARGE: (Location.COMMUNITY, {Location.HOSPITAL}),
}
_CATEGORY_1_ONLY = {
    LifeEventType.BREACH_NOTIFICATION_CAUTION,
    LifeEventType.BREACH_NOTIFICATION_CONVICTION,
    LifeEventType.LIFETIME_NOTIFICATION_REVOKED,
}


@dataclass(frozen=True)
class NewRegistration:
    """What a transfer in (or a breached SRO, for someone not yet registered) opens."""

    category: int
    level: int
    location: str
    lead_agency: Agency


def _default_police(area: Area) -> Agency:
    agency = Agency.objects.filter(area=area, agency_type=AgencyType.POLICE).order_by("pk").first()
    if agency is None:
        raise WorkflowError({"lead_agency": f"{area} has no police agency to lead the case"})
    return agency


def life_event_record(
    *,
    actor: User | None,
    individual: Individual,
    event_type: str,
    occurred_on: date,
    details: str = "",
    foreign_travel_restriction: bool = False,
    new_registration: NewRegistration | None = None,
) -> LifeEvent:
    """Record a dated event; where it changes custody, hospital, category or registration, change that too."""
    if event_type not in LifeEventType.values:
        raise WorkflowError({"event_type": "Select the type of event"})
    require_not_future(occurred_on, field="occurred_on", label="date of the event")
    if foreign_travel_restriction and event_type != LifeEventType.SHPO_IMPOSED:
        raise WorkflowError({"foreign_travel_restriction": "Only an SHPO can carry a foreign travel restriction"})
    roles.require(actor, "referrals.record_life_event", individual)
    with transaction.atomic():
        person = Individual.objects.select_for_update().get(pk=individual.pk)
        registration = person.registrations.active().select_for_update().first()
        current = open_period(registration) if registration else None
        area = registration.area if registration else person.area

        if event_type in _CATEGORY_1_ONLY and (current is None or current.category != Category.SEXUAL):
            raise WorkflowError({"event_type": "This event applies only to someone registered under Category 1"})
        if event_type in _LOCATION_AFTER_EVENT:
            if registration is None or current is None:
                raise WorkflowError({"event_type": f"{person} has no active MAPPA registration to record this against"})
            to_location, allowed_from = _LOCATION_AFTER_EVENT[LifeEventType(event_type)]
            if current.location not in allowed_from:
                raise WorkflowError(
                    {
                        "event_type": f"{person} is recorded as {Location(current.location).label.lower()}, so this event does not apply"
                    }
                )
            _change_period(
                registration,
                effective_date=occurred_on,
                reason=LifeEventType(event_type).label,
                location=to_location,
            )
        elif event_type == LifeEventType.TRANSFERRED_OUT:
            if registration is None:
                raise WorkflowError({"event_type": f"{person} has no active MAPPA registration to transfer"})
        elif event_type == LifeEventType.TRANSFERRED_IN:
            if registration is not None:
                raise WorkflowError({"event_type": f"{person} is already registered in {registration.area}"})
            if new_registration is None:
                raise WorkflowError(
                    {"category": "Say the category, level, location and lead agency the case arrives with"}
                )
            roles.require_category_clearance(actor, new_registration.category)
        elif (
            event_type == LifeEventType.SRO_BREACHED
            and registration is not None
            and current is not None
            and current.category != Category.SEXUAL
        ):
            _change_period(
                registration,
                effective_date=occurred_on,
                reason=LifeEventType.SRO_BREACHED.label,
                category=Category.SEXUAL,
            )

        event = LifeEvent.objects.create(
            individual=person,
            area=area,
            registration=registration,
            event_type=event_type,
            occurred_on=occurred_on,
            foreign_travel_restriction=foreign_travel_restriction,
            details=details,
            recorded_by=actor if actor and actor.pk else None,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=event,
            details={"event_type": event_type, "occurred_on": occurred_on, "individual": str(person.pk)},
        )

        # Events that end or start a registration go through the registration services, so their
        # rules and audit rows are the same as when a co-ordinator records them directly.
        if event_type == LifeEventType.TRANSFERRED_OUT and registration is not None:
            _system_exit(registration, ExitReason.TRANSFERRED_OUT, occurred_on, details, actor=actor)
        elif event_type == LifeEventType.LIFETIME_NOTIFICATION_REVOKED and registration is not None:
            _system_exit(registration, ExitReason.LIFETIME_NOTIFICATION_REVOKED, occurred_on, details, actor=actor)
        elif event_type == LifeEventType.TRANSFERRED_IN and new_registration is not None:
            opened = _open_registration(
                actor=actor,
                individual=person,
                area=new_registration.lead_agency.area,
                category=new_registration.category,
                level=new_registration.level,
                location=new_registration.location,
                lead_agency=new_registration.lead_agency,
                start_date=occurred_on,
                reason=LifeEventType.TRANSFERRED_IN.label,
            )
            event.registration = opened
            event.area = opened.area
            event.save(update_fields=["registration", "area"])
        elif event_type == LifeEventType.SRO_BREACHED and registration is None:
            opened = _open_registration(
                actor=actor,
                individual=person,
                area=person.area,
                category=Category.SEXUAL,
                level=1,
                location=Location.COMMUNITY,
                lead_agency=_default_police(person.area),
                start_date=occurred_on,
                reason=LifeEventType.SRO_BREACHED.label,
            )
            event.registration = opened
            event.save(update_fields=["registration"])
    return event


def _system_exit(
    registration: Registration, reason: str, effective_date: date, notes: str, *, actor: User | None = None
) -> None:
    """An exit that follows from a recorded event: the event's recorder is audited, the rules are the same."""
    registration_exit(actor=None, registration=registration, reason=reason, effective_date=effective_date, notes=notes)
    if actor is not None:
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=registration,
            reason=f"Exit recorded as a result of an event: {ExitReason(reason).label}",
        )


# ---------------------------------------------------------------------------------------------
# Referrals (MAPPA A)
# ---------------------------------------------------------------------------------------------

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
        locked = lock_for_change(referral, state_field="state", what="This referral")
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


def referral_submit(*, actor: User, referral: Referral, submitted_on: date | None = None) -> Referral:
    """Send a complete draft to the co-ordinator. Every mandatory MAPPA A answer must be given.

    ``submitted_on`` records a referral received earlier (by email, say) on the day it arrived.
    """
    roles.require(actor, "referrals.edit_referral", referral)
    if submitted_on is not None:
        require_not_future(submitted_on, field="submitted_on", label="date the referral was received")
    with transaction.atomic():
        locked = lock_for_change(referral, state_field="state", what="This referral")
        if locked.state == ReferralState.DRAFT:
            missing = locked.missing_for_submission()
            if missing:
                raise WorkflowError(missing)
        apply_transition(
            locked,
            "submit",
            actor=actor,
            what="This referral",
            action_label="submit it",
            update_fields=["submitted_at", "updated_at"],
        )
        if submitted_on is not None:
            locked.submitted_at = timezone.make_aware(dt.datetime.combine(submitted_on, dt.time(9, 0)))
            locked.save(update_fields=["submitted_at"])
        _announce_referral(locked, "submit", actor)
    return locked


def referral_request_more_information(*, actor: User | None, referral: Referral, request: str) -> Referral:
    """Ask the referrer for more before screening. The request is shown to the referrer."""
    roles.require(actor, "referrals.screen_referral", referral)
    request = require_text(request, field="request", message="Say what more information you need")
    with transaction.atomic():
        locked = lock_for_change(referral, state_field="state", what="This referral")
        apply_transition(
            locked,
            "request_more_information",
            actor=actor,
            what="This referral",
            action_label="ask for more information",
            update_fields=["more_information_request", "updated_at"],
            reason=request,
            request=request,
        )
        _announce_referral(locked, "request_more_information", actor)
    return locked


def referral_resubmit(*, actor: User, referral: Referral) -> Referral:
    roles.require(actor, "referrals.edit_referral", referral)
    with transaction.atomic():
        locked = lock_for_change(referral, state_field="state", what="This referral")
        if locked.state == ReferralState.MORE_INFORMATION_REQUESTED:
            missing = locked.missing_for_submission()
            if missing:
                raise WorkflowError(missing)
        apply_transition(
            locked,
            "resubmit",
            actor=actor,
            what="This referral",
            action_label="resubmit it",
            update_fields=["submitted_at", "updated_at"],
        )
        _announce_referral(locked, "resubmit", actor)
    return locked


class ScreeningDecision:
    LEVEL_2 = "level_2"
    LEVEL_3 = "level_3"
    LEVEL_1 = "level_1"
    CHOICES = [
        (LEVEL_2, "Accept at Level 2"),
        (LEVEL_3, "Accept at Level 3"),
        (LEVEL_1, "Manage at Level 1 (not adopted)"),
    ]
    TRANSITION = {LEVEL_2: "accept_at_level_2", LEVEL_3: "accept_at_level_3", LEVEL_1: "manage_at_level_1"}
    LEVEL = {LEVEL_2: 2, LEVEL_3: 3, LEVEL_1: 1}


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
    if decision not in ScreeningDecision.TRANSITION:
        raise WorkflowError({"decision": "Select a decision: Level 2, Level 3 or Level 1"})
    rationale = require_text(rationale, field="rationale", message="Enter the rationale for the decision")
    decided_on = decided_on or timezone.localdate()
    require_not_future(decided_on, field="decided_on", label="decision date")
    level = ScreeningDecision.LEVEL[decision]
    with transaction.atomic():
        locked = lock_for_change(referral, state_field="state", what="This referral")
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
        apply_transition(
            locked,
            ScreeningDecision.TRANSITION[decision],
            actor=actor,
            what="This referral",
            action_label="record this decision",
            update_fields=update_fields,
            reason=rationale,
            details={"decided_on": decided_on, "first_meeting_due": locked.first_meeting_due},
            decided_on=decided_on,
            rationale=rationale,
            decided_by=actor,
        )
        _announce_referral(locked, ScreeningDecision.TRANSITION[decision], actor)
    return locked


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
    with transaction.atomic():
        locked = lock_for_change(referral, state_field="state", what="This referral")
        apply_transition(
            locked,
            "withdraw",
            actor=actor,
            what="This referral",
            action_label="withdraw it",
            update_fields=["withdrawal_reason", "updated_at"],
            reason=reason,
            withdrawal_reason=reason,
        )
        _announce_referral(locked, "withdraw", actor)
    return locked
