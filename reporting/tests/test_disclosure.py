"""Suppression holds against subtraction: for every hidden cell of a published table, the values consistent
with everything that table publishes span at least the threshold. Checked by a linear-programming audit
(``disclosure_audit``, SciPy's HiGHS) that knows nothing of how ``reporting.disclosure`` chose the cells."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from html import unescape

import openpyxl
import pytest
import tablib
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from mappa_workflow.models import AreaPopulation, AreaSettings
from referrals.models import LifeEventType
from reporting import disclosure
from reporting.exports import render_csv, render_json, render_ods, render_pdf, render_xlsx
from reporting.statistics import NOT_APPLICABLE, SUPPRESSED, Table, apply_suppression, compute_annual_report
from reporting.synthetic.generator import generate_area
from reporting.synthetic.timeline import Event, Open
from reporting.trends import compute_year_on_year
from tests import factories
from tests.factories import northamptonshire

from .disclosure_audit import disclosures, feasible_ranges
from .histories import person, write
from .test_statistics import histories

TOLERANCE = 1e-7


def published_figures(table: Table, shown: list[str] | None = None) -> dict[tuple[str, str], int | None]:
    """A table as a reader has it: each cell's count, ``None`` where it shows "*" ("-" cells left out).
    ``shown``: the cells in row and column order as read back from an export (default: the table's own)."""
    keys = [(r.key, c.key) for r in table.rows for c in table.columns]
    texts = shown if shown is not None else [table.display[k] for k in keys]
    assert len(texts) == len(keys)
    return {k: None if text == SUPPRESSED else int(text) for k, text in zip(keys, texts, strict=True) if text != "-"}


def audit(table: Table, threshold: int, shown: list[str] | None = None):
    return disclosures(published_figures(table, shown), table.totals, threshold, unpublished=table.unpublished)


# ---------------------------------------------------------------------------------------------
# The issue's table
# ---------------------------------------------------------------------------------------------

ISSUE_EXAMPLE = (  # Level 2: 3, 0, *, *  /  Level 3: 0, 0, *, *  /  Total: 3, 0, *, 5 (threshold 2)
    Open(date(2020, 1, 1), 1, 2),
    Open(date(2020, 1, 1), 1, 2),
    Open(date(2020, 1, 1), 1, 2),
    Open(date(2020, 1, 1), 3, 2),
    Open(date(2020, 1, 1), 3, 3),
)


@pytest.mark.django_db
def test_the_issues_table_no_longer_gives_away_its_hidden_cells(monkeypatch):
    area = northamptonshire()
    write(area, *[person(area, step) for step in ISSUE_EXAMPLE])
    table = compute_annual_report(areas=area, year=2024, suppression_threshold=2).table("level_2_3_yearly")
    assert [table.value(r, "category_3") for r in ("level_2", "level_3", "total")] == [1, 1, 2]
    assert audit(table, 2) == []
    for cell in [("level_2", "category_3"), ("level_3", "category_3"), ("level_3", "total"), ("total", "category_3")]:
        assert table.shown(*cell) == SUPPRESSED  # every count from 1 to 2
    assert table.shown("level_3", "category_1") == "0"  # a zero reveals no one, so it stays
    # as docs/statistics.md shows it: three hidden cells of at least 1 adding up to the grand total of 5
    assert [row["cells"] for row in table.body()] == [["*", "0", "*", "*"], ["0", "0", "*", "*"], ["*", "0", "*", "5"]]
    # without secondary suppression the same records give every hidden cell away, as the issue found
    monkeypatch.setattr(disclosure, "SECONDARY_SUPPRESSION", False)
    apply_suppression(table, 2)
    assert {d.cell for d in audit(table, 2)} == {
        ("level_2", "category_3"),
        ("level_3", "category_3"),
        ("level_3", "total"),
        ("total", "category_3"),
    }


# ---------------------------------------------------------------------------------------------
# Random tables
# ---------------------------------------------------------------------------------------------


@st.composite
def two_way_tables(draw):
    """Rows by columns of counts, many of them small or zero, some cells that cannot exist ("-"), with or
    without row totals, column totals and a grand total; sometimes a last row that is never published
    (as "SHPOs without a travel restriction" under all SHPOs)."""
    rows, columns = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    count = st.one_of(st.just(0), st.integers(1, 6), st.integers(0, 40))
    row_totals, column_totals = draw(st.booleans()), draw(st.booleans())
    unpublished_row = rows > 1 and column_totals and draw(st.booleans())
    values: dict[tuple[str, str], int] = {}
    totals: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for i in range(rows):
        parts = []
        for j in range(columns):
            if draw(st.integers(0, 9)) > 0:  # one cell in ten cannot exist
                values[(f"r{i}", f"c{j}")] = draw(count)
                parts.append((f"r{i}", f"c{j}"))
        if row_totals and parts:
            values[(f"r{i}", "total")] = sum(values[p] for p in parts)
            totals[(f"r{i}", "total")] = parts
    if column_totals:
        for column in [*(f"c{j}" for j in range(columns)), "total"]:
            parts = [(f"r{i}", column) for i in range(rows) if (f"r{i}", column) in values]
            if parts:
                values[("total", column)] = sum(values[p] for p in parts)
                totals[("total", column)] = parts
    unpublished = {cell for cell in values if unpublished_row and cell[0] == f"r{rows - 1}"}
    return values, totals, unpublished, draw(st.integers(1, 6))


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(two_way_tables())
def test_every_hidden_cell_of_a_random_table_ranges_over_at_least_the_threshold(table):
    values, totals, unpublished, threshold = table
    hidden = disclosure.suppress(values, totals, threshold, unpublished=unpublished)
    published = {cell: None if cell in hidden else v for cell, v in values.items() if cell not in unpublished}
    assert not hidden & unpublished
    assert {cell for cell in published if 1 <= values[cell] <= threshold} <= hidden  # primary
    assert all(values[cell] > 0 for cell in hidden)  # so "a hidden count is at least 1" is true
    for cell, (low, high) in feasible_ranges(published, totals, unpublished=unpublished).items():
        assert low - TOLERANCE <= values[cell] <= high + TOLERANCE  # the audit admits the truth
        assert high - low >= threshold - TOLERANCE, f"{cell} is {values[cell]}: only {low}..{high} fit"


@settings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_way_tables(), st.randoms(use_true_random=False))
def test_the_flow_method_finds_the_same_ranges_as_the_solver(table, random):
    """What suppress relies on: its ranges are exactly the solver's, for any choice of hidden cells."""
    values, totals, unpublished, _ = table
    hidden = {c for c, v in values.items() if c not in unpublished and v > 0 and random.random() < 0.5}
    published = {c: None if c in hidden else v for c, v in values.items() if c not in unpublished}
    flow = disclosure.ranges(values, totals, hidden, unpublished=unpublished)
    solver = feasible_ranges(published, totals, unpublished=unpublished)
    assert flow.keys() == solver.keys() == hidden
    for cell in hidden:
        assert flow[cell] == pytest.approx(solver[cell], abs=TOLERANCE), cell


