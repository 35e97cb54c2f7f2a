"""The generator reproduces each shipped published year, apart from the cells it names as impossible, and
every export carries the same numbers as the page's tables."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
import tablib
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from mappa_workflow.models import Area
from referrals.models import Individual, Referral, ReferralState, RegistrationPeriod
from reporting.exports import render_csv, render_json, render_ods, render_pdf, render_xlsx, report_context
from reporting.statistics import compute_annual_report
from reporting.synthetic.figures import compare, load_target
from reporting.synthetic.generator import GenerationError, generate_area
from reporting.trends import charts, compute_year_on_year
from tests.factories import northamptonshire

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Each published inconsistency, cell by cell (DOMAIN.md names both)
IMPOSSIBLE = {
    "northamptonshire-2024.json": {
        # two Category 1 returns at Level 3 beside no Category 1 individual at Level 3 in the yearly total
        "returns_licence.level_3.category_1",
        "returns_licence.level_3.total",
        "returns_licence.total.category_1",
        "returns_licence.total.total",
    },
    "northamptonshire-2021.json": {
        # breach of SOPO at Level 2: 5 + 1 published with a total of 5
        "returns_shpo.level_2.number",
        "returns_shpo.total.number",
    },
}


@pytest.mark.parametrize("target_file", sorted(IMPOSSIBLE))
def test_a_generated_history_reproduces_the_published_year_except_the_impossible_cells(target_file):
    target = load_target(target_file)
    result = generate_area(area=northamptonshire(), seed=11, years=2, target=target)
    assert {u.cell for u in result.unhonoured} == IMPOSSIBLE[target_file]
    assert all(u.reason for u in result.unhonoured)
    # recomputing from the database gives the same comparison
    report = compute_annual_report(areas=northamptonshire(), year=target["year"], suppression_threshold=0)
    assert {u.cell for u in compare(target, report)} == IMPOSSIBLE[target_file]
    # all synthetic, referrals in every state, no overlapping periods within a registration
    assert not Individual.objects.exclude(visor_reference__startswith="VSYN-").exists()
    assert set(Referral.objects.values_list("state", flat=True)) == set(ReferralState.values)
    previous = {}
    for p in RegistrationPeriod.objects.order_by("registration_id", "start_date"):
        if p.registration_id in previous:
            assert previous[p.registration_id].end_date == p.start_date  # no gap, no overlap
        previous[p.registration_id] = p


def test_the_generator_refuses_an_area_that_already_has_people():
    generate_area(area=northamptonshire(), seed=1, years=1, use_services=False)
    with pytest.raises(GenerationError, match="already has individuals"):
        generate_area(area=northamptonshire(), seed=1, years=1)


@pytest.fixture
def generated():
    generate_area(area=northamptonshire(), seed=3, years=2, use_services=False)
    return compute_annual_report(areas=northamptonshire(), year=2024)


def page_numbers(report):
    """What the web page's tables show, in order."""
    return [cell for table in report_context(report)["tables"] for row in table["rows"] for cell in row["cells"]]


def test_csv_carries_the_page_numbers(generated):
    rows = list(csv.reader(io.StringIO(render_csv(generated))))
    titles = {t.title for t in generated.tables}
    assert titles <= {row[0] for row in rows if row}
    labels = {row["label"] for t in report_context(generated)["tables"] for row in t["rows"]}
    cells = [c for row in rows if row and row[0] in labels and len(row) > 1 for c in row[1:]]
    assert cells == page_numbers(generated)


def test_xlsx_has_one_titled_sheet_per_table_with_the_page_numbers(generated):
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(generated)))
    assert book.sheetnames == [t.sheet_name for t in generated.tables]
    found = []
    for sheet, table in zip(book.worksheets, generated.tables, strict=True):
        assert sheet.cell(1, 1).value == table.title
        for row in sheet.iter_rows(min_row=2, max_row=1 + len(table.rows), values_only=True):
            found += ["" if v is None else str(v) for v in row[1:]]
    assert found == page_numbers(generated)


def ods_text(value) -> str:
    """ODS keeps every number as a float ("952.0")."""
    if value is None:
        return ""
    try:
        number = float(value)
    except ValueError:
        return str(value)
    return str(int(number)) if number.is_integer() else str(value)


def test_ods_reads_back_with_tablib_with_the_page_numbers(generated):
    book = tablib.Databook()
    book.load(render_ods(generated), "ods")
    found = []
    for sheet, table in zip(book.sheets(), generated.tables, strict=True):
        assert sheet.title == table.sheet_name
        assert sheet.headers[0] == table.title
        for row in list(sheet)[: len(table.rows)]:
            found += [ods_text(v) for v in row[1:]]
    assert found == page_numbers(generated)


def test_json_carries_the_page_numbers(generated):
    data = json.loads(render_json(generated))
    found = [
        "-" if v is None else str(v)
        for table in data["tables"].values()
        for row in table["rows"].values()
        for k, v in row.items()
        if k != "label"
    ]
    assert found == page_numbers(generated)


def test_pdf_text_has_every_table_the_numbers_and_the_five_year_charts(generated):
    trend = compute_year_on_year(areas=northamptonshire(), year=2024)
    assert len(trend.reports) == 5
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(generated, trend))).pages)
    flat = " ".join(text.split())
    for table in generated.tables:
        assert " ".join(table.title.split()[:6]) in flat
    for table in generated.tables[:2]:
        for row in table.body():
            assert " ".join([row["label"], *row["cells"]]) in flat
    assert "2020/21" in flat and "Change" in flat


def test_charts_are_svg_with_the_years():
    trend = compute_year_on_year(areas=northamptonshire(), year=2024, years=3)
    svgs = charts(trend)
    assert set(svgs) == {"snapshot", "level_2_3_yearly", "returns"}
    assert all(s.lstrip().startswith("<?xml") and "<svg" in s and "2024/25" in s for s in svgs.values())


def test_the_command_writes_each_format_and_fails_clearly_on_unknown_area_or_year(generated, tmp_path):
    for fmt in ("csv", "xlsx", "ods", "json", "pdf"):
        out = tmp_path / f"report.{fmt}"
        call_command(
            "annual_report", "--area", "northamptonshire", "--year", "2024", "--format", fmt, "--output", str(out)
        )
        assert out.stat().st_size > 100
    several = tmp_path / "several.json"
    call_command(
        "annual_report",
        "--areas",
        "northamptonshire,kent",
        "--year",
        "2024",
        "--format",
        "json",
        "--output",
        str(several),
    )
    assert json.loads(several.read_text())["areas"] == ["kent", "northamptonshire"]
    with pytest.raises(CommandError, match="Unknown area 'atlantis'"):
        call_command("annual_report", "--area", "atlantis", "--year", "2024")
    with pytest.raises(CommandError, match="no reporting year 2099/00"):
        call_command("annual_report", "--all-areas", "--year", "2099")
    assert Area.objects.count() == 42
