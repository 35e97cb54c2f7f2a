"""Level 1 cases reviewed within the area's interval: each due date met by a review on or before it, or missed."""

from __future__ import annotations

import datetime as dt

import pytest

from level_one import services as level_one_services
from level_one.models import LevelOneSettings
from mappa_workflow.models import Area, AreaSettings
from oversight.models import Indicator
from referrals import services as referral_services
from referrals.models import Registration
from tests import factories

from .scenario import YEAR, accepted, on
from .test_indicators import compute, figure

pytestmark = pytest.mark.django_db

LEVEL_1 = Indicator.LEVEL_ONE_REVIEWS


def at_level_1(day: dt.date, area: Area | None = None) -> Registration:
    return accepted(day, level=1, area=area).registration


def reviewed(registration: Registration, day: dt.date, *, refer_to_level_2: bool = False) -> None:
    with on(day):
        level_one_services.level_one_review_record(
            actor=factories.coordinator(registration.area),
            registration=registration,
            reviewed_on=day,
            risk_changed=refer_to_level_2,
            plan_robust=not refer_to_level_2,
            refer_to_level_2=refer_to_level_2,
            notes="Lead agency reconsidered the risk with the police.",
        )


def test_each_due_date_counts_once_met_on_the_day_missed_a_day_late_or_never():
    # Four months from 1 May 2025: first reviews due Monday 1 September 2025 (Q2).
    on_the_day, day_late, _never_reviewed, went_to_level_2 = (at_level_1(dt.date(2025, 5, 1)) for _ in range(4))
    reviewed(on_the_day, dt.date(2025, 9, 1))  # met; sets 1 January 2026
    reviewed(on_the_day, dt.date(2026, 1, 2))  # a day late: missed (Q4)
    reviewed(day_late, dt.date(2025, 9, 2))  # missed; sets 2 January 2026, never met: missed (Q4)
    with on(dt.date(2025, 8, 1)):  # to Level 2 before the first review fell due: not counted
        referral_services.registration_change_level(
            actor=factories.coordinator(), registration=went_to_level_2, level=2,
            effective_date=dt.date(2025, 8, 1), reason="Risk escalated: needs a panel.",
        )  # fmt: skip
    # 31 October + four months is 28 February 2026; reviewed the day before: met (Q4).
    month_end = at_level_1(dt.date(2025, 10, 31))
    reviewed(month_end, dt.date(2026, 2, 27))
    AreaSettings.objects.filter(area=factories.northamptonshire()).update(suppression_threshold=0)

    found = compute()

    assert [(f.numerator, f.denominator) for f in (figure(found, LEVEL_1, "Level 1", q) for q in ("q2", "q4"))] == [
        (1, 3),  # on the day; a day late and never reviewed missed
        (1, 3),  # a day late, and never met after the late review, missed; the month end met
    ]
    assert figure(found, LEVEL_1, "Level 1", "q3").denominator == 0
    year = figure(found, LEVEL_1, "Level 1")
    assert (year.numerator, year.denominator, year.percent) == (2, 6, 33.3)
    assert year.status == "red"


def test_a_date_not_yet_reached_is_left_out_and_a_review_referring_to_level_2_sets_no_next_date():
    waiting, referred = at_level_1(dt.date(2025, 12, 1)), at_level_1(dt.date(2025, 5, 1))
    reviewed(referred, dt.date(2025, 8, 29), refer_to_level_2=True)  # met; no further Level 1 review due
    AreaSettings.objects.filter(area=factories.northamptonshire()).update(suppression_threshold=0)

    from oversight.indicators import area_indicators

    # On 15 March 2026 the first case's date (1 April 2026) is next year; the second case's only date was met.
    found = area_indicators(area=factories.northamptonshire(), year=YEAR, today=dt.date(2026, 3, 15))
    year = figure(found, LEVEL_1, "Level 1")
    assert (year.numerator, year.denominator) == (1, 1)
    assert waiting.status == "level_1"


def test_the_areas_own_interval_sets_the_first_due_date():
    area = factories.northamptonshire()
    LevelOneSettings.objects.update_or_create(area=area, defaults={"review_interval_months": 6})
    AreaSettings.objects.filter(area=area).update(suppression_threshold=0)
    case = at_level_1(dt.date(2025, 5, 1))
    reviewed(case, dt.date(2025, 10, 31))  # six months: due 1 November 2025, met (Q3)

    found = compute()

    autumn = figure(found, LEVEL_1, "Level 1", "q3")
    assert (autumn.numerator, autumn.denominator) == (1, 1)
    assert figure(found, LEVEL_1, "Level 1", "q2").denominator == 0  # four months would have been 1 September