def test_the_property_test_fails_when_secondary_suppression_is_turned_off(monkeypatch):
    monkeypatch.setattr(disclosure, "SECONDARY_SUPPRESSION", False)
    with pytest.raises(AssertionError, match=r"only .* fit"):
        test_every_hidden_cell_of_a_random_table_ranges_over_at_least_the_threshold()


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plans=histories(), threshold=st.integers(1, 4))
def test_every_table_of_a_report_on_random_records_holds_against_subtraction(plans, threshold):
    area = northamptonshire()
    with transaction.atomic():
        write(area, *[person(area, *steps) for steps in plans])
        report = compute_annual_report(areas=area, year=2024, suppression_threshold=threshold)
        for table in report.tables:
            if table.counts:
                assert audit(table, threshold) == [], table.key
        if report.table("snapshot").shown("total", "category_1") == SUPPRESSED:
            assert report.table("rate").shown("rate", "number") in (SUPPRESSED, "")
        transaction.set_rollback(True)


def test_suppression_is_deterministic_and_leaves_a_table_without_small_counts_alone():
    values = {("a", "x"): 1, ("a", "y"): 7, ("b", "x"): 9, ("b", "y"): 8, ("a", "t"): 8, ("b", "t"): 17}
    totals = {("a", "t"): [("a", "x"), ("a", "y")], ("b", "t"): [("b", "x"), ("b", "y")]}
    first = disclosure.suppress(values, totals, 3)
    assert all(disclosure.suppress(values, totals, 3) == first for _ in range(5))
    # row a's 1 needs a partner in its row; b is untouched (no column totals link the rows)
    assert first == {("a", "x"), ("a", "y")}
    assert disclosure.suppress(values, totals, 0) == set()
    assert disclosure.suppress({**values, ("a", "x"): 4}, {}, 3) == set()


def test_sums_that_do_not_form_rows_and_columns_are_refused():
    values = {"a": 1, "b": 1, "c": 2, "d": 3, "e": 5}
    with pytest.raises(disclosure.NotATwoWayTable):  # "a" in three sums
        disclosure.suppress(values, {"c": ["a", "b"], "d": ["a", "c"], "e": ["a", "d"]}, 2)


# ---------------------------------------------------------------------------------------------
# The rate per 100,000
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("category_2", "threshold", "shown"),
    [
        (0, 5, "1"),  # a rate of 1 is not a count of 1: shown
        (0, 20, SUPPRESSED),  # the Category 1 total (12) is small: hidden, and the rate with it
        (1, 5, SUPPRESSED),  # one Category 2 person: the Category 1 total is hidden beside them, and the rate
    ],
)
def test_the_rate_is_not_a_count_it_is_hidden_only_with_the_category_1_total(category_2, threshold, shown):
    area = northamptonshire()
    AreaPopulation.objects.update_or_create(
        area=area, year=2024, defaults={"population_aged_10_and_over": 1_000_000, "source": "test"}
    )
    people = [Open(date(2020, 1, 1), 1, 1)] * 12 + [Open(date(2020, 1, 1), 2, 1)] * category_2
    write(area, *[person(area, step) for step in people])
    report = compute_annual_report(areas=area, year=2024, suppression_threshold=threshold)
    assert report.table("rate").value("rate", "number") == 1
    assert report.table("rate").shown("rate", "number") == shown
    assert report.table("snapshot").shown("total", "category_1") == ("12" if shown == "1" else SUPPRESSED)


