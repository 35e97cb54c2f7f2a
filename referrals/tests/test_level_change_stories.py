"""A co-ordinator moves a case between levels (and, with it, sometimes between categories): the history shows the
new level and category from the day given, the due dates follow the level (none at Level 1), the audit trail keeps
the reason and what changed, the other apps are told once it has committed, and a change that cannot be made is
refused with the message shown against its field, changing nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from mappa_workflow.exceptions import ConcurrentChangeError, WorkflowError
from mappa_workflow.models import AgencyType, AuditAction, AuditEvent
from referrals import services
from referrals.models import ExitReason, Location, Registration, RegistrationStatus
from referrals.signals import registration_changed
from tests import factories

pytestmark = pytest.mark.django_db

START = dt.date(2023, 4, 3)
CHANGED = dt.date(2024, 6, 3)


def _registered(category: int = 2, level: int = 2) -> Registration:
    first_meeting_due = START + dt.timedelta(days=20) if level > 1 else None
    return factories.registration_opened(category=category, level=level, first_meeting_due=first_meeting_due)


def _history(registration: Registration) -> list[tuple]:
    return list(registration.periods.order_by("start_date").values_list("start_date", "end_date", "category", "level"))


def _trail(registration: Registration) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(object_type=Registration._meta.label, object_id=str(registration.pk))
        .order_by("occurred_at", "pk")
        .values_list("actor", "action", "transition", "reason", "details")
    )


def _change(registration: Registration, coordinator: Any, django_capture_on_commit_callbacks, **kwargs: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_change_level(
            actor=coordinator, registration=registration, effective_date=CHANGED, **kwargs
        )
    registration.refresh_from_db()


def test_escalating_to_level_3_with_a_new_category_changes_both_from_that_day(
    django_capture_on_commit_callbacks, registration_announcements
):
    registration = _registered(category=2, level=2)
    coordinator = factories.coordinator(registration.area)
    first_meeting = CHANGED + dt.timedelta(days=5)
    _change(
        registration,
        coordinator,
        django_capture_on_commit_callbacks,
        level=3,
        category=1,
        reason="Further sexual offending disclosed",
        first_meeting_due=first_meeting,
    )
    assert (registration.status, registration.first_meeting_due) == (RegistrationStatus.LEVEL_3, first_meeting)
    assert _history(registration) == [(START, CHANGED, 2, 2), (CHANGED, None, 1, 3)]
    assert _trail(registration)[-1] == (
        coordinator.pk,
        AuditAction.TRANSITION,
        "escalate_to_level_3",
        "Further sexual offending disclosed",
        {"effective_date": "2024-06-03", "category": 1},
    )
    assert registration_announcements == [
        {
            "signal": registration_changed,
            "registration_id": registration.pk,
            "transition": "level_changed",
            "actor_id": coordinator.pk,
        }
    ]


def test_a_new_category_at_the_same_level_is_a_change_not_a_transition(
    django_capture_on_commit_callbacks, registration_announcements
):
    registration = _registered(category=2, level=2)
    coordinator = factories.coordinator(registration.area)
    first_meeting = CHANGED + dt.timedelta(days=10)
    _change(
        registration,
        coordinator,
        django_capture_on_commit_callbacks,
        level=2,
        category=3,
        reason="Reassessed as Category 3",
        first_meeting_due=first_meeting,
    )
    assert (registration.status, registration.first_meeting_due) == (RegistrationStatus.LEVEL_2, first_meeting)
    assert _history(registration) == [(START, CHANGED, 2, 2), (CHANGED, None, 3, 2)]
    assert _trail(registration)[-1] == (
        coordinator.pk,
        AuditAction.CHANGE,
        "",
        "Reassessed as Category 3",
        {"effective_date": "2024-06-03", "category": 3},
    )
    assert [h["transition"] for h in registration_announcements] == ["level_changed"]


def test_moving_down_to_level_1_clears_the_meeting_dates_and_to_level_2_keeps_them():
    to_level_1, to_level_2 = _registered(category=1, level=2), _registered(category=1, level=3)
    for registration in (to_level_1, to_level_2):
        Registration.objects.filter(pk=registration.pk).update(next_review_due=CHANGED + dt.timedelta(days=60))
        registration.refresh_from_db()
    kept = (to_level_2.first_meeting_due, to_level_2.next_review_due)
    for registration, level in ((to_level_1, 1), (to_level_2, 2)):
        services.registration_change_level(
            actor=None, registration=registration, level=level, effective_date=CHANGED, reason="Risk reduced"
        )
        registration.refresh_from_db()
    assert (to_level_1.status, to_level_1.first_meeting_due, to_level_1.next_review_due) == (
        RegistrationStatus.LEVEL_1,
        None,
        None,
    )
    assert (to_level_2.status, (to_level_2.first_meeting_due, to_level_2.next_review_due)) == (
        RegistrationStatus.LEVEL_2,
        kept,
    )


def _ended() -> Registration:
    registration = _registered()
    services.registration_exit(
        actor=None, registration=registration, reason=ExitReason.RISK_REDUCED, effective_date=CHANGED
    )
    registration.refresh_from_db()
    return registration


REFUSED = [
    ("no reason", _registered, {"level": 3, "reason": " "}, "reason", "Enter the reason for the level change"),
    ("no date", _registered, {"level": 3, "effective_date": None}, "effective_date", "Enter the effective date"),
    (
        "a date to come",
        _registered,
        {"level": 3, "effective_date": timezone.localdate() + dt.timedelta(days=1)},
        "effective_date",
        "The effective date must be today or in the past",
    ),
    ("ended", _ended, {"level": 3}, "state", "This registration has ended: its level cannot change"),
    ("the same level", _registered, {"level": 2}, "level", "The case is already managed at Level 2"),
    ("the same level and category", _registered, {"level": 2, "category": 2}, "level", "The case is already managed at Level 2"),
    ("no such level", _registered, {"level": 4}, "level", "Level must be 1, 2 or 3"),
    (
        "Level 1 as Category 3",
        _registered,
        {"level": 1, "category": 3},
        "level",
        "Category 3 cases are managed only at Level 2 or 3: a Category 3 case leaves MAPPA instead of going to Level 1",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("registration_of", "entered", "field", "message"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_a_level_change_that_cannot_be_made_is_refused_against_its_field_and_changes_nothing(
    registration_of, entered, field, message
):
    registration = registration_of()
    before = (registration.status, _history(registration), _trail(registration))
    with pytest.raises(WorkflowError) as refused:
        services.registration_change_level(
            actor=None,
            registration=registration,
            **{"effective_date": CHANGED, "reason": "Risk increased", **entered},
        )
    assert refused.value.errors == {field: [message]}
    registration.refresh_from_db()
    assert (registration.status, _history(registration), _trail(registration)) == before


@pytest.mark.parametrize(
    ("effective_date", "message"),
    [(None, "Enter the effective date"), (dt.date(2099, 1, 1), "The effective date must be today or in the past")],
)
def test_a_change_of_circumstances_needs_a_date_not_to_come(effective_date, message):
    registration = _registered()
    with pytest.raises(WorkflowError) as refused:
        services.registration_change_circumstances(
            actor=None, registration=registration, effective_date=effective_date, reason="Moved", category=3
        )
    assert refused.value.errors == {"effective_date": [message]}
    assert _history(registration) == [(START, None, 2, 2)]


def test_a_second_change_on_the_same_day_replaces_that_days_period_and_keeps_the_reason_short():
    registration = _registered(category=2, level=2)
    long_reason = "Panel decision after new intelligence. " * 7  # 273 characters; the history keeps 200
    second_reason = "Category reviewed at the same panel;" * 7
    services.registration_change_level(
        actor=None, registration=registration, level=3, effective_date=CHANGED, reason=long_reason
    )
    assert registration.periods.get(end_date=None).change_reason == long_reason[:200]
    registration.refresh_from_db()
    services.registration_change_circumstances(
        actor=None, registration=registration, effective_date=CHANGED, reason=second_reason, category=1
    )
    assert _history(registration) == [(START, CHANGED, 2, 2), (CHANGED, None, 1, 3)]
    assert registration.periods.get(end_date=None).change_reason == second_reason[:200]


def test_a_change_to_what_is_already_recorded_leaves_the_history_as_it_was():
    registration = _registered(category=2, level=2)
    services.registration_change_circumstances(
        actor=None, registration=registration, effective_date=CHANGED, reason="Checked", category=2
    )
    assert _history(registration) == [(START, None, 2, 2)]


def test_changing_a_registration_someone_has_just_ended_asks_to_reload_and_changes_nothing():
    registration = _registered(category=2, level=2)
    loaded = Registration.objects.get(pk=registration.pk)
    services.registration_exit(
        actor=None, registration=registration, reason=ExitReason.RISK_REDUCED, effective_date=CHANGED
    )
    with pytest.raises(ConcurrentChangeError) as refused:
        services.registration_change_level(
            actor=None, registration=loaded, level=3, effective_date=CHANGED, reason="Risk increased"
        )
    assert refused.value.errors == {
        "__all__": [
            "This registration was changed by someone else while you were working on it. Reload the page and try again."
        ]
    }
    assert _history(registration) == [(START, CHANGED, 2, 2)]


def test_a_coordinator_opening_a_registration_sets_its_first_panel_date_under_their_name():
    person = factories.IndividualFactory(area=factories.northamptonshire())
    coordinator = factories.coordinator(person.area)
    registration = services.registration_open(
        actor=coordinator,
        individual=person,
        area=person.area,
        category=1,
        level=2,
        location=Location.COMMUNITY,
        lead_agency=factories.agency(person.area, AgencyType.POLICE),
        start_date=CHANGED,
        reason="Accepted at Level 2",
        first_meeting_due=CHANGED + dt.timedelta(days=20),
    )
    registration.refresh_from_db()
    assert registration.first_meeting_due == CHANGED + dt.timedelta(days=20)
    assert _trail(registration) == [
        (
            coordinator.pk,
            AuditAction.CREATE,
            "",
            "Accepted at Level 2",
            {"category": 1, "level": 2, "location": "community", "start_date": "2024-06-03"},
        )
    ]
