"""Each indicator's figure from a small history built through the services, with its boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from mappa_workflow.models import AgencyType, Area, AreaSettings
from meetings import services as meeting_services
from meetings.models import AttendanceStatus, RiskActionState
from oversight.figures import Figure, Rag
from oversight.indicators import AreaIndicators, area_indicators, indicators_for_areas
from oversight.indicators_page import indicators_page, indicators_pages
from oversight.models import Indicator, IndicatorTarget
from referrals import services as referral_services
from referrals.models import ExitReason
from tests import factories

from .scenario import (
    AUGUST_BANK_HOLIDAY,
    YEAR,
    accepted,
    action_closed,
    action_completed,
    action_set,
    minutes_approved,
    minutes_recorded,
    on,
    panel_held,
    referral_decided,
    referral_received,
)
from .test_movement import change_level, exit_mappa

pytestmark = pytest.mark.django_db

KENT = "kent"
TODAY = dt.date(2026, 5, 1)  # the year 2025/26 is over: everything in it is either done or overdue


def compute(area: Area | None = None) -> AreaIndicators:
    found = area_indicators(area=area or factories.northamptonshire(), year=YEAR, today=TODAY)
    for result in found.results:  # every year is the sum of its quarters, and no numerator exceeds its denominator
        for row in result.rows:
            quarters = [row.figures[p.key] for p in found.periods if p.key != "year"]
            year = row.figures["year"]
            if not year.hidden and not any(q.hidden for q in quarters):
                assert year.numerator == sum(q.numerator for q in quarters)
                assert year.denominator == sum(q.denominator for q in quarters)
            assert all(0 <= f.numerator <= f.denominator for f in row.figures.values())
    return found


def figure(found: AreaIndicators, indicator: str, row: str, period: str = "year") -> Figure:
    result = next(r for r in found.results if r.indicator == indicator)
    return next(r for r in result.rows if r.label == row).figures[period]


def rows(found: AreaIndicators, indicator: str) -> list[str]:
    return [row.label for row in next(r for r in found.results if r.indicator == indicator).rows]


def test_screening_counts_working_days_and_a_decision_on_the_target_day_is_on_time():
    # Received Friday 22 August 2025; Monday 25 August is a bank holiday, so the 10th working day is 8 September.
    on_target_day = referral_received(dt.date(2025, 8, 22))
    referral_decided(on_target_day, dt.date(2025, 9, 8))
    day_late = referral_received(dt.date(2025, 8, 22))
    referral_decided(day_late, dt.date(2025, 9, 9))
    referral_received(dt.date(2025, 9, 1))  # not decided yet: not in the figure
    accepted(dt.date(2025, 9, 3), area=Area.objects.get(slug=KENT))  # another area's referral

    found = compute()

    q2 = figure(found, Indicator.SCREENING, "All referrals", "q2")
    assert (q2.numerator, q2.denominator, q2.percent) == (1, 2, 50.0)
    assert q2.median_working_days == 10.5
    assert q2.status == Rag.RED
    assert figure(found, Indicator.SCREENING, "All referrals", "q1").denominator == 0
    assert figure(found, Indicator.SCREENING, "All referrals", "q1").status == Rag.NONE
    assert figure(found, Indicator.SCREENING, "All referrals").denominator == 2


def test_screening_uses_the_areas_own_working_days_and_rag_bands():
    area = factories.northamptonshire()
    IndicatorTarget.objects.create(
        area=area, indicator=Indicator.SCREENING, green_percent=100, amber_percent=50, working_days=11
    )
    referral_decided(referral_received(dt.date(2025, 8, 22)), dt.date(2025, 9, 9))
    referral_decided(referral_received(dt.date(2025, 8, 22)), dt.date(2025, 9, 10))

    year = figure(compute(), Indicator.SCREENING, "All referrals")

    assert (year.numerator, year.denominator, year.status) == (1, 2, Rag.AMBER)


def test_first_meeting_held_on_its_due_date_is_on_time_and_a_day_later_is_not():
    # Accepted at Level 3 on Monday 1 September 2025: due within 5 working days, on Monday 8 September.
    on_due_date = accepted(dt.date(2025, 9, 1), level=3).registration
    day_late = accepted(dt.date(2025, 9, 1), level=3).registration
    never_met = accepted(dt.date(2025, 9, 1), level=2).registration  # Level 2 due 29 September, never held
    panel_held(dt.date(2025, 9, 8), level=3, registrations=[on_due_date])
    panel_held(dt.date(2025, 9, 9), level=3, registrations=[day_late])
    assert never_met is not None

    found = compute()

    level_3 = figure(found, Indicator.FIRST_MEETING, "Level 3", "q2")
    assert (level_3.numerator, level_3.denominator) == (1, 2)
    level_2 = figure(found, Indicator.FIRST_MEETING, "Level 2", "q2")
    assert (level_2.numerator, level_2.denominator, level_2.status) == (0, 1, Rag.RED)


def test_first_meeting_not_yet_due_is_left_out_until_it_is_late():
    accepted(dt.date(2025, 9, 1), level=2)  # due 29 September 2025

    before_due = area_indicators(area=factories.northamptonshire(), year=YEAR, today=dt.date(2025, 9, 29))
    after_due = area_indicators(area=factories.northamptonshire(), year=YEAR, today=dt.date(2025, 9, 30))

    assert figure(before_due, Indicator.FIRST_MEETING, "Level 2").denominator == 0
    assert figure(after_due, Indicator.FIRST_MEETING, "Level 2").denominator == 1


def test_review_held_on_its_due_date_is_on_time_and_one_never_held_is_late():
    # Reviews set for Monday 1 September 2025 at panels held on 4 August.
    on_due_date, day_late, never, left_level_2 = (accepted(dt.date(2025, 7, 1)).registration for _ in range(4))
    for registration in (on_due_date, day_late, never, left_level_2):
        minutes_recorded(panel_held(dt.date(2025, 8, 4), registrations=[registration]), next_review=dt.date(2025, 9, 1))
    panel_held(dt.date(2025, 9, 1), registrations=[on_due_date])
    panel_held(dt.date(2025, 9, 2), registrations=[day_late])
    with on(dt.date(2025, 8, 20)):  # down to Level 1 before the review fell due: no review to count
        referral_services.registration_change_level(
            actor=factories.coordinator(), registration=left_level_2, level=1,
            effective_date=dt.date(2025, 8, 20), reason="Risk reduced: managed by the lead agency alone.",
        )  # fmt: skip

    found = compute()

    level_2 = figure(found, Indicator.REVIEWS, "Level 2", "q2")
    assert (level_2.numerator, level_2.denominator) == (1, 3)
    assert figure(found, Indicator.REVIEWS, "Level 3").denominator == 0


def test_minutes_due_date_skips_the_bank_holiday():
    # Held Friday 22 August 2025; 10 working days, skipping Monday 25 August, is Monday 8 September.
    registrations = [accepted(dt.date(2025, 8, 1)).registration, accepted(dt.date(2025, 8, 1)).registration]
    on_time = minutes_recorded(panel_held(dt.date(2025, 8, 22), registrations=[registrations[0]]))
    late = minutes_recorded(panel_held(dt.date(2025, 8, 22), registrations=[registrations[1]]))
    minutes_approved(on_time, dt.date(2025, 9, 8))
    minutes_approved(late, dt.date(2025, 9, 9))

    q2 = figure(compute(), Indicator.MINUTES, "All meetings", "q2")

    assert (q2.numerator, q2.denominator) == (1, 2)


def test_a_meeting_just_after_midnight_on_1_april_belongs_to_the_new_year_in_london():
    # 00:30 on 1 April 2025 in London is 23:30 on 31 March in UTC: the new reporting year, Q1.
    registration = accepted(dt.date(2025, 3, 3)).registration
    meeting = panel_held(dt.date(2025, 4, 1), at=dt.time(0, 30), registrations=[registration])
    minutes_approved(minutes_recorded(meeting), dt.date(2025, 4, 2))

    found = compute()

    assert figure(found, Indicator.MINUTES, "All meetings", "q1").numerator == 1
    assert figure(found, Indicator.ATTENDANCE, AgencyType.POLICE.label, "q1").numerator == 1


def test_minutes_follow_the_areas_minutes_due_working_days():
    AreaSettings.objects.filter(area=factories.northamptonshire()).update(minutes_due_working_days=11)
    meeting = minutes_recorded(
        panel_held(dt.date(2025, 8, 22), registrations=[accepted(dt.date(2025, 8, 1)).registration])
    )
    minutes_approved(meeting, dt.date(2025, 9, 9))

    assert figure(compute(), Indicator.MINUTES, "All meetings").numerator == 1


def test_attendance_by_agency_type_counts_apologies_and_leaves_out_observers():
    meeting = panel_held(dt.date(2025, 8, 22), registrations=[accepted(dt.date(2025, 8, 1)).registration])
    factories.full_attendance(meeting)  # police and probation present, housing apologies with report, an observer
    with on(dt.date(2025, 8, 22)):
        meeting_services.meeting_add_attendee(
            actor=meeting.created_by,
            meeting=meeting,
            entry=meeting_services.AttendanceEntry(
                status=AttendanceStatus.ABSENT, agency=factories.agency(meeting.area, AgencyType.HEALTH)
            ),
        )
    kent = Area.objects.get(slug=KENT)
    factories.full_attendance(
        panel_held(
            dt.date(2025, 8, 22), area=kent, registrations=[accepted(dt.date(2025, 8, 1), area=kent).registration]
        )
    )

    found = compute()

    police = figure(found, Indicator.ATTENDANCE, AgencyType.POLICE.label)
    assert (police.numerator, police.denominator, police.status) == (1, 1, Rag.GREEN)
    housing = figure(found, Indicator.ATTENDANCE, AgencyType.HOUSING.label)
    assert (housing.numerator, housing.denominator) == (0, 1)
    assert housing.parts[AttendanceStatus.APOLOGIES_WITH_REPORT] == 1
    health = figure(found, Indicator.ATTENDANCE, AgencyType.HEALTH.label)
    assert health.parts[AttendanceStatus.ABSENT] == 1
    assert rows(found, Indicator.ATTENDANCE) == [
        AgencyType.POLICE.label,
        AgencyType.PROBATION.label,
        AgencyType.HOUSING.label,
        AgencyType.HEALTH.label,
    ]


def test_actions_due_on_a_bank_holiday_completed_that_day_are_on_time():
    registration = accepted(dt.date(2025, 8, 1)).registration
    meeting = minutes_recorded(panel_held(dt.date(2025, 8, 4), registrations=[registration]))
    on_holiday = action_set(meeting, due=AUGUST_BANK_HOLIDAY)
    day_after = action_set(meeting, due=AUGUST_BANK_HOLIDAY)
    not_possible = action_set(meeting, due=AUGUST_BANK_HOLIDAY)
    not_done = action_set(meeting, due=AUGUST_BANK_HOLIDAY)
    action_set(meeting, due=AUGUST_BANK_HOLIDAY)  # still open: overdue by TODAY
    action_set(meeting, due=dt.date(2025, 8, 29), agency_type=AgencyType.PROBATION)  # open, overdue
    action_completed(on_holiday, AUGUST_BANK_HOLIDAY)
    action_completed(day_after, dt.date(2025, 8, 26))
    action_closed(not_possible, dt.date(2025, 8, 20), RiskActionState.CLOSED_NOT_POSSIBLE)
    action_closed(not_done, dt.date(2025, 8, 20), RiskActionState.CLOSED_NOT_DONE)

    found = compute()

    police = figure(found, Indicator.ACTIONS, factories.agency(meeting.area, AgencyType.POLICE).name, "q2")
    assert (police.numerator, police.denominator) == (1, 4)
    assert police.parts == {"met": 1, "late_or_overdue": 2, "closed_not_done": 1, "closed_not_possible": 1}
    probation = figure(found, Indicator.ACTIONS, factories.agency(meeting.area, AgencyType.PROBATION).name)
    assert (probation.numerator, probation.denominator, probation.status) == (0, 1, Rag.RED)


def test_small_numbers_are_hidden_with_the_areas_threshold_and_cannot_be_worked_out():
    AreaSettings.objects.filter(area=factories.northamptonshire()).update(suppression_threshold=2)
    for _ in range(6):
        referral_decided(referral_received(dt.date(2025, 8, 22)), dt.date(2025, 9, 8))
    referral_decided(referral_received(dt.date(2025, 10, 1)), dt.date(2025, 10, 2))

    found = compute()

    assert figure(found, Indicator.SCREENING, "All referrals", "q3").hidden
    assert figure(found, Indicator.SCREENING, "All referrals", "q3").percent is None
    assert figure(found, Indicator.SCREENING, "All referrals", "q3").median_working_days is None
    # The year (7) minus Q2 (6) would give Q3 away, so one of them is hidden as well.
    assert (
        figure(found, Indicator.SCREENING, "All referrals").hidden
        or figure(found, Indicator.SCREENING, "All referrals", "q2").hidden
    )


def test_the_queries_do_not_grow_with_the_records_or_the_areas(django_assert_num_queries):
    for day in (dt.date(2025, 8, 22), dt.date(2025, 10, 1)):
        registration = accepted(day).registration
        meeting = minutes_recorded(panel_held(day + dt.timedelta(days=3), registrations=[registration]))
        action_set(meeting, due=day + dt.timedelta(days=20))
    area = factories.northamptonshire()
    every_area = list(Area.objects.all())

    # settings, targets, one per indicator, two for first meetings, three for reviews, three for Level 1 reviews
    with django_assert_num_queries(14):
        area_indicators(area=area, year=YEAR, today=TODAY)
    with django_assert_num_queries(14):
        indicators_for_areas(areas=every_area, year=YEAR, today=TODAY)
    # and the page's tables: three for movement, two for diversity
    with django_assert_num_queries(19):
        indicators_page(area=area, year=YEAR, today=TODAY)
    with django_assert_num_queries(19):
        indicators_pages(areas=every_area, year=YEAR, today=TODAY)


def _history_in(area: Area, offset: int) -> None:
    """A year of work in ``area``, different in each area (``offset`` days later): screening, a first panel, a
    review met and one missed, minutes, attendance, an action done and one overdue, a Level 1 case."""
    day = dt.date(2025, 5, 1) + dt.timedelta(days=offset)
    late = referral_received(day, area=area)
    referral_decided(late, day + dt.timedelta(days=20 + offset))
    level = 2 + offset % 2
    registration = accepted(day, area=area, level=level).registration
    first = minutes_recorded(
        panel_held(day + dt.timedelta(days=7), registrations=[registration], area=area, level=level),
        next_review=day + dt.timedelta(days=50),
    )
    action = action_set(first, due=day + dt.timedelta(days=30))
    minutes_approved(first, day + dt.timedelta(days=9 + 3 * offset))
    action_completed(action, day + dt.timedelta(days=25 + offset))
    second = minutes_recorded(
        panel_held(day + dt.timedelta(days=55 + offset), registrations=[registration], area=area, level=level),
        next_review=day + dt.timedelta(days=100),
    )
    action_set(second, due=day + dt.timedelta(days=80))
    accepted(day, area=area, level=1)
    moved_up = accepted(day, area=area, level=1).registration
    change_level(moved_up, 2, day + dt.timedelta(days=30 + offset))
    moved_up.refresh_from_db()
    exit_mappa(moved_up, ExitReason.RISK_REDUCED, day + dt.timedelta(days=200))


def test_the_figures_of_many_areas_counted_at_once_are_each_areas_own():
    areas = [factories.northamptonshire(), *Area.objects.filter(slug__in=[KENT, "cumbria"]).order_by("slug")]
    for offset, area in enumerate(areas):
        _history_in(area, offset * 3)
    AreaSettings.objects.update_or_create(area=areas[1], defaults={"suppression_threshold": 0})
    IndicatorTarget.objects.create(area=areas[2], indicator=Indicator.ACTIONS, green_percent=60, amber_percent=40)

    together = indicators_pages(areas=areas, year=YEAR, today=TODAY)

    assert [page.indicators.area for page in together] == areas
    for page in together:
        assert page == indicators_page(area=page.indicators.area, year=YEAR, today=TODAY), page.indicators.area
        figures = [row.figures["year"] for result in page.indicators.results for row in result.rows]
        assert sum(figure.denominator for figure in figures) > 5
        assert any(row.cells["year"] for table in page.counts.movement.tables for row in table.rows)
    assert together[0] != together[1]  # each area's own records, threshold and targets
    assert [p.indicators for p in together] == indicators_for_areas(areas=areas, year=YEAR, today=TODAY)
