"""The annual report's edges, one promise each, so that bending any definition fails a test.

Written against the surviving mutants of `make mutation` (docs/contributing.md, "Mutation testing"); the
definitions on small stories and the comparison with an independent count are in test_statistics.py.
"""

from __future__ import annotations

from datetime import date as D

import pytest
import time_machine
from django.utils import timezone

from mappa_workflow.models import Area, AreaPopulation, AreaSettings
from referrals.models import LifeEventType
from reporting import statistics as s
from reporting.synthetic.timeline import Event, Open
from tests.factories import northamptonshire

from .histories import person, write, writer

RTC_LICENCE = LifeEventType.RETURNED_TO_CUSTODY_LICENCE
RTC_SHPO = LifeEventType.RETURNED_TO_CUSTODY_SHPO


def small_table() -> s.Table:
    table = s._count_table(
        "orders",
        "Orders",
        "Orders sheet",
        [("a", "A orders", 7), ("b", "B orders", 0)],
        note="Orders imposed.",
        totals={("a", "number"): [("b", "number"), ("c", "number")]},
        unpublished={("c", "number"): 7},
    )
    s.apply_suppression(table, 0)
    return table


# ---------------------------------------------------------------------------------------------
# Tables and their cells
# ---------------------------------------------------------------------------------------------


def test_a_table_reads_its_cells_by_row_and_column_and_refuses_a_row_it_does_not_have():
    table = small_table()
    assert table.value("a", "number") == 7
    assert table.value("b", "number") == 0
    with pytest.raises(KeyError):
        table.value("nope", "number")
    assert table.shown("b", "number") == "0"
    assert (table.key, table.title, table.sheet_name, table.note) == (
        "orders",
        "Orders",
        "Orders sheet",
        "Orders imposed.",
    )
    assert table.totals == {("a", "number"): [("b", "number"), ("c", "number")]}


def test_the_cells_a_suppression_sees_include_the_unpublished_counts_and_skip_impossible_cells():
    table = small_table()
    assert table.cell_values() == {("a", "number"): 7, ("b", "number"): 0, ("c", "number"): 7}
    levels = s._category_level_table("t", "T", "T", {s._cell(c, lv): 1 for c in (1, 2, 3) for lv in (1, 2, 3)}, (1,))
    assert ("level_1", "category_3") not in levels.cell_values(), "Category 3 has no Level 1"


def test_the_rows_a_page_shows_carry_the_label_the_total_flag_and_the_shown_cells_in_column_order():
    counts = {s._cell(c, lv): 10 * c + lv for c in (1, 2, 3) for lv in (2, 3)}
    table = s._category_level_table("y", "Yearly", "Yearly", counts, (2, 3))
    s.apply_suppression(table, 0)
    body = table.body()
    assert body[0] == {"key": "level_2", "label": "Level 2", "is_total": False, "cells": ["12", "22", "32", "66"]}
    assert body[-1] == {"key": "total", "label": "Total", "is_total": True, "cells": ["25", "45", "65", "135"]}
    assert [c.label for c in table.columns][-1] == "Total"


def test_a_level_table_says_which_cells_each_total_sums():
    counts = {s._cell(c, lv): 1 for c in (1, 2, 3) for lv in (1, 2, 3)}
    table = s._category_level_table("snap", "Snap", "Snap", counts, (1, 2))
    assert table.totals[("level_1", "total")] == [("level_1", "category_1"), ("level_1", "category_2")]
    assert table.totals[("level_2", "total")] == [
        ("level_2", "category_1"),
        ("level_2", "category_2"),
        ("level_2", "category_3"),
    ]
    assert table.totals[("total", "category_3")] == [("level_2", "category_3")]
    assert table.value("total", "category_3") == 1
    assert table.value("total", "total") == 5


