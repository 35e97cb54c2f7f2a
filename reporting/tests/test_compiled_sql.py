"""The report's statements built once and sent again with new values (``reporting.compiled_sql``).

What it promises: every figure is the one the ORM's own query gives, for any areas and years asked in any order in
one process; a later report builds none of the statistics' SQL again; the stand-in values used to find where the
inputs go never reach the database and are not counted as queries; a query whose SQL could not be reused safely
is built every time instead.
"""

from __future__ import annotations

import datetime as dt
from datetime import date as D
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from mappa_workflow.models import Area, AreaPopulation
from referrals.models import LifeEventType, RegistrationPeriod
from reporting import compiled_sql
from reporting import statistics as s
from reporting.synthetic.timeline import Event, Exit, Open
from tests.factories import northamptonshire

from .histories import add, person, write

pytestmark = pytest.mark.django_db

RTC = LifeEventType.RETURNED_TO_CUSTODY_LICENCE


@pytest.fixture
def two_areas():
    north = northamptonshire()
    other = Area.objects.exclude(pk=north.pk).order_by("pk").first()
    write(
        north,
        person(north, Open(D(2021, 5, 1), 1, 1), Event(D(2024, 6, 1), LifeEventType.SHPO_IMPOSED)),
        person(north, Open(D(2022, 2, 1), 2, 2), Event(D(2024, 9, 3), RTC)),
        person(north, Open(D(2023, 7, 1), 3, 3), Exit(D(2025, 2, 1), "risk_reduced")),
    )
    add(
        other,
        person(other, Open(D(2020, 1, 1), 2, 3), Event(D(2023, 11, 1), RTC)),
        person(other, Open(D(2024, 4, 1), 1, 2), Event(D(2024, 12, 24), LifeEventType.BREACH_NOTIFICATION_CAUTION)),
    )
    AreaPopulation.objects.get_or_create(
        area=other, year=2024, defaults={"population_aged_10_and_over": 500_000, "source": "synthetic estimate"}
    )
    return north, other


def _year(year):
    first, last = s.reporting_year_bounds(year)
    return {"first": first, "last": last}


QUERIES = [
    (s._snapshot_query, lambda year: {"day": D(year + 1, 3, 31)}, compiled_sql.rows),
    (s._returns_query, _year, compiled_sql.rows),
    (s._serious_further_offence_query, _year, compiled_sql.rows),
    (s._population_query, lambda year: {"year": year}, compiled_sql.rows),
    (s._yearly_level_2_3_aggregate, _year, compiled_sql.row),
    (s._life_event_aggregate, _year, compiled_sql.row),
    (s._serious_case_review_aggregate, _year, compiled_sql.row),
    (s._threshold_aggregate, lambda year: {}, compiled_sql.row),
]


def _sorted(result):
    if isinstance(result, dict):
        return result
    return sorted(result, key=repr)


@pytest.mark.parametrize(("build", "dated", "run"), QUERIES, ids=lambda q: getattr(q, "__name__", ""))
def test_each_statement_sent_again_gives_what_the_orm_gives_for_every_scope_and_year(two_areas, build, dated, run):
    north, other = two_areas
    scopes = [[north.pk], [other.pk], None, sorted([north.pk, other.pk]), [other.pk], [north.pk]]
    for scope in scopes:
        for year in (2024, 2023, 2024, 2025):
            inputs = {"area_ids": scope, **dated(year)}
            assert _sorted(run(build, **inputs)) == _sorted(s_orm(build, inputs)), (build.__name__, scope, year)
    assert compiled_sql._plans, "no statement was reused"
    assert all(plan is not None for plan in compiled_sql._plans.values())


def s_orm(build, inputs):
    result = build(**inputs)
    return result if isinstance(result, dict) else list(result)


def test_a_later_report_builds_none_of_the_statistics_sql_again(two_areas):
    north, other = two_areas
    first = s.compute_annual_report(areas=north, year=2024)
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as built:
        again = s.compute_annual_report(areas=north, year=2024)
        elsewhere = s.compute_annual_report(areas=other, year=2023)
    # only the areas' own rows (model instances, for their names) are built each time
    assert built.call_count == 2
    with mock.patch.object(compiled_sql, "_plan_for", return_value=None):  # every query built by the ORM
        assert again.raw_values() == first.raw_values() == s.compute_annual_report(areas=north, year=2024).raw_values()
        assert elsewhere.raw_values() == s.compute_annual_report(areas=other, year=2023).raw_values()
    assert first.table("snapshot").value("total", "total") == 1  # the others returned to custody and left MAPPA


def test_the_stand_in_values_never_reach_the_database_and_are_not_counted(two_areas, django_assert_num_queries):
    north, _ = two_areas
    with CaptureQueriesContext(connection) as sent, django_assert_num_queries(s.QUERIES_PER_REPORT):
        report = s.compute_annual_report(areas=north, year=2024)
    assert report.table("snapshot").value("total", "total") == 1  # the others returned to custody and left MAPPA
    text = " ".join(q["sql"] for q in sent.captured_queries)
    assert "1001-" not in text and "1002-" not in text  # the stand-in days
    assert "30007" not in text and "31011" not in text  # the first stand-in areas


