"""Due dates counted back from a release at the dates where arithmetic breaks: a release on a bank holiday,
six weeks after Good Friday or Christmas Day, across Christmas in working days, and 29 February. The clock is
frozen at a hard date (tests/hard_dates.py names them) so "today" is the one the rule is tested from."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from release_planning.dates import weeks_before, working_day_on_or_before, working_days_before
from release_planning.models import ReleasePlanningSettings
from release_planning.services import item_due_dates, level_decision_due
from tests import hard_dates


def _defaults() -> ReleasePlanningSettings:
    return ReleasePlanningSettings()  # the field defaults, unsaved: no database needed


def test_mappa_j_for_a_release_on_a_bank_holiday_is_six_weeks_before_that_day():
    release = dt.date(2027, 5, 3)  # early May bank holiday (Monday)
    assert item_due_dates(_defaults(), release, children_linked=False)["mappa_j"] == dt.date(2027, 3, 22)


def test_six_weeks_before_landing_on_good_friday_is_due_the_working_day_before():
    release = dt.date(2027, 5, 7)  # six weeks after Good Friday, 26 March 2027
    assert weeks_before(release, 6) == dt.date(2027, 3, 25)  # Maundy Thursday


def test_six_weeks_before_landing_on_christmas_day_is_due_on_christmas_eve():
    release = dt.date(2027, 2, 5)  # six weeks after Friday 25 December 2026
    assert weeks_before(release, 6) == dt.date(2026, 12, 24)


def test_a_due_date_after_a_weekend_and_bank_holiday_goes_back_past_all_of_them():
    # Monday 28 December 2026 is the substitute Boxing Day: the Sunday before it goes back to Thursday 24th
    assert working_day_on_or_before(dt.date(2026, 12, 28)) == dt.date(2026, 12, 24)


def test_the_prison_report_counts_working_days_across_christmas():
    # ten working days before Monday 4 January 2027 skip Christmas, the substitute Boxing Day and weekends
    assert working_days_before(dt.date(2027, 1, 4), 10) == dt.date(2026, 12, 16)


def test_mappa_j_six_weeks_before_a_release_in_april_of_a_leap_year_is_29_february():
    release = dt.date(2028, 4, 11)
    assert item_due_dates(_defaults(), release, children_linked=True)["mappa_j"] == dt.date(2028, 2, 29)


def test_a_release_on_29_february_counts_back_whole_weeks():
    assert weeks_before(dt.date(2028, 2, 29), 6) == dt.date(2028, 1, 18)
    assert level_decision_due(_defaults(), dt.date(2028, 2, 29)) == dt.date(2027, 12, 7)


@pytest.mark.django_db
@pytest.mark.calendar
def test_a_plan_made_today_never_has_anything_due_on_a_day_off():
    """Run at every hard date by `make test-dates`: whatever today is, a plan for any release in the next
    six months puts every due date on a working day, on or before its lead time."""
    from django.utils import timezone

    from mappa_workflow.working_days import is_working_day

    settings = _defaults()
    today = timezone.localdate()
    for offset in range(1, 183, 5):
        release = today + dt.timedelta(days=offset)
        for kind, due in item_due_dates(settings, release, children_linked=True).items():
            assert is_working_day(due), (release, kind, due)
            assert due < release, (release, kind, due)


@pytest.mark.django_db
def test_planned_at_the_leap_day_moment_the_mappa_j_for_april_is_that_day(client):
    """Frozen at the leap-day hard date: a release six weeks on shows the MAPPA J due today."""
    from django.utils import timezone

    from mappa_workflow.models import AgencyType
    from release_planning import services
    from tests import factories

    with time_machine.travel(hard_dates.moment("leap-day"), tick=False):
        today = timezone.localdate()
        assert (today.month, today.day) == (2, 29)
        probation = factories.practitioner(AgencyType.PROBATION)
        registration = factories.registration_in_custody(referrer=probation)
        plan = services.release_plan_create(
            actor=probation, individual=registration.individual, expected_date=today + dt.timedelta(weeks=6)
        )
        assert plan.items.get(kind="mappa_j").due_date == today
