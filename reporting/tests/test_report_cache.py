"""Closed reporting years come from the cache, but a correction to an old record shows at once."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache

from mappa_workflow.models import AreaSettings
from referrals.models import LifeEvent, LifeEventType, RegistrationPeriod
from reporting.statistics import (
    QUERIES_PER_REPORT,
    cached_annual_reports,
    compute_annual_report,
    current_reporting_year,
)
from reporting.synthetic.timeline import Event, Open
from tests.factories import northamptonshire

from .histories import person, write

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
