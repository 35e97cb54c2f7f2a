"""Registration history as dated periods: level changes, circumstances, events and exits."""

from __future__ import annotations

import datetime as dt

import pytest

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from referrals import services
from referrals.models import (
    ExitReason,
    LifeEventType,
    Location,
    RegistrationPeriod,
    RegistrationStatus,
)
from tests import factories

pytestmark = pytest.mark.django_db


def registered(category=2, level=2, location=Location.COMMUNITY, start=dt.date(2023, 4, 3)):
    person = factories.IndividualFactory()
    return services.registration_open(
        actor=None,
        individual=person,
        area=person.area,
        category=category,
        level=level,
        location=location,
        lead_agency=factories.agency(person.area, "probation"),
        start_date=start,
        reason="Released on licence",
    )


def history(registration):
    return [
        (p.start_date, p.end_date, p.category, p.level, p.location) for p in registration.periods.order_by("start_date")
    ]


LEVEL_CASES = [
    (1, 2, "escalate_to_level_2"),
    (1, 3, "escalate_to_level_3"),
    (2, 3, "escalate_to_level_3"),
    (3, 2, "de_escalate_to_level_2"),
    (2, 1, "de_escalate_to_level_1"),
    (3, 1, "de_escalate_to_level_1"),
]


@pytest.mark.parametrize(("start_level", "to_level", "transition"), LEVEL_CASES)
def test_every_level_change_is_a_dated_transition_with_a_reason(start_level, to_level, transition):
    registration = registered(level=start_level)
    changed = services.registration_change_level(
        actor=factories.coordinator(),
        registration=registration,
        level=to_level,
        effective_date=dt.date(2024, 6, 1),
        reason="Panel decision",
    )
    assert changed.status == f"level_{to_level}"
    assert history(changed) == [
        (dt.date(2023, 4, 3), dt.date(2024, 6, 1), 2, start_level, "community"),
        (dt.date(2024, 6, 1), None, 2, to_level, "community"),
    ]
    from mappa_workflow.models import AuditEvent

    audit = AuditEvent.objects.filter(object_id=str(registration.pk), transition=transition).get()
    assert audit.reason == "Panel decision"


@pytest.mark.parametrize("level", [1, 2, 3])
def test_moving_to_the_level_already_held_is_refused(level):
    registration = registered(level=level)
    with pytest.raises(WorkflowError) as refused:
        services.registration_change_level(
            actor=factories.coordinator(),
            registration=registration,
            level=level,
            effective_date=dt.date(2024, 1, 1),
            reason="x",
        )
    assert "level" in refused.value.errors


def test_category_3_cannot_drop_to_level_1_it_exits_instead():
    registration = registered(category=3, level=2)
    with pytest.raises(WorkflowError) as refused:
        services.registration_change_level(
            actor=factories.coordinator(),
            registration=registration,
            level=1,
            effective_date=dt.date(2024, 1, 1),
            reason="x",
        )
    assert "level" in refused.value.errors
    assert history(registration) == [(dt.date(2023, 4, 3), None, 3, 2, "community")]


def test_category_3_cannot_be_opened_at_level_1():
    person = factories.IndividualFactory()
    with pytest.raises(WorkflowError) as refused:
        services.registration_open(
            actor=None,
            individual=person,
            area=person.area,
            category=3,
            level=1,
            location="community",
            lead_agency=factories.agency(person.area, "police"),
            start_date=dt.date(2024, 1, 1),
            reason="x",
        )
    assert "level" in refused.value.errors
    assert not person.registrations.exists()


@pytest.mark.parametrize(
    ("effective_date", "reason", "field"),
    [
        (dt.date(2023, 1, 1), "Panel decision", "effective_date"),  # before the current period began
        (dt.date(2024, 1, 1), "", "reason"),
    ],
)
def test_a_level_change_with_an_impossible_date_or_no_reason_is_refused(effective_date, reason, field):
    registration = registered()
    with pytest.raises(WorkflowError) as refused:
        services.registration_change_level(
            actor=factories.coordinator(),
            registration=registration,
            level=3,
            effective_date=effective_date,
            reason=reason,
        )
    assert field in refused.value.errors
    assert history(registration) == [(dt.date(2023, 4, 3), None, 2, 2, "community")]


def test_recall_and_release_split_the_history_into_community_and_custody():
    registration = registered(level=2)
    person = registration.individual
    coordinator = factories.coordinator()
    services.life_event_record(
        actor=coordinator,
        individual=person,
        event_type=LifeEventType.RETURNED_TO_CUSTODY_LICENCE,
        occurred_on=dt.date(2024, 2, 10),
    )
    services.life_event_record(
        actor=coordinator, individual=person, event_type=LifeEventType.RELEASED, occurred_on=dt.date(2024, 8, 1)
    )
    assert history(registration) == [
        (dt.date(2023, 4, 3), dt.date(2024, 2, 10), 2, 2, "community"),
        (dt.date(2024, 2, 10), dt.date(2024, 8, 1), 2, 2, "custody"),
        (dt.date(2024, 8, 1), None, 2, 2, "community"),
    ]


def test_release_of_someone_in_the_community_is_refused():
    registration = registered()
    with pytest.raises(WorkflowError) as refused:
        services.life_event_record(
            actor=factories.coordinator(),
            individual=registration.individual,
            event_type=LifeEventType.RELEASED,
            occurred_on=dt.date(2024, 8, 1),
        )
    assert "event_type" in refused.value.errors
    assert not registration.individual.life_events.exists()