def test_suppression_hides_small_counts_and_marks_impossible_cells_and_a_non_count_stays_as_it_is():
    counts = {s._cell(c, lv): n for (c, lv), n in {(1, 1): 2, (2, 1): 30}.items()} | {
        s._cell(c, lv): 0 for c in (1, 2, 3) for lv in (2, 3)
    }
    counts |= {s._cell(3, 1): 0}
    table = s._category_level_table("snap", "Snap", "Snap", counts, (1, 2, 3))
    s.apply_suppression(table, 3)
    assert table.shown("level_1", "category_1") == s.SUPPRESSED
    assert table.shown("level_1", "category_3") == s.NOT_APPLICABLE
    assert table.shown("level_2", "category_1") == "0", "zero is never hidden"
    rate = s._rate_table(2, [], 1)
    s.apply_suppression(rate, 5)
    assert rate.shown("rate", "number") == "", "a rate that cannot be worked out is blank, not '-'"
    rate = s._rate_table(2, [(1, 100_000, "ONS")], 1)
    s.apply_suppression(rate, 5)
    assert rate.shown("rate", "number") == "2", "a rate is not a count: small-number suppression does not apply"


# ---------------------------------------------------------------------------------------------
# The rate per 100,000
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category_1", "population", "rate"),
    [(1, 200_000, 1), (3, 200_000, 2), (1, 300_000, 0), (150, 100_000, 150), (7, 0, None), (7, None, None)],
)
def test_the_rate_is_rounded_half_up_and_absent_without_a_population(category_1, population, rate):
    assert s.rate_per_100000(category_1, population) == rate


def test_the_rate_note_names_the_population_and_its_source_or_says_what_is_missing():
    one = s._rate_table(30, [(1, 20_000, "ONS mid-2024")], 1)
    assert one.value("rate", "number") == 150
    assert one.note == "Population aged 10 and over: 20,000. ONS mid-2024"
    assert one.counts is False and one.key == "rate"
    two = s._rate_table(30, [(1, 20_000, "ONS"), (2, 40_000, "ONS")], 2)
    assert two.value("rate", "number") == 50
    assert two.note == "Population aged 10 and over: 60,000 (the sum of 2 areas' recorded estimates)."
    incomplete = s._rate_table(30, [(1, 20_000, "ONS")], 2)
    assert incomplete.value("rate", "number") is None, "a rate over some areas' population only would mislead"
    assert "every area in this year" in incomplete.note
    missing = s._rate_table(30, [], 1)
    assert missing.value("rate", "number") is None
    assert missing.note == (
        "Not calculated: the population aged 10 and over is not recorded for this area and this year. "
        "Add it under Area populations."
    )
    assert s._rate_table(30, [], 0).value("rate", "number") is None
    assert s._rate_table(30, [], None).value("rate", "number") is None


# ---------------------------------------------------------------------------------------------
# Reporting years
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "year"), [(D(2025, 3, 31), 2024), (D(2025, 4, 1), 2025), (D(2025, 1, 1), 2024), (D(2025, 12, 31), 2025)]
)
def test_the_current_reporting_year_starts_on_1_april(today, year):
    assert s.current_reporting_year(today) == year


@pytest.mark.parametrize(("day", "year"), [(D(2019, 3, 31), 2018), (D(2019, 4, 1), 2019), (D(2020, 2, 29), 2019)])
def test_a_day_long_past_belongs_to_its_own_reporting_year_not_today_s(day, year):
    # the statistics page offers years from the reporting year of the area's first record
    assert s.reporting_year_of(day) == year


def test_without_a_date_the_current_reporting_year_is_today_s():
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 3, 31, 12)), tick=False):
        assert s.current_reporting_year() == 2025
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 4, 1, 12)), tick=False):
        assert s.current_reporting_year() == 2026
        s.check_year(2026)
        s.check_year(2000)
        with pytest.raises(s.UnknownReportingYear, match=r"^There is no reporting year 2027/28: .* 2000 to 2026 "):
            s.check_year(2027)
        with pytest.raises(s.UnknownReportingYear, match="1999/00"):
            s.check_year(1999)


def report_of(areas, year=2024, threshold=0, tables=()):
    return s.AnnualReport(areas, areas is None, year, list(tables), threshold)


def test_a_report_names_its_year_and_areas():
    north, west = Area(name="Northumbria", slug="northumbria"), Area(name="West Mercia", slug="west-mercia")
    report = s.AnnualReport([north, west], False, 2009, [], 0)
    assert (report.first_day, report.last_day) == (D(2009, 4, 1), D(2010, 3, 31))
    assert report.year_label == "2009/10"
    assert s.AnnualReport([north], False, 2099, [], 0).year_label == "2099/00"
    assert report.area_label == "Northumbria, West Mercia"
    assert report.title == "MAPPA annual report statistics 2009/10: Northumbria, West Mercia"
    everywhere = s.AnnualReport([north, west], True, 2024, [], 0)
    assert everywhere.area_label == "All MAPPA areas (England and Wales)"


