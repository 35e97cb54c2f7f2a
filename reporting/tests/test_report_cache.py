"""Closed reporting years come from the cache, but a correction to an old record shows at once."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mappa_workflow.models import Area, AreaPopulation, AreaSettings
from referrals.models import LifeEvent, LifeEventType, RegistrationPeriod
from reporting.statistics import (
    QUERIES_PER_REPORT,
    cached_annual_reports,
    compute_annual_report,
    current_reporting_year,
    data_version,
)
from reporting.synthetic.timeline import Event, Open
from tests.factories import northamptonshire

from .histories import add, person, write

# Committed writes, as a running server sees them (on PostgreSQL the cache is not used inside a transaction
# that has written, which every non-transactional test is).
pytestmark = pytest.mark.django_db(transaction=True)

D = date


@pytest.fixture
def area():
    cache.clear()
    area = northamptonshire()
    AreaSettings.objects.filter(area=area).update(suppression_threshold=0)
    write(
        area,
        person(area, Open(D(2020, 1, 1), 1, 1)),
        person(area, Open(D(2020, 1, 1), 2, 2), Event(D(2024, 6, 1), LifeEventType.SHPO_IMPOSED)),
    )
    return area


def snapshot_total(area) -> int | None:
    (report,) = cached_annual_reports(areas=area, years=[2024])
    return report.table("snapshot").value("total", "total")


def test_a_closed_year_is_computed_once_and_matches_the_report(area, django_assert_max_num_queries):
    first = cached_annual_reports(areas=area, years=[2023, 2024])
    assert [r.as_dict() for r in first] == [compute_annual_report(areas=area, year=y).as_dict() for y in (2023, 2024)]
    # the threshold and the data version (one query on PostgreSQL, one per table it covers here); no report queries
    with django_assert_max_num_queries(7):
        again = cached_annual_reports(areas=area, years=[2023, 2024])
    assert [r.as_dict() for r in again] == [r.as_dict() for r in first]


def test_a_correction_to_an_old_period_shows_at_once_however_it_is_made(area):
    assert snapshot_total(area) == 2
    period = RegistrationPeriod.objects.filter(area=area, category=2).get()
    RegistrationPeriod.objects.filter(pk=period.pk).update(end_date=D(2023, 1, 1))  # no signals, no save()
    assert snapshot_total(area) == 1
    RegistrationPeriod.objects.filter(pk=period.pk).update(end_date=None)
    assert snapshot_total(area) == 2


def test_a_deleted_or_added_event_and_a_new_threshold_show_at_once(area):
    def shpos() -> int | None:
        (report,) = cached_annual_reports(areas=area, years=[2024])
        return report.table("restrictive_orders").value("shpo", "number")

    assert shpos() == 1
    LifeEvent.objects.filter(area=area, event_type=LifeEventType.SHPO_IMPOSED).delete()
    assert shpos() == 0
    AreaSettings.objects.filter(area=area).update(suppression_threshold=5)
    (report,) = cached_annual_reports(areas=area, years=[2024])
    assert report.suppression_threshold == 5
    assert report.table("snapshot").shown("total", "total") == "*"


def test_the_year_still_open_is_always_computed(area, django_assert_num_queries):
    year = current_reporting_year()
    cached_annual_reports(areas=area, years=[year])
    with django_assert_num_queries(QUERIES_PER_REPORT):
        cached_annual_reports(areas=area, years=[year])


def test_each_closed_year_keeps_its_own_report_in_the_order_asked(area):
    add(area, person(area, Open(D(2023, 6, 1), 1, 1)))  # on the register at 31 March 2024, not 2023
    first = [r.table("snapshot").value("total", "total") for r in cached_annual_reports(areas=area, years=[2022, 2023])]
    again = [r.year for r in cached_annual_reports(areas=area, years=[2023, 2022])]
    assert first == [2, 3]
    assert again == [2023, 2022]
    assert [r.table("snapshot").value("total", "total") for r in cached_annual_reports(areas=area, years=[2023])] == [3]


def test_areas_counted_together_are_not_served_one_areas_report(area):
    kent = Area.objects.get(slug="kent")
    add(kent, person(kent, Open(D(2020, 1, 1), 1, 1)))
    AreaSettings.objects.filter(area=kent).update(suppression_threshold=0)
    assert snapshot_total(area) == 2
    (both,) = cached_annual_reports(areas=[area, kent], years=[2024])
    assert both.table("snapshot").value("total", "total") == 3
    (kent_alone,) = cached_annual_reports(areas=kent, years=[2024])
    assert kent_alone.table("snapshot").value("total", "total") == 1


def test_a_new_population_a_renamed_area_and_another_areas_change_show_or_not_as_they_should(area):
    def rate(report) -> str:
        return report.table("rate").shown("rate", "number")

    (before,) = cached_annual_reports(areas=area, years=[2024])
    AreaPopulation.objects.update_or_create(
        area=area, year=2024, defaults={"population_aged_10_and_over": 100_000, "source": "ONS (synthetic)"}
    )
    (with_population,) = cached_annual_reports(areas=area, years=[2024])
    assert rate(before) != "1"
    assert rate(with_population) == "1"
    Area.objects.filter(pk=area.pk).update(name="North Northants (renamed)")
    (renamed,) = cached_annual_reports(areas=Area.objects.get(pk=area.pk), years=[2024])
    assert "North Northants (renamed)" in renamed.area_label
    kent = Area.objects.get(slug="kent")
    add(kent, person(kent, Open(D(2020, 1, 1), 1, 1)))
    (unchanged,) = cached_annual_reports(areas=Area.objects.get(pk=area.pk), years=[2024])
    assert unchanged.as_dict() == renamed.as_dict()


def test_a_closed_year_beside_the_open_one_comes_from_the_cache_and_the_open_one_is_computed(
    area, django_assert_max_num_queries
):
    open_year = current_reporting_year()
    cached_annual_reports(areas=area, years=[2024, open_year])
    # the threshold, the data version (one query on PostgreSQL, one per table it covers here) and one report
    with django_assert_max_num_queries(7 + QUERIES_PER_REPORT):
        closed, current = cached_annual_reports(areas=area, years=[2024, open_year])
    assert (closed.year, current.year) == (2024, open_year)


def queries_of_data_version(area) -> int:
    """Measured, not assumed: one query on PostgreSQL, one per table it covers elsewhere."""
    with CaptureQueriesContext(connection) as captured:
        data_version([area.pk])
    return len(captured)


def test_the_open_year_asked_first_is_computed_and_the_closed_years_after_it_still_come(
    area, django_assert_num_queries
):
    open_year = current_reporting_year()
    cache_cost = 1 + queries_of_data_version(area)  # the threshold, the data version
    one_report = QUERIES_PER_REPORT - 1  # the threshold is read once for all years
    with django_assert_num_queries(cache_cost + 3 * one_report):  # nothing cached yet: every year computed once
        reports = cached_annual_reports(areas=area, years=[open_year, 2023, 2024])
    assert [r.year for r in reports] == [open_year, 2023, 2024]
    assert [r.as_dict() for r in reports] == [
        compute_annual_report(areas=area, year=y).as_dict() for y in (open_year, 2023, 2024)
    ]
    with django_assert_num_queries(cache_cost + one_report):  # the closed years cached, the open one computed
        again = cached_annual_reports(areas=area, years=[open_year, 2023, 2024])
    assert [r.as_dict() for r in again] == [r.as_dict() for r in reports]


def test_another_areas_people_are_never_counted_in_one_areas_open_or_closed_year(area):
    kent = Area.objects.get(slug="kent")
    AreaSettings.objects.filter(area=kent).update(suppression_threshold=0)
    open_year = current_reporting_year()
    add(kent, person(kent, Open(D(2020, 1, 1), 1, 1)), person(kent, Open(D(2021, 1, 1), 1, 2)))

    def totals(**asked) -> list[int | None]:
        return [r.table("snapshot").value("total", "total") for r in cached_annual_reports(**asked)]

    assert totals(areas=area, years=[open_year]) == [2]  # the open year alone
    assert totals(areas=area, years=[2024, open_year]) == [2, 2]  # beside a closed year
    assert totals(areas=[area, kent], years=[2024, open_year]) == [4, 4]
    assert totals(areas=kent, years=[open_year, 2024]) == [2, 2]


@pytest.mark.django_db(transaction=False)
def test_inside_a_transaction_that_has_written_every_year_is_computed_for_the_areas_asked_only(
    django_assert_num_queries,
):
    # On PostgreSQL the data version is unknown here (rows this transaction wrote keep its id), so nothing is
    # cached or read from the cache; elsewhere the version is a hash of the rows and the cache is used. Either
    # way each year's report is the one computed for the areas asked, and Kent's people never count.
    cache.clear()
    northants = northamptonshire()
    kent = Area.objects.get(slug="kent")
    AreaSettings.objects.filter(area__in=[northants, kent]).update(suppression_threshold=0)
    write(northants, person(northants, Open(D(2020, 1, 1), 1, 1)))
    add(kent, person(kent, Open(D(2020, 1, 1), 2, 2)), person(kent, Open(D(2021, 1, 1), 1, 1)))
    AreaSettings.objects.filter(area=northants).update(suppression_threshold=3)
    open_year = current_reporting_year()

    # the threshold once, the data version, then each year's report (nothing cached: the cache was cleared)
    with django_assert_num_queries(1 + queries_of_data_version(northants) + 2 * (QUERIES_PER_REPORT - 1)):
        reports = cached_annual_reports(areas=northants, years=[2023, open_year])
    assert [r.year for r in reports] == [2023, open_year]
    assert [r.as_dict() for r in reports] == [
        compute_annual_report(areas=northants, year=y).as_dict() for y in (2023, open_year)
    ]
    assert all(r.suppression_threshold == 3 for r in reports)
    assert [r.table("snapshot").value("total", "total") for r in reports] == [1, 1]
    # a person added in the same transaction shows at once: nothing was kept from the first answer
    add(northants, person(northants, Open(D(2020, 1, 1), 1, 1)))
    again = cached_annual_reports(areas=northants, years=[2023, open_year])
    assert [r.table("snapshot").value("total", "total") for r in again] == [2, 2]
