"""The same seed gives the same synthetic area: the same people, histories, events and derived tables."""

from __future__ import annotations

import pytest
from django.db import transaction

from referrals.models import Individual, LifeEvent, RegistrationPeriod
from reporting.synthetic.generator import generate_area
from tests.factories import northamptonshire

pytestmark = pytest.mark.django_db


def fingerprint(seed: int) -> tuple:
    result = generate_area(area=northamptonshire(), seed=seed, years=2, use_services=False)
    people = sorted(
        Individual.objects.values_list("given_names", "family_name", "date_of_birth", "visor_reference", "gender")
    )
    periods = sorted(
        RegistrationPeriod.objects.values_list(
            "individual__visor_reference", "start_date", "end_date", "category", "level", "location"
        ),
        key=str,
    )
    events = sorted(LifeEvent.objects.values_list("individual__visor_reference", "event_type", "occurred_on"), key=str)
    return people, periods, events, result.report


def generated_then_undone(seed: int) -> tuple:
    savepoint = transaction.savepoint()
    try:
        return fingerprint(seed)
    finally:
        transaction.savepoint_rollback(savepoint)


def test_the_same_seed_generates_the_same_area_and_another_seed_does_not():
    first = generated_then_undone(7)
    again = generated_then_undone(7)
    other = generated_then_undone(8)
    assert len(first[0]) > 1000
    assert first == again
    assert first[0] != other[0]
