"""Rendering a report: the structure templates use, CSV, XLSX, ODS, JSON and PDF.

Every format shows the same published figures (``Table.display``: suppression applied), so a number
in a spreadsheet is the number on the web page. The web pages call :func:`report_context` and include
``reporting/_tables.html``.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from typing import Any

import tablib
from django.template.loader import render_to_string

from .statistics import NOT_APPLICABLE, SUPPRESSED, AnnualReport, Table
from .trends import YearOnYear, charts

FORMATS = ("csv", "xlsx", "ods", "pdf", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "pdf": "application/pdf",
    "json": "application/json",
}


def table_context(table: Table) -> dict[str, Any]:
    return {
        "key": table.key,
        "title": table.title,
        "note": table.note,
        "columns": [c.label for c in table.columns],
        "rows": table.body(),
        "numeric": True,
    }


def report_context(report: AnnualReport, trend: YearOnYear | None = None) -> dict[str, Any]:
    """What ``reporting/_tables.html`` (and the PDF) needs: titles, tables, notes, trend and charts."""
    context: dict[str, Any] = {
        "report": report,
        "title": report.title,
        "year_label": report.year_label,
        "area_label": report.area_label,
        "snapshot_day": report.last_day,
        "suppression_threshold": report.suppression_threshold,
        "tables": [table_context(t) for t in report.tables],
        "suppressed_symbol": SUPPRESSED,
        "not_applicable_symbol": NOT_APPLICABLE,
    }
    if trend is not None:
        context["trend"] = {"years": trend.years, "tables": trend.tables()}
    return context


def _cell(text: str) -> int | str:
    """Spreadsheet cells: numbers as numbers, '*' and '-' as text."""
    return int(text) if text.lstrip("-").isdigit() else text


TREND_TITLE = "{title}: year on year"


def trend_sheet_name(index: int) -> str:
    """A year-on-year table's sheet: numbered, as spreadsheet sheet names stop at 31 characters."""
    return f"Year on year {index}"


def to_databook(report: AnnualReport, trend: YearOnYear | None = None) -> tablib.Databook:
    """One titled sheet per table: the first header cell is the table's full title. With ``trend``, one
    more sheet per year-on-year table (the page and the PDF show them too): a column per year and the change."""
    book = tablib.Databook()
    for table in report.tables:
        data = tablib.Dataset(title=table.sheet_name)
        data.headers = [table.title] + [c.label for c in table.columns]
        for row in table.body():
            data.append([row["label"], *(_cell(c) for c in row["cells"])])
        if table.note:
            data.append([table.note] + [""] * len(table.columns))
        book.add_sheet(data)
    if trend is not None:
        for index, trend_table in enumerate(trend.tables(), start=1):
            data = tablib.Dataset(title=trend_sheet_name(index))
            data.headers = [TREND_TITLE.format(title=trend_table["title"]), *trend.years, "Change"]
            for trend_row in trend_table["rows"]:
                data.append([trend_row["label"], *(_cell(c) for c in trend_row["cells"]), _cell(trend_row["change"])])
            book.add_sheet(data)
    return book


def render_csv(report: AnnualReport, trend: YearOnYear | None = None) -> str:
    """One file: each table under its title, a blank line between tables; then, with ``trend``, each
    year-on-year table (a column per year and the change), as on the page and in the PDF."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([report.title])
    writer.writerow([])
    for table in report.tables:
        writer.writerow([table.title])
        writer.writerow(["", *(c.label for c in table.columns)])
        for row in table.body():
            writer.writerow([row["label"], *row["cells"]])
        if table.note:
            writer.writerow([table.note])
        writer.writerow([])
    if trend is not None:
        for trend_table in trend.tables():
            writer.writerow([TREND_TITLE.format(title=trend_table["title"])])
            writer.writerow(["", *trend.years, "Change"])
            for trend_row in trend_table["rows"]:
                writer.writerow([trend_row["label"], *trend_row["cells"], trend_row["change"]])
            writer.writerow([])
    return out.getvalue()


def render_xlsx(report: AnnualReport, trend: YearOnYear | None = None) -> bytes:
    return to_databook(report, trend).export("xlsx")


def render_ods(report: AnnualReport, trend: YearOnYear | None = None) -> bytes:
    return to_databook(report, trend).export("ods")


def render_json(report: AnnualReport, trend: YearOnYear | None = None) -> str:
    body = report.as_dict()
    if trend is not None:
        body["year_on_year"] = {"years": trend.years, "tables": trend.tables()}
    return json.dumps(body, indent=2, ensure_ascii=False)


def _svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def render_pdf(report: AnnualReport, trend: YearOnYear | None = None) -> bytes:
    """The tables and, when given, the year-on-year tables and charts of the last five years."""
    from weasyprint import HTML

    context = report_context(report, trend)
    if trend is not None:
        context["charts"] = [{"key": k, "src": _svg_data_uri(v)} for k, v in charts(trend).items()]
    html = render_to_string("reporting/report_pdf.html", context)
    return HTML(string=html).write_pdf()


def render(report: AnnualReport, fmt: str, trend: YearOnYear | None = None) -> bytes:
    if fmt == "csv":
        return render_csv(report, trend).encode("utf-8")
    if fmt == "xlsx":
        return render_xlsx(report, trend)
    if fmt == "ods":
        return render_ods(report, trend)
    if fmt == "json":
        return render_json(report, trend).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(report, trend)
    raise ValueError(f"Unknown format '{fmt}': choose one of {', '.join(FORMATS)}")
