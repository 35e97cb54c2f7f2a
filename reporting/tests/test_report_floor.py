"""The hand-written SQL `make bench` times the annual report against computes the same report, cell for cell.

`benchmarks/report_floor.py` is the floor of docs/performance.md ("whole annual report / hand-written SQL for
all its tables"): a floor that counted something else would make the ratio meaningless, so every raw cell of
every table is compared with ``reporting.statistics.compute_annual_report`` on a generated area (two years of
histories: returns to custody, breaches, orders, Level 2/3 spells) and for all areas.
"""

from __future__ import annotations

import pytest
from django.db import connection

from benchmarks import report_floor
from conftest import skip_or_fail
from mappa_workflow.models import Area, AreaPopulation
from reporting.statistics import compute_annual_report
from reporting.synthetic.generator import generate_area
from tests.factories import northamptonshire

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        skip_or_fail("the floor is PostgreSQL SQL (DISTINCT ON, LATERAL): set DATABASE_URL=postgres://... to run it")


def test_the_hand_written_floor_agrees_with_the_report_on_every_cell():
    area = northamptonshire()
    result = generate_area(area=area, seed=11, years=2, use_services=False)
    year = result.years[-1]
    AreaPopulation.objects.update_or_create(
        area=area, year=year, defaults={"population_aged_10_and_over": 654_321, "source": "Synthetic"}
    )
    empty = Area.objects.exclude(pk=area.pk).order_by("pk").first()  # nobody: every count 0, no population

    report = compute_annual_report(areas=area, year=year)
    floor = report_floor.report_floor([area.pk], year)
    report_floor.check(report, floor)
    assert floor["snapshot.total.total"] > 500
    assert floor["level_2_3_yearly.total.total"] > 0
    assert floor["rate.rate.number"] is not None

    report_floor.check(compute_annual_report(areas=None, year=year), report_floor.report_floor(None, year))
    report_floor.check(compute_annual_report(areas=empty, year=year), report_floor.report_floor([empty.pk], year))

    # and a floor that counted something else would be caught
    floor["snapshot.level_1.category_1"] = (floor["snapshot.level_1.category_1"] or 0) + 1
    with pytest.raises(AssertionError, match=r"snapshot\.level_1\.category_1"):
        report_floor.check(report, floor)
