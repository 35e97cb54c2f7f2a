"""The demo's release plans and Level 1 reviews are made through the services from the synthetic history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from administration.demo_between_meetings import generate_demo_between_meetings
from level_one.models import LevelOneReview
from mappa_workflow.models import AgencyType
from release_planning.models import ReleasePlan
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def test_the_demo_plans_releases_of_people_in_custody_and_reviews_level_1_cases():
    probation = factories.practitioner(AgencyType.PROBATION)
    factories.coordinator()
    for _ in range(2):
        factories.registration_in_custody(referrer=probation)
    level_one = [
        factories.level_one_registration(referrer=probation, decided_on=timezone.localdate() - dt.timedelta(days=300))
        for _ in range(4)
    ]
    summary = generate_demo_between_meetings(area=probation.area, seed=7, today=timezone.localdate())
    assert summary.release_plans == ReleasePlan.objects.count() == 2
    assert all(plan.items.exists() for plan in ReleasePlan.objects.all())
    assert summary.level_one_reviews == LevelOneReview.objects.count() <= len(level_one)
