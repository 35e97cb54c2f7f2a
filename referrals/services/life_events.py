"""Dated life events, and the changes to custody, hospital, category or registration they bring."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from mappa_workflow import roles
from mappa_workflow.audit import audit_record
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, AgencyType, Area, AuditAction, User
from mappa_workflow.services_base import require_not_future

from ..models import (
    Category,
    ExitReason,
    Individual,
    LifeEvent,
    LifeEventType,
    Location,
    Registration,
)
from .registrations import _change_period, _open_registration, open_period, registration_exit

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