def test_no_areas_at_all_sends_nothing_and_counts_nothing(two_areas, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert compiled_sql.rows(s._snapshot_query, area_ids=[], day=D(2025, 3, 31)) == []
        assert compiled_sql.row(s._life_event_aggregate, area_ids=[], first=D(2024, 4, 1), last=D(2025, 3, 31)) == {
            "cautioned": 0,
            "convicted": 0,
            "lifetime_revoked": 0,
            "shpo": 0,
            "shpo_foreign_travel": 0,
            "notification_order": 0,
            "sro_breach": 0,
        }


def _periods_from_the_day_after(area_ids, day):
    """The ORM is handed a value derived from the input: the day after ``day``."""
    return (
        RegistrationPeriod.objects.filter(area_id__in=area_ids, start_date__gte=day + timedelta(days=1))
        .order_by()
        .values("level")
        .annotate(n=Count("id"))
    )


def _periods_of_a_constant_person(area_ids, day):
    """A constant of the query that happens to equal an input's stand-in."""
    return (
        RegistrationPeriod.objects.filter(area_id__in=area_ids, start_date__lte=day)
        .exclude(area_id=30007)  # the first stand-in of the first build
        .order_by()
        .values("level")
        .annotate(n=Count("id"))
    )


def _periods_between_the_day_after_first_and_last(area_ids, first, last):
    """The day after ``first``: in a single build it could equal ``last``'s stand-in (consecutive stand-ins)."""
    return (
        RegistrationPeriod.objects.filter(area_id__in=area_ids, start_date__gte=first + timedelta(days=1))
        .filter(start_date__lte=last)
        .order_by()
        .values("level")
        .annotate(n=Count("id"))
    )


def _populations_of_this_year_and_the_last(area_ids, year):
    """``year`` less one: in a single build it could equal an area's stand-in."""
    return AreaPopulation.objects.filter(area_id__in=area_ids, year__in=[year, year - 1]).order_by().values("year")


def _population_of_the_reporting_year(area_ids, year):
    """Refuses the stand-ins: a year outside what ``reporting_year_bounds`` accepts."""
    first, _ = s.reporting_year_bounds(year)
    return AreaPopulation.objects.filter(area_id__in=area_ids, year=first.year).order_by().values("year")


@pytest.mark.parametrize(
    ("build", "inputs"),
    [
        (_periods_between_the_day_after_first_and_last, {"first": D(2021, 4, 30), "last": D(2030, 1, 1)}),
        (_populations_of_this_year_and_the_last, {"year": 2024}),
        (_population_of_the_reporting_year, {"year": 2024}),
    ],
    ids=["first plus a day", "year less one", "stand-ins refused"],
)
def test_a_value_derived_from_an_input_is_never_taken_for_another_input(two_areas, build, inputs):
    north, other = two_areas
    AreaPopulation.objects.update_or_create(
        area=north, year=2023, defaults={"population_aged_10_and_over": 1_000, "source": "synthetic"}
    )
    area_ids = sorted([north.pk, other.pk])
    got = compiled_sql.rows(build, area_ids=area_ids, **inputs)
    assert sorted(got, key=repr) == sorted(build(area_ids=area_ids, **inputs), key=repr)
    assert got, "the story needs rows to compare"
    assert list(compiled_sql._plans.values()) == [None]


def test_a_date_and_time_given_for_a_day_is_left_to_the_orm(two_areas):
    north, _ = two_areas
    first, last = dt.datetime(2024, 6, 1, 12, 0), dt.datetime(2024, 12, 31, 12, 0)
    got = compiled_sql.row(s._life_event_aggregate, area_ids=[north.pk], first=first, last=last)
    assert got == s._life_event_aggregate(area_ids=[north.pk], first=first, last=last)
    assert got["shpo"] == 1


def test_with_debug_on_no_stand_in_is_logged(two_areas, settings):
    north, _ = two_areas
    settings.DEBUG = True
    connection.queries_log.clear()
    s.compute_annual_report(areas=north, year=2024)
    assert len(connection.queries) == s.QUERIES_PER_REPORT
    assert all(q["sql"] and "1001-" not in q["sql"] and "1002-" not in q["sql"] for q in connection.queries)


@pytest.mark.parametrize(("build", "dated", "run"), QUERIES, ids=lambda q: getattr(q, "__name__", ""))
def test_each_reused_statement_is_one_query_by_the_orm_too(two_areas, build, dated, run, django_assert_num_queries):
    """Only a build's first statement is caught, so every build handed to compiled_sql must send exactly one."""
    north, _ = two_areas
    with django_assert_num_queries(1):
        s_orm(build, {"area_ids": [north.pk], **dated(2024)})


@pytest.mark.parametrize("build", [_periods_from_the_day_after, _periods_of_a_constant_person])
def test_a_statement_that_cannot_be_reused_safely_is_built_each_time_and_stays_right(two_areas, build):
    north, _ = two_areas
    for day in (D(2021, 4, 30), D(2021, 5, 1), D(2022, 3, 1), D(2030, 1, 1)):
        got = compiled_sql.rows(build, area_ids=[north.pk], day=day)
        assert sorted(got, key=repr) == sorted(build(area_ids=[north.pk], day=day), key=repr)
    assert list(compiled_sql._plans.values()) == [None]