def test_a_report_finds_its_tables_by_key_and_refuses_one_it_does_not_have():
    table = small_table()
    report = s.AnnualReport([Area(name="Kent", slug="kent")], False, 2024, [table], 3)
    assert report.table("orders") is table
    with pytest.raises(KeyError):
        report.table("missing")
    assert report.raw_values() == {"orders.a.number": 7, "orders.b.number": 0}


def test_the_published_dictionary_gives_the_shown_figures_not_the_raw_ones():
    counts = {s._cell(c, lv): n for c in (1, 2, 3) for lv, n in ((1, 1), (2, 20), (3, 0))}
    snapshot = s._category_level_table("snapshot", "On 31 March", "On 31 March", counts, (1, 2, 3), note="Snap.")
    s.apply_suppression(snapshot, 0)
    snapshot.display[("level_1", "category_1")] = s.SUPPRESSED
    rate = s._rate_table(0, [], 1)
    s.apply_suppression(rate, 2)
    kent = Area(name="Kent", slug="kent")
    published = s.AnnualReport([kent], False, 2024, [snapshot, rate], 2).as_dict()
    assert published["title"] == "MAPPA annual report statistics 2024/25: Kent"
    assert published["areas"] == ["kent"]
    assert (published["year"], published["reporting_year"]) == (2024, "2024/25")
    assert published["period"] == {"from": "2024-04-01", "to": "2025-03-31"}
    assert published["suppression_threshold"] == 2
    table = published["tables"]["snapshot"]
    assert (table["title"], table["note"]) == ("On 31 March", "Snap.")
    assert table["columns"]["category_1"].startswith("Category 1") and table["columns"]["total"] == "Total"
    assert table["rows"]["level_1"]["label"] == "Level 1"
    assert table["rows"]["level_1"]["category_1"] == "*"
    assert table["rows"]["level_1"]["category_3"] is None, "'-' is published as nothing"
    assert table["rows"]["level_2"]["category_2"] == 20, "a shown count is a number"
    assert table["rows"]["level_3"]["category_1"] == 0
    assert published["tables"]["rate"]["rows"]["rate"]["number"] == ""
    assert s.AnnualReport([kent], True, 2024, [], 2).as_dict()["areas"] == "all"


# ---------------------------------------------------------------------------------------------
# The whole report from records
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_returns_to_custody_are_split_by_licence_and_shpo_and_by_the_level_held_the_day_before():
    area = northamptonshire()
    write(
        area,
        person(area, Open(D(2020, 1, 1), 1, 2), Event(D(2024, 6, 1), RTC_LICENCE)),
        person(area, Open(D(2020, 1, 1), 2, 3), Event(D(2024, 7, 1), RTC_LICENCE)),
        person(area, Open(D(2020, 1, 1), 1, 3), Event(D(2024, 8, 1), RTC_SHPO)),
        person(area, Open(D(2020, 1, 1), 3, 2), Event(D(2024, 9, 1), RTC_SHPO)),
        person(area, Open(D(2020, 1, 1), 1, 2), Event(D(2024, 3, 31), RTC_SHPO)),  # the year before
    )
    report = s.compute_annual_report(areas=area, year=2024)
    licence = report.table("returns_licence")
    assert licence.value("level_2", "category_1") == 1
    assert licence.value("level_3", "category_2") == 1
    assert licence.value("total", "total") == 2
    shpo = report.table("returns_shpo")
    assert [r.key for r in shpo.rows] == ["level_2", "level_3", "total"]
    assert (shpo.value("level_2", "number"), shpo.value("level_3", "number")) == (1, 1)
    assert shpo.value("total", "number") == 2
    assert shpo.rows[-1].is_total and shpo.rows[-1].label == "Total"
    assert shpo.totals == {("total", "number"): [("level_2", "number"), ("level_3", "number")]}


