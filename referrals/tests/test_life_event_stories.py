"""A co-ordinator records what happens in a person's life (a breach of notification, an order imposed, a recall,
a transfer) and ends a registration when the person leaves MAPPA: what was entered is kept against the right
registration and area, the audit trail says who recorded what and when, the history changes where the event says it
does, and an event or exit that cannot be recorded is refused with the message shown against its field, writing
nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import Agency, AgencyType, Area, AuditAction, AuditEvent
from referrals import services
from referrals.models import (
    ExitReason,
    Individual,
    LifeEvent,
    LifeEventType,
    Location,
    Registration,
    RegistrationStatus,
)
from referrals.signals import registration_changed
from tests import factories

pytestmark = pytest.mark.django_db

START = dt.date(2023, 4, 3)


def _registered(category: int = 1, location: str = Location.COMMUNITY, *, area: Area | None = None) -> Registration:
    return factories.registration_opened(
        category=category, level=1 if category == 1 else 2, location=location, area=area
    )


def _history(registration: Registration) -> list[tuple]:
    return list(
        registration.periods.order_by("start_date").values_list("start_date", "end_date", "category", "location")
    )


def _trail(obj: Any) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk))
        .order_by("occurred_at", "pk")
        .values_list("actor", "action", "reason", "details")
    )


def _record(person: Individual, event_type: str, **kwargs: Any) -> LifeEvent:
    kwargs.setdefault("occurred_on", dt.date(2024, 6, 3))
    return services.life_event_record(
        actor=kwargs.pop("actor", factories.coordinator()), individual=person, event_type=event_type, **kwargs
    )


# ---------------------------------------------------------------------------------------------
# What an event keeps
# ---------------------------------------------------------------------------------------------


def test_an_event_is_kept_against_the_registration_and_its_area_under_the_recorders_name():
    kent = Area.objects.get(slug="kent")
    registration = _registered(area=kent)
    person = registration.individual
    coordinator = factories.coordinator(kent)
    event = _record(
        person,
        LifeEventType.BREACH_NOTIFICATION_CONVICTION,
        actor=coordinator,
        details="Failed to notify a change of address",
    )
    event.refresh_from_db()
    assert (
        event.individual,
        event.area,
        event.registration,
        event.event_type,
        event.occurred_on,
        event.foreign_travel_restriction,
        event.details,
        event.recorded_by,
    ) == (
        person,
        kent,
        registration,
        LifeEventType.BREACH_NOTIFICATION_CONVICTION,
        dt.date(2024, 6, 3),
        False,
        "Failed to notify a change of address",
        coordinator,
    )
    assert _trail(event) == [
        (
            coordinator.pk,
            AuditAction.CREATE,
            "",
            {
                "event_type": LifeEventType.BREACH_NOTIFICATION_CONVICTION,
                "occurred_on": "2024-06-03",
                "individual": str(person.pk),
            },
        )
    ]


def test_an_shpo_keeps_its_foreign_travel_restriction_and_an_event_without_details_keeps_none():
    person = _registered().individual
    order = _record(person, LifeEventType.SHPO_IMPOSED, foreign_travel_restriction=True)
    order.refresh_from_db()
    assert (order.event_type, order.foreign_travel_restriction, order.details) == (
        LifeEventType.SHPO_IMPOSED,
        True,
        "",
    )


# ---------------------------------------------------------------------------------------------
# What an event changes
# ---------------------------------------------------------------------------------------------


def test_a_category_2_person_who_breaches_a_sexual_risk_order_becomes_category_1_from_that_day():
    registration = _registered(category=2)
    _record(registration.individual, LifeEventType.SRO_BREACHED, occurred_on=dt.date(2024, 6, 3))
    assert _history(registration) == [
        (START, dt.date(2024, 6, 3), 2, Location.COMMUNITY),
        (dt.date(2024, 6, 3), None, 1, Location.COMMUNITY),
    ]


def test_a_category_1_person_who_breaches_a_sexual_risk_order_keeps_one_unbroken_period():
    registration = _registered(category=1)
    event = _record(registration.individual, LifeEventType.SRO_BREACHED)
    assert _history(registration) == [(START, None, 1, Location.COMMUNITY)]
    assert event.registration == registration


def test_an_unregistered_person_who_breaches_a_sexual_risk_order_is_registered_under_the_areas_police():
    area = Area.objects.create(slug="synthetic-shire", name="Synthetic Shire (synthetic)", country="england")
    Agency.objects.create(area=area, agency_type=AgencyType.PROBATION, name="Synthetic Shire probation")
    police = Agency.objects.create(area=area, agency_type=AgencyType.POLICE, name="Synthetic Shire police")
    person = factories.IndividualFactory(area=area)
    event = _record(person, LifeEventType.SRO_BREACHED, actor=None)
    registration = person.registrations.get()
    assert (registration.area, registration.periods.get(end_date=None).lead_agency) == (area, police)
    assert (event.registration, event.area) == (registration, area)


def test_in_an_area_with_no_police_agency_the_breach_is_refused_and_nothing_is_written():
    area = Area.objects.create(slug="no-police-shire", name="No Police Shire (synthetic)", country="wales")
    Agency.objects.create(area=area, agency_type=AgencyType.PROBATION, name="No Police Shire probation")
    person = factories.IndividualFactory(area=area)
    with pytest.raises(WorkflowError) as refused:
        _record(person, LifeEventType.SRO_BREACHED, actor=None)
    assert refused.value.errors == {"lead_agency": [f"{area} has no police agency to lead the case"]}
    assert not person.registrations.exists() and not person.life_events.exists()


# ---------------------------------------------------------------------------------------------
# Events refused
# ---------------------------------------------------------------------------------------------


def _unregistered():
    return factories.IndividualFactory()


REFUSED_EVENTS: list[tuple[str, Any, str, dict[str, Any], str, Any]] = [
    ("unknown type", lambda: _registered().individual, "married", {}, "event_type", "Select the type of event"),
    (
        "no date",
        lambda: _registered().individual,
        LifeEventType.SHPO_IMPOSED,
        {"occurred_on": None},
        "occurred_on",
        "Enter the date of the event",
    ),
    (
        "a date to come",
        lambda: _registered().individual,
        LifeEventType.SHPO_IMPOSED,
        {"occurred_on": timezone.localdate() + dt.timedelta(days=1)},
        "occurred_on",
        "The date of the event must be today or in the past",
    ),
    (
        "travel restriction on another order",
        lambda: _registered().individual,
        LifeEventType.NOTIFICATION_ORDER_IMPOSED,
        {"foreign_travel_restriction": True},
        "foreign_travel_restriction",
        "Only an SHPO can carry a foreign travel restriction",
    ),
    (
        "breach of notification by Category 2",
        lambda: _registered(category=2).individual,
        LifeEventType.BREACH_NOTIFICATION_CAUTION,
        {},
        "event_type",
        "This event applies only to someone registered under Category 1",
    ),
    (
        "recall of someone not registered",
        _unregistered,
        LifeEventType.RETURNED_TO_CUSTODY_LICENCE,
        {},
        "event_type",
        "{person} has no active MAPPA registration to record this against",
    ),
    (
        "release of someone in the community",
        lambda: _registered().individual,
        LifeEventType.RELEASED,
        {},
        "event_type",
        "{person} is recorded as in the community, so this event does not apply",
    ),
    (
        "discharge of someone in custody",
        lambda: _registered(location=Location.CUSTODY).individual,
        LifeEventType.HOSPITAL_DISCHARGE,
        {},
        "event_type",
        "{person} is recorded as in custody, so this event does not apply",
    ),
    (
        "transfer out of someone not registered",
        _unregistered,
        LifeEventType.TRANSFERRED_OUT,
        {},
        "event_type",
        "{person} has no active MAPPA registration to transfer",
    ),
    (
        "transfer in of someone registered here",
        lambda: _registered().individual,
        LifeEventType.TRANSFERRED_IN,
        {},
        "event_type",
        "{person} is already registered in {area}",
    ),
    (
        "transfer in without what the case arrives with",
        _unregistered,
        LifeEventType.TRANSFERRED_IN,
        {},
        "category",
        "Say the category, level, location and lead agency the case arrives with",
    ),
]


@pytest.mark.parametrize(
    ("person_of", "event_type", "entered", "field", "message"),
    [r[1:] for r in REFUSED_EVENTS],
    ids=[r[0] for r in REFUSED_EVENTS],
)
def test_an_event_that_cannot_be_recorded_is_refused_against_its_field_and_changes_nothing(
    person_of, event_type, entered, field, message
):
    person = person_of()
    registration = person.registrations.first()
    history = _history(registration) if registration else []
    with pytest.raises(WorkflowError) as refused:
        _record(person, event_type, **entered)
    area = registration.area if registration else person.area
    assert refused.value.errors == {field: [message.format(person=person, area=area)]}
    assert not LifeEvent.objects.filter(individual=person).exists()
    assert (_history(registration) if registration else []) == history
    assert not AuditEvent.objects.filter(object_type=LifeEvent._meta.label).exists()


# ---------------------------------------------------------------------------------------------
# Leaving MAPPA
# ---------------------------------------------------------------------------------------------


def test_an_exit_ends_the_registration_with_its_reason_audited_and_announced(
    django_capture_on_commit_callbacks, registration_announcements
):
    registration = _registered(category=2)
    coordinator = factories.coordinator(registration.area)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_exit(
            actor=coordinator,
            registration=registration,
            reason=ExitReason.LICENCE_OR_ORDER_ENDED,
            effective_date=dt.date(2024, 9, 30),
            notes="Licence expired",
        )
    registration.refresh_from_db()
    assert (registration.status, registration.ended_on, registration.exit_reason, registration.exit_notes) == (
        RegistrationStatus.EXITED,
        dt.date(2024, 9, 30),
        ExitReason.LICENCE_OR_ORDER_ENDED,
        "Licence expired",
    )
    assert _history(registration) == [(START, dt.date(2024, 9, 30), 2, Location.COMMUNITY)]
    assert _trail(registration)[-1] == (
        coordinator.pk,
        AuditAction.TRANSITION,
        "Licence or order ended",
        {"effective_date": "2024-09-30", "notes": "Licence expired"},
    )
    assert registration_announcements == [
        {
            "signal": registration_changed,
            "registration_id": registration.pk,
            "transition": "exited",
            "actor_id": coordinator.pk,
        }
    ]


def test_an_exit_on_the_day_the_latest_period_began_ends_the_history_at_the_period_before():
    registration = _registered(category=2)
    services.life_event_record(
        actor=None,
        individual=registration.individual,
        event_type=LifeEventType.RETURNED_TO_CUSTODY_LICENCE,
        occurred_on=dt.date(2024, 2, 10),
    )
    services.registration_exit(
        actor=None, registration=registration, reason=ExitReason.DECEASED, effective_date=dt.date(2024, 2, 10)
    )
    registration.refresh_from_db()
    assert _history(registration) == [(START, dt.date(2024, 2, 10), 2, Location.COMMUNITY)]
    assert (registration.ended_on, registration.exit_notes) == (dt.date(2024, 2, 10), "")


REFUSED_EXITS = [
    ("no reason", {"reason": "moved_abroad"}, "reason", "Select why the person leaves MAPPA"),
    ("no date", {"effective_date": None}, "effective_date", "Enter the exit date"),
    (
        "a date to come",
        {"effective_date": timezone.localdate() + dt.timedelta(days=1)},
        "effective_date",
        "The exit date must be today or in the past",
    ),
    (
        "before the period began",
        {"effective_date": START - dt.timedelta(days=1)},
        "effective_date",
        "The exit date must be on or after 3 April 2023, when the current period began",
    ),
    ("the day it began", {"effective_date": START}, "effective_date", "A registration cannot end on the day it starts"),
]


@pytest.mark.parametrize(
    ("entered", "field", "message"), [r[1:] for r in REFUSED_EXITS], ids=[r[0] for r in REFUSED_EXITS]
)
def test_an_exit_that_cannot_be_recorded_is_refused_against_its_field_and_changes_nothing(entered, field, message):
    registration = _registered(category=2)
    before = (_history(registration), _trail(registration))
    with pytest.raises(WorkflowError) as refused:
        services.registration_exit(
            actor=None,
            registration=registration,
            **{"reason": ExitReason.RISK_REDUCED, "effective_date": dt.date(2024, 9, 30), **entered},
        )
    assert refused.value.errors == {field: [message]}
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.LEVEL_2
    assert (_history(registration), _trail(registration)) == before


def test_a_registration_that_has_ended_cannot_end_again():
    registration = _registered(category=2)
    services.registration_exit(
        actor=None, registration=registration, reason=ExitReason.RISK_REDUCED, effective_date=dt.date(2024, 9, 30)
    )
    registration.refresh_from_db()
    with pytest.raises(WorkflowError) as refused:
        services.registration_exit(
            actor=None, registration=registration, reason=ExitReason.DECEASED, effective_date=dt.date(2024, 10, 1)
        )
    assert refused.value.errors == {"state": ["This registration has already ended"]}
    registration.refresh_from_db()
    assert (registration.ended_on, registration.exit_reason) == (dt.date(2024, 9, 30), ExitReason.RISK_REDUCED)


# ---------------------------------------------------------------------------------------------
# Events that end or open a registration
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_type", "exit_reason"),
    [
        (LifeEventType.TRANSFERRED_OUT, ExitReason.TRANSFERRED_OUT),
        (LifeEventType.LIFETIME_NOTIFICATION_REVOKED, ExitReason.LIFETIME_NOTIFICATION_REVOKED),
    ],
)
def test_an_event_that_ends_the_registration_is_audited_under_the_recorders_name(event_type, exit_reason):
    registration = _registered(category=1)
    coordinator = factories.coordinator(registration.area)
    _record(registration.individual, event_type, actor=coordinator, details="Recorded from the court's letter")
    registration.refresh_from_db()
    assert (registration.status, registration.exit_reason, registration.exit_notes) == (
        RegistrationStatus.EXITED,
        exit_reason,
        "Recorded from the court's letter",
    )
    assert _trail(registration)[-1] == (
        coordinator.pk,
        AuditAction.CHANGE,
        f"Exit recorded as a result of an event: {ExitReason(exit_reason).label}",
        {},
    )


def test_a_case_transferred_in_is_registered_as_it_arrives_under_the_recorders_name():
    person = factories.IndividualFactory(area=factories.northamptonshire())
    coordinator = factories.coordinator(person.area)
    probation = factories.agency(person.area, AgencyType.PROBATION)
    event = _record(
        person,
        LifeEventType.TRANSFERRED_IN,
        actor=coordinator,
        new_registration=services.NewRegistration(
            category=2, level=2, location=Location.COMMUNITY, lead_agency=probation
        ),
    )
    registration = person.registrations.get()
    event.refresh_from_db()
    assert (event.registration, event.area) == (registration, person.area)
    assert _history(registration) == [(dt.date(2024, 6, 3), None, 2, Location.COMMUNITY)]
    assert _trail(registration)[0][:3] == (coordinator.pk, AuditAction.CREATE, "Transferred in from another area")


def test_a_coordinator_without_counter_terrorism_clearance_cannot_take_in_a_category_4_case():
    person = factories.IndividualFactory(area=factories.northamptonshire())
    with pytest.raises(NotPermitted):
        _record(
            person,
            LifeEventType.TRANSFERRED_IN,
            actor=factories.coordinator(person.area),
            new_registration=services.NewRegistration(
                category=4, level=2, location=Location.COMMUNITY, lead_agency=factories.agency(person.area, "police")
            ),
        )
    assert not person.registrations.exists() and not person.life_events.exists()


def test_a_sexual_risk_order_made_for_a_category_2_person_leaves_their_category_as_it_is():
    registration = _registered(category=2)
    _record(registration.individual, LifeEventType.SRO_MADE)
    assert _history(registration) == [(START, None, 2, Location.COMMUNITY)]