def test_breach_of_notification_applies_only_to_category_1():
    registration = registered(category=2)
    with pytest.raises(WorkflowError):
        services.life_event_record(
            actor=factories.coordinator(),
            individual=registration.individual,
            event_type=LifeEventType.BREACH_NOTIFICATION_CAUTION,
            occurred_on=dt.date(2024, 8, 1),
        )


def test_lifetime_notification_revoked_ends_the_registration():
    registration = registered(category=1, level=1)
    services.life_event_record(
        actor=factories.coordinator(),
        individual=registration.individual,
        event_type=LifeEventType.LIFETIME_NOTIFICATION_REVOKED,
        occurred_on=dt.date(2024, 9, 9),
    )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.EXITED
    assert registration.exit_reason == ExitReason.LIFETIME_NOTIFICATION_REVOKED
    assert registration.ended_on == dt.date(2024, 9, 9)
    assert history(registration)[-1][1] == dt.date(2024, 9, 9)


def test_a_breached_sexual_risk_order_makes_an_unregistered_person_category_1():
    person = factories.IndividualFactory()
    services.life_event_record(
        actor=factories.coordinator(),
        individual=person,
        event_type=LifeEventType.SRO_BREACHED,
        occurred_on=dt.date(2024, 5, 5),
    )
    registration = person.registrations.get()
    assert history(registration) == [(dt.date(2024, 5, 5), None, 1, 1, "community")]


def test_transfer_out_and_in_moves_the_case_between_areas():
    from mappa_workflow.models import Area

    registration = registered(category=1, level=1)
    person = registration.individual
    services.life_event_record(
        actor=factories.coordinator(),
        individual=person,
        event_type=LifeEventType.TRANSFERRED_OUT,
        occurred_on=dt.date(2024, 5, 5),
    )
    registration.refresh_from_db()
    assert registration.exit_reason == ExitReason.TRANSFERRED_OUT
    kent = Area.objects.get(slug="kent")
    services.life_event_record(
        actor=None,
        individual=person,
        event_type=LifeEventType.TRANSFERRED_IN,
        occurred_on=dt.date(2024, 5, 5),
        new_registration=services.NewRegistration(
            category=1, level=1, location="community", lead_agency=factories.agency(kent, "police")
        ),
    )
    person.refresh_from_db()
    assert person.area == kent
    assert person.registrations.active().get().area == kent


def test_exit_closes_the_open_period_and_records_the_reason():
    registration = registered()
    services.registration_exit(
        actor=factories.coordinator(),
        registration=registration,
        reason=ExitReason.LICENCE_OR_ORDER_ENDED,
        effective_date=dt.date(2025, 1, 31),
    )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.EXITED
    assert history(registration) == [(dt.date(2023, 4, 3), dt.date(2025, 1, 31), 2, 2, "community")]
    with pytest.raises(WorkflowError):
        services.registration_exit(
            actor=factories.coordinator(),
            registration=registration,
            reason="deceased",
            effective_date=dt.date(2025, 2, 1),
        )


def test_exit_needs_one_of_the_exit_reasons():
    registration = registered()
    with pytest.raises(WorkflowError) as refused:
        services.registration_exit(
            actor=factories.coordinator(), registration=registration, reason="bored", effective_date=dt.date(2025, 1, 1)
        )
    assert "reason" in refused.value.errors


def test_periods_answer_what_was_true_on_any_past_date():
    registration = registered(level=2, start=dt.date(2023, 4, 3))
    services.registration_change_level(
        actor=factories.coordinator(),
        registration=registration,
        level=3,
        effective_date=dt.date(2024, 3, 31),
        reason="x",
    )
    on = RegistrationPeriod.objects.filter(registration=registration)
    assert on.on(dt.date(2024, 3, 30)).get().level == 2
    assert on.on(dt.date(2024, 3, 31)).get().level == 3
    assert not on.on(dt.date(2023, 4, 2)).exists()


def open_in_community(actor, person, category):
    return services.registration_open(
        actor=actor,
        individual=person,
        area=person.area,
        category=category,
        level=1,
        location="community",
        lead_agency=factories.agency(person.area, "police"),
        start_date=dt.date(2024, 1, 1),
        reason="Registered",
    )


class TestCategory4NeedsCounterTerrorismClearance:
    def test_an_uncleared_coordinator_cannot_open_a_category_4_registration(self):
        person = factories.IndividualFactory()
        with pytest.raises(NotPermitted):
            open_in_community(factories.coordinator(), person, category=4)
        assert not person.registrations.exists()

    def test_an_uncleared_coordinator_cannot_move_a_case_into_category_4(self):
        registration = registered(category=2, level=2)
        coordinator = factories.coordinator()
        with pytest.raises(NotPermitted):
            services.registration_change_circumstances(
                actor=coordinator, registration=registration, effective_date=dt.date(2024, 1, 1), reason="x", category=4
            )
        with pytest.raises(NotPermitted):
            services.registration_change_level(
                actor=coordinator,
                registration=registration,
                level=3,
                category=4,
                effective_date=dt.date(2024, 1, 1),
                reason="x",
            )
        assert history(registration) == [(dt.date(2023, 4, 3), None, 2, 2, "community")]

    def test_a_cleared_coordinator_can(self):
        person = factories.IndividualFactory()
        registration = open_in_community(factories.coordinator(counter_terrorism_cleared=True), person, category=4)
        assert registration.periods.get().category == 4


def test_a_practitioner_cannot_open_a_registration_directly():
    person = factories.IndividualFactory()
    with pytest.raises(NotPermitted):
        open_in_community(factories.practitioner(), person, category=1)
    assert not person.registrations.exists()