@pytest.mark.django_db
def test_a_travel_restriction_count_is_protected_as_a_part_of_all_shpos():
    area = northamptonshire()
    shpo = LifeEventType.SHPO_IMPOSED
    events = [Event(date(2024, 6, 1), shpo, foreign_travel_restriction=i < 2) for i in range(7)]
    write(area, person(area, Open(date(2020, 1, 1), 1, 1), *events))
    table = compute_annual_report(areas=area, year=2024, suppression_threshold=3).table("restrictive_orders")
    assert table.cell_values()[("shpo_other", "number")] == 5
    assert table.shown("shpo_foreign_travel", "number") == SUPPRESSED
    assert table.shown("shpo", "number") == "7"
    (low, high) = feasible_ranges(published_figures(table), table.totals, unpublished=table.unpublished)[
        ("shpo_foreign_travel", "number")
    ]
    assert (low, high) == (1, 7)  # a reader knows it is at most the SHPOs; still 3 wide or more


# ---------------------------------------------------------------------------------------------
# The real exports of a generated area
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def generated_area():
    generate_area(area=northamptonshire(), seed=3, years=2, use_services=False)
    return northamptonshire()


def exported_cells(report, fmt: str) -> dict[str, list[str]]:
    """Each table's cells in row and column order, read back from an export of ``fmt``."""
    tables = report.tables
    found: dict[str, list[str]] = {}
    if fmt == "json":
        data = json.loads(render_json(report))["tables"]
        for t in tables:
            rows = data[t.key]["rows"]
            found[t.key] = [
                NOT_APPLICABLE if rows[r.key][c.key] is None else str(rows[r.key][c.key])
                for r in t.rows
                for c in t.columns
            ]
    elif fmt == "csv":
        lines = list(csv.reader(io.StringIO(render_csv(report))))
        for t in tables:
            start = next(i for i, line in enumerate(lines) if line == [t.title]) + 2
            found[t.key] = [cell for line in lines[start : start + len(t.rows)] for cell in line[1:]]
    elif fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))
        for sheet, t in zip(book.worksheets, tables, strict=True):
            rows = sheet.iter_rows(min_row=2, max_row=1 + len(t.rows), values_only=True)
            found[t.key] = ["" if v is None else str(v) for row in rows for v in row[1:]]
    elif fmt == "ods":
        book = tablib.Databook()
        book.load(render_ods(report), "ods")
        for sheet, t in zip(book.sheets(), tables, strict=True):
            found[t.key] = [_ods(v) for row in list(sheet)[: len(t.rows)] for v in row[1:]]
    return found


def _ods(value) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    return str(int(number))


def page_cells(html: str, report) -> dict[str, list[str]]:
    found = {}
    for t in report.tables:
        body = html.split(f'id="table-{t.key}"', 1)[1].split("</table>", 1)[0]
        cells = re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', body, re.S)
        found[t.key] = [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]
    return found


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("threshold", [3, 10])
def test_no_export_of_a_generated_area_gives_away_a_hidden_cell(generated_area, threshold, client):
    AreaSettings.for_area(generated_area)
    AreaSettings.objects.filter(area=generated_area).update(suppression_threshold=threshold)
    trend = compute_year_on_year(areas=generated_area, year=2024, years=3)
    report = trend.reports[-1]
    hidden = [t.key for t in report.tables if SUPPRESSED in t.display.values()]
    assert len(hidden) >= 2  # the audit below has something to audit
    reader = factories.verify_client(client, factories.smb_member(area=generated_area))
    page = reader.get(reverse("web:statistics"), {"year": 2024}).content.decode()
    readings = {fmt: exported_cells(report, fmt) for fmt in ("json", "csv", "xlsx", "ods")}
    readings["page"] = page_cells(page, report)
    for fmt, tables in readings.items():
        for t in report.tables:
            if t.counts:
                assert audit(t, threshold, tables[t.key]) == [], (fmt, t.key)
    # every year of the year-on-year view, and the PDF's text
    for older in trend.reports:
        for t in older.tables:
            if t.counts:
                assert audit(t, threshold) == [], (older.year, t.key)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(report, trend))).pages).split())
    for t in report.tables[:2]:
        for row in t.body():
            assert " ".join([row["label"], *row["cells"]]) in text


@pytest.mark.slow
@pytest.mark.django_db
def test_without_secondary_suppression_the_same_exports_give_cells_away(generated_area, monkeypatch):
    monkeypatch.setattr(disclosure, "SECONDARY_SUPPRESSION", False)
    report = compute_annual_report(areas=generated_area, year=2024, suppression_threshold=10)
    cells = exported_cells(report, "json")
    assert any(audit(t, 10, cells[t.key]) for t in report.tables if t.counts)
