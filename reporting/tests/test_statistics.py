"""The annual report tables, each definition shown on a small story, then checked against an
independent Python count over random histories (hypothesis)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mappa_workflow.models import AreaPopulation, AreaSettings
from referrals.models import LifeEvent, LifeEventType, Location, RegistrationPeriod
from reporting.statistics import QUERIES_PER_REPORT, compute_annual_report
from reporting.synthetic.timeline import ChangeLevel, Event, Exit, Open
from tests.factories import northamptonshire

from .histories import person, write

pytestmark = pytest.mark.django_db

D = date
RTC = LifeEventType.RETURNED_TO_CUSTODY_LICENCE


@pytest.fixture
def area():
    return northamptonshire()


def report(area, year=2024, **kwargs):
    return compute_annual_report(areas=area, year=year, **kwargs)


def test_the_snapshot_counts_people_in_the_community_on_31_march_only(area):
    write(
        area,
        person(area, Open(D(2020, 1, 1), 1, 1)),  # counted: Category 1, Level 1
        person(area, Open(D(2020, 1, 1), 2, 2), Event(D(2025, 3, 1), RTC)),  # in custody on 31 March
        person(area, Open(D(2020, 1, 1), 2, 1, location=Location.HOSPITAL)),  # detained in hospital
        person(area, Open(D(2020, 1, 1), 1, 1), Exit(D(2025, 3, 31), "notification_period_ended")),  # left that day
        person(area, Open(D(2025, 3, 31), 3, 3)),  # joined that day: counted
        person(area, Open(D(2020, 1, 1), 4, 2)),  # Category 4: never in a local table
    )
    snapshot = report(area).table("snapshot")
    assert snapshot.value("level_1", "category_1") == 1
    assert snapshot.value("level_3", "category_3") == 1
    assert snapshot.value("level_1", "category_3") is None
    assert snapshot.shown("level_1", "category_3") == "-"
    assert snapshot.value("total", "total") == 2


def test_the_yearly_total_counts_each_person_once_under_the_highest_level_and_its_latest_category(area):
    write(
        area,
        # Level 2 then Level 3 then back to Level 2: counted once, at Level 3
        person(
            area, Open(D(2024, 5, 1), 2, 2), ChangeLevel(D(2024, 7, 1), 3, "up"), ChangeLevel(D(2024, 9, 1), 2, "down")
        ),
        # Level 3 as Category 2, then Level 3 as Category 1 (after an SRO breach, say): the latest Level 3 category
        person(area, Open(D(2024, 5, 1), 2, 3), ChangeLevel(D(2024, 8, 1), 3, "category", category=1)),
        # Level 2 ended the day the year began: not in this year
        person(area, Open(D(2023, 5, 1), 2, 2), ChangeLevel(D(2024, 4, 1), 1, "down")),
        # Level 2 only on the last day of the year: counted
        person(area, Open(D(2020, 5, 1), 1, 1), ChangeLevel(D(2025, 3, 31), 2, "up")),
    )
    yearly = report(area).table("level_2_3_yearly")
    assert yearly.value("level_3", "category_2") == 1
    assert yearly.value("level_3", "category_1") == 1
    assert yearly.value("level_2", "category_1") == 1
    assert yearly.value("total", "total") == 3


def test_a_return_is_counted_at_the_level_and_category_held_the_day_before(area):
    write(
        area,
        # moved to Level 3 on the day of the return: the day before, Level 2
        person(area, Open(D(2024, 5, 1), 2, 2), ChangeLevel(D(2024, 6, 1), 3, "up"), Event(D(2024, 6, 1), RTC)),
        # returned twice in the year: two returns
        person(
            area,
            Open(D(2024, 5, 1), 3, 3),
            Event(D(2024, 6, 1), RTC),
            Event(D(2024, 7, 1), LifeEventType.RELEASED),
            Event(D(2024, 8, 1), LifeEventType.RETURNED_TO_CUSTODY_SHPO),
        ),
        # at Level 1: not in the table
        person(area, Open(D(2020, 5, 1), 1, 1), Event(D(2024, 6, 1), RTC)),
    )
    r = report(area)
    licence = r.table("returns_licence")
    assert licence.value("level_2", "category_2") == 1
    assert licence.value("level_3", "category_3") == 1
    assert licence.value("total", "total") == 2
    assert r.table("returns_shpo").value("level_3", "number") == 1


def test_life_events_are_counted_by_people_or_by_orders_as_the_report_says(area):
    cautioned_twice = person(
        area,
        Open(D(2020, 1, 1), 1, 1),
        Event(D(2024, 5, 1), LifeEventType.BREACH_NOTIFICATION_CAUTION),
        Event(D(2024, 9, 1), LifeEventType.BREACH_NOTIFICATION_CAUTION),
        Event(D(2024, 10, 1), LifeEventType.SHPO_IMPOSED, foreign_travel_restriction=True),
        Event(D(2024, 11, 1), LifeEventType.SHPO_IMPOSED),
    )
    revoked = person(area, Open(D(2005, 1, 1), 1, 1), Event(D(2025, 2, 1), LifeEventType.LIFETIME_NOTIFICATION_REVOKED))
    sro = person(area, Event(D(2023, 1, 1), LifeEventType.SRO_MADE), Event(D(2024, 6, 1), LifeEventType.SRO_BREACHED))
    write(area, cautioned_twice, revoked, sro)
    r = report(area)
    assert r.table("notification_breaches").value("cautioned", "number") == 1  # people, not cautions
    assert r.table("restrictive_orders").value("shpo", "number") == 2  # orders, not people
    assert r.table("restrictive_orders").value("shpo_foreign_travel", "number") == 1
    assert r.table("lifetime_revoked").value("revoked", "number") == 1
    assert r.table("sro_breach").value("individuals", "number") == 1
    # the breached SRO registered the person under Category 1 at Level 1
    assert r.table("snapshot").value("level_1", "category_1") == 2


def test_the_rate_uses_the_population_for_the_year_and_is_blank_with_a_note_without_one(area):
    write(area, *[person(area, Open(D(2020, 1, 1), 1, 1)) for _ in range(3)])
    AreaPopulation.objects.update_or_create(
        area=area, year=2024, defaults={"population_aged_10_and_over": 2000, "source": "ONS mid-2024 (test)"}
    )
    rate = report(area).table("rate")
    assert rate.value("rate", "number") == 150
    assert "ONS mid-2024 (test)" in rate.note
    AreaPopulation.objects.filter(area=area, year=2023).delete()
    missing = report(area, year=2023).table("rate")
    assert missing.value("rate", "number") is None
    assert missing.shown("rate", "number") == ""
    assert "not recorded" in missing.note


def test_small_numbers_are_suppressed_with_any_total_that_would_reveal_them(area):
    write(
        area,
        *[person(area, Open(D(2020, 1, 1), 1, 1)) for _ in range(12)],
        *[person(area, Open(D(2020, 1, 1), 2, 1)) for _ in range(9)],
        person(area, Open(D(2020, 1, 1), 2, 2)),
        person(area, Open(D(2020, 1, 1), 3, 2)),
    )
    assert report(area).table("snapshot").shown("level_2", "category_2") == "1"  # off by default
    AreaSettings.for_area(area)
    AreaSettings.objects.filter(area=area).update(suppression_threshold=2)
    snapshot = report(area).table("snapshot")
    assert snapshot.shown("level_2", "category_2") == "*"
    assert snapshot.shown("level_2", "category_3") == "*"
    # Level 2 total (2) is itself small; each column total with one hidden cell would reveal it
    assert snapshot.shown("level_2", "total") == "*"
    assert snapshot.shown("total", "category_2") == "*"
    assert snapshot.shown("total", "category_3") == "*"
    assert snapshot.shown("level_1", "category_1") == "12"
    # a per-call threshold overrides the area's
    assert report(area, suppression_threshold=0).table("snapshot").shown("level_2", "category_2") == "1"


def test_moving_an_event_across_31_march_moves_it_between_reporting_years(area):
    (someone,) = write(area, person(area, Open(D(2020, 1, 1), 1, 1), Event(D(2025, 3, 31), LifeEventType.SHPO_IMPOSED)))
    assert report(area, 2024).table("restrictive_orders").value("shpo", "number") == 1
    assert report(area, 2025).table("restrictive_orders").value("shpo", "number") == 0
    LifeEvent.objects.filter(individual=someone).update(occurred_on=D(2025, 4, 1))
    assert report(area, 2024).table("restrictive_orders").value("shpo", "number") == 0
    assert report(area, 2025).table("restrictive_orders").value("shpo", "number") == 1


@pytest.mark.parametrize("people", [1, 40])
def test_the_report_costs_a_fixed_number_of_queries_whatever_the_data(area, people, django_assert_num_queries):
    write(
        area,
        *[person(area, Open(D(2020, 1, 1), 1 + i % 2, 1 + i % 3), Event(D(2024, 6, 1), RTC)) for i in range(people)],
    )
    with django_assert_num_queries(QUERIES_PER_REPORT):
        compute_annual_report(areas=area, year=2024)
    with django_assert_num_queries(QUERIES_PER_REPORT):
        compute_annual_report(areas=None, year=2024)


# ---------------------------------------------------------------------------------------------
# Random histories against an independent count
# ---------------------------------------------------------------------------------------------

YEAR_START, YEAR_END = D(2024, 4, 1), D(2025, 3, 31)
ACTIONS = ("level", "return_licence", "return_shpo", "release", "caution", "shpo", "exit", "category")


@st.composite
def histories(draw):
    """Up to six people, each a random but valid run of steps around the 2024/25 year."""
    plans = []
    for _ in range(draw(st.integers(0, 6))):
        day = D(2023, 10, 1) + timedelta(days=draw(st.integers(0, 500)))
        category = draw(st.sampled_from([1, 2, 3, 4]))
        level = draw(st.sampled_from([2, 3] if category == 3 else [1, 2, 3]))
        steps = [Open(day, category, level)]
        location, active = Location.COMMUNITY, True
        for _ in range(draw(st.integers(0, 6))):
            day += timedelta(days=draw(st.integers(1, 90)))
            action = draw(st.sampled_from(ACTIONS))
            if not active:
                break
            if action == "level":
                new = draw(st.sampled_from([2, 3] if category == 3 else [1, 2, 3]))
                if new != level:
                    steps.append(ChangeLevel(day, new, "random"))
                    level = new
            elif action == "category":
                new = draw(st.sampled_from([1, 2] if level == 1 else [1, 2, 3]))
                if new != category:
                    steps.append(ChangeLevel(day, level, "random", category=new))
                    category = new
            elif action.startswith("return") and location == Location.COMMUNITY:
                steps.append(Event(day, RTC if action == "return_licence" else LifeEventType.RETURNED_TO_CUSTODY_SHPO))
                location = Location.CUSTODY
            elif action == "release" and location == Location.CUSTODY:
                steps.append(Event(day, LifeEventType.RELEASED))
                location = Location.COMMUNITY
            elif action == "caution" and category == 1:
                steps.append(Event(day, LifeEventType.BREACH_NOTIFICATION_CAUTION))
            elif action == "shpo":
                steps.append(Event(day, LifeEventType.SHPO_IMPOSED, foreign_travel_restriction=draw(st.booleans())))
            elif action == "exit":
                steps.append(Exit(day, "risk_reduced"))
                active = False
        plans.append(steps)
    return plans


def independent_count(area):
    """The tables counted in Python from the rows, straight from DOMAIN.md's definitions."""
    periods = list(RegistrationPeriod.objects.filter(area=area).exclude(category=4))
    on_day = lambda p, d: p.start_date <= d and (p.end_date is None or p.end_date > d)  # noqa: E731
    snapshot = defaultdict(set)
    for p in periods:
        if on_day(p, YEAR_END) and p.location == Location.COMMUNITY:
            snapshot[(p.category, p.level)].add(p.individual_id)
    best = {}
    for p in periods:
        overlaps = p.start_date <= YEAR_END and (p.end_date is None or p.end_date > YEAR_START)
        if overlaps and p.level in (2, 3):
            key = (p.level, p.start_date, p.pk)
            if p.individual_id not in best or key > best[p.individual_id][0]:
                best[p.individual_id] = (key, p.category)
    yearly = defaultdict(set)
    for individual, ((level, _, _), category) in best.items():
        yearly[(category, level)].add(individual)
    returns = defaultdict(int)
    all_periods = list(RegistrationPeriod.objects.filter(individual__area=area))
    for e in LifeEvent.objects.filter(event_type__in=[RTC, LifeEventType.RETURNED_TO_CUSTODY_SHPO]):
        if YEAR_START <= e.occurred_on <= YEAR_END:
            before = [
                p
                for p in all_periods
                if p.individual_id == e.individual_id
                and p.start_date < e.occurred_on
                and (p.end_date is None or p.end_date >= e.occurred_on)
            ]
            if before and before[0].level in (2, 3) and before[0].category != 4:
                returns[(e.event_type, before[0].category, before[0].level)] += 1
                if e.occurred_on > YEAR_START:
                    returns[("held in the year", before[0].level)] += 1
    return snapshot, yearly, returns


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(plans=histories())
def test_random_histories_match_an_independent_count_and_keep_every_invariant(area, plans):
    with transaction.atomic():
        write(area, *[person(area, *steps) for steps in plans])
        r = report(area)
        snapshot, yearly, returns = independent_count(area)

        # the same numbers as counting person by person
        for c in (1, 2, 3):
            for level in (1, 2, 3):
                if not (c == 3 and level == 1):
                    assert r.table("snapshot").value(f"level_{level}", f"category_{c}") == len(snapshot[(c, level)])
            for level in (2, 3):
                assert r.table("level_2_3_yearly").value(f"level_{level}", f"category_{c}") == len(yearly[(c, level)])
                assert r.table("returns_licence").value(f"level_{level}", f"category_{c}") == returns[(RTC, c, level)]

        # every total is the sum of its cells
        for table in r.tables:
            cells = table.cell_values()
            for total, parts in table.totals.items():
                assert cells[total] == sum(cells[part] for part in parts)
                assert all(cells[part] >= 0 for part in parts)

        # nobody counted twice: the cells of a people table partition distinct individuals
        assert r.table("snapshot").value("total", "total") == len(set().union(*snapshot.values()))
        assert r.table("level_2_3_yearly").value("total", "total") == len(set().union(*yearly.values()))

        # Level 3 on 31 March means Level 3 in the year, in the same category; Level 2 on 31 March is in the
        # yearly total at Level 2 or, if the person reached Level 3 earlier, at Level 3 (docs/statistics.md)
        s, y = r.table("snapshot"), r.table("level_2_3_yearly")
        for c in (1, 2, 3):
            assert s.value("level_3", f"category_{c}") <= y.value("level_3", f"category_{c}")
        assert s.value("level_2", "total") + s.value("level_3", "total") <= y.value("total", "total")

        # a return at a level needs someone at that level in the year (returns from 2 April: the day before is in the year)
        if returns[("held in the year", 3)]:
            assert y.value("level_3", "total") >= 1
        if returns[("held in the year", 2)] or returns[("held in the year", 3)]:
            assert y.value("total", "total") >= 1

        # Category 4 never appears
        for table in r.tables:
            assert all("4" not in column.key and "Category 4" not in column.label for column in table.columns)
        transaction.set_rollback(True)