@pytest.mark.django_db
def test_several_areas_use_the_highest_threshold_of_them_and_all_areas_report_everywhere():
    area = northamptonshire()
    other = Area.objects.exclude(pk=area.pk).order_by("pk").first()
    AreaSettings.for_area(area)
    AreaSettings.for_area(other)
    AreaSettings.objects.filter(area=area).update(suppression_threshold=2)
    AreaSettings.objects.filter(area=other).update(suppression_threshold=4)
    write(area, person(area, Open(D(2020, 1, 1), 1, 1)))
    elsewhere = writer(other, seed=1)
    elsewhere.add(person(other, Open(D(2020, 1, 1), 2, 1)))
    elsewhere.flush()
    both = s.compute_annual_report(areas=[other, area], year=2024)
    assert both.suppression_threshold == 4
    assert both.areas == sorted([area, other], key=lambda a: a.pk) and not both.all_areas
    assert both.table("snapshot").value("total", "total") == 2
    everywhere = s.compute_annual_report(year=2024, suppression_threshold=0)
    assert everywhere.all_areas and len(everywhere.areas) == Area.objects.count()
    assert everywhere.table("snapshot").value("total", "total") == 2
    assert s.compute_annual_report(areas=area, year=2024).suppression_threshold == 2
    assert s.suppression_threshold_for([area.pk, other.pk]) == 4


@pytest.mark.django_db
def test_the_rate_is_hidden_with_a_hidden_category_1_total_and_shown_otherwise():
    area = northamptonshire()
    AreaPopulation.objects.update_or_create(
        area=area, year=2024, defaults={"population_aged_10_and_over": 1000, "source": "ONS (test)"}
    )
    write(area, *[person(area, Open(D(2020, 1, 1), 1, level)) for level in (1, 1, 2, 2)])
    shown = s.compute_annual_report(areas=area, year=2024, suppression_threshold=1)
    assert shown.table("snapshot").shown("total", "category_1") == "4"
    assert shown.table("rate").shown("rate", "number") == "400"
    hidden = s.compute_annual_report(areas=area, year=2024, suppression_threshold=4)
    assert hidden.table("snapshot").shown("total", "category_1") == s.SUPPRESSED
    assert hidden.table("rate").value("rate", "number") == 400
    assert hidden.table("rate").shown("rate", "number") == s.SUPPRESSED, "rate x population would reveal it"


@pytest.mark.django_db
def test_an_area_that_never_set_a_threshold_suppresses_nothing():
    area = northamptonshire()
    AreaSettings.objects.filter(area=area).delete()
    assert s.suppression_threshold_for([area.pk]) == 0
    write(area, person(area, Open(D(2020, 1, 1), 1, 1)))
    report = s.compute_annual_report(areas=area, year=2024)
    assert report.suppression_threshold == 0
    assert report.table("snapshot").shown("level_1", "category_1") == "1"


# ---------------------------------------------------------------------------------------------
# Where the statistics can start: the statistics page offers years from the area's first record
# ---------------------------------------------------------------------------------------------


def _add(area, seed, *plans) -> None:
    w = writer(area, seed=seed)
    for plan in plans:
        w.add(plan)
    w.flush()


@pytest.mark.django_db
def test_an_area_with_no_records_has_no_first_day():
    area = northamptonshire()
    assert s.first_record_day([area.pk]) is None


@pytest.mark.django_db
def test_the_first_day_is_the_earliest_period_or_event_of_the_areas_asked_about():
    area = northamptonshire()
    kent = Area.objects.get(slug="kent")
    _add(kent, 1, person(kent, Open(D(2011, 5, 1), 2, 2)))  # another area's earlier record does not count
    _add(area, 2, person(area, Open(D(2016, 3, 1), 1, 1)))
    assert s.first_record_day([area.pk]) == D(2016, 3, 1)
    _add(area, 3, person(area, Open(D(2018, 1, 1), 1, 1), Event(D(2018, 2, 1), LifeEventType.SHPO_IMPOSED)))
    assert s.first_record_day([area.pk]) == D(2016, 3, 1), "a later event does not move it"
    _add(area, 4, person(area, Event(D(2014, 7, 9), LifeEventType.SHPO_IMPOSED), Open(D(2019, 1, 1), 1, 1)))
    assert s.first_record_day([area.pk]) == D(2014, 7, 9), "an event before every period starts it"
    assert s.first_record_day([area.pk, kent.pk]) == D(2011, 5, 1)
