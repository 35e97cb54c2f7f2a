"""The indicators as the page and the CSV show them: one shape for both, so a figure on the page is the one downloaded.

No database: everything comes from :func:`oversight.indicators.area_indicators`. A hidden figure shows
as ``*``, as in the annual report (:data:`reporting.statistics.SUPPRESSED`); a period with nothing to
measure shows as ``-``.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import tablib

from meetings.models import AttendanceStatus
from reporting.statistics import SUPPRESSED
from reporting.trends import bar_chart_svg

from .counts import AreaCounts
from .figures import MET, Figure, Rag
from .indicators import ACTION_PARTS, ATTENDANCE_PARTS, LATE, NOT_DONE, NOT_POSSIBLE, AreaIndicators
from .movement import CountTable, Movement
from .periods import YEAR, Period

NOTHING = "-"
RAG_LABELS = {Rag.GREEN: "Green", Rag.AMBER: "Amber", Rag.RED: "Red", Rag.NONE: ""}
RAG_TAGS = {Rag.GREEN: "govuk-tag--green", Rag.AMBER: "govuk-tag--yellow", Rag.RED: "govuk-tag--red"}
PART_LABELS = {
    **{status.value: status.label for status in AttendanceStatus},
    MET: "On time",
    LATE: "Late or overdue",
    NOT_DONE: "Closed, not done by the agency",
    NOT_POSSIBLE: "Closed, not possible (not counted)",
}
CSV_PARTS = [("Attendance", part) for part in ATTENDANCE_PARTS] + [("Actions", part) for part in ACTION_PARTS]


def figure_text(figure: Figure) -> str:
    if figure.hidden:
        return SUPPRESSED
    if not figure.denominator:
        return NOTHING
    return f"{figure.numerator} of {figure.denominator} ({figure.percent:g}%)"


def cell(figure: Figure) -> dict[str, Any]:
    return {
        "text": figure_text(figure),
        "rag": RAG_LABELS[figure.status],
        "tag": RAG_TAGS.get(figure.status, ""),
        "median": SUPPRESSED
        if figure.hidden
        else (NOTHING if figure.median_working_days is None else f"{figure.median_working_days:g}"),
        "parts": [(PART_LABELS.get(part, part), count) for part, count in figure.parts.items()]
        if figure.denominator
        else [],
    }


def _bar(figure: Figure | None) -> int | str | None:
    """A figure as a bar: its percentage; ``None`` (drawn as ``*``, no bar) when hidden; ``-`` when there was
    nothing to measure, or no such row that year."""
    if figure is None:
        return NOTHING
    if figure.hidden:
        return None
    return NOTHING if figure.percent is None else round(figure.percent)


CHARTED_ROWS = 4  # an indicator with more rows (attendance by agency type) is read from its table


def chart(found: AreaIndicators, result: Any) -> dict[str, str] | None:
    """The indicator's percentage by quarter as a bar chart (SVG, as a data URL), one bar per row; a hidden quarter
    has no bar and ``*``, one with nothing to measure no bar and ``-``. Its alternative text says the figures are in the table beside it."""
    if not result.rows or len(result.rows) > CHARTED_ROWS:
        return None
    quarters = [p for p in found.periods if p.key != YEAR]
    series = {row.label: [_bar(row.figures[p.key]) for p in quarters] for row in result.rows}
    svg = bar_chart_svg(f"{result.title}: % by quarter", [p.label.split(" ")[0] for p in quarters], series)
    return {
        "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
        "alt": f"{result.title}, percentage by quarter: the figures are in the table below.",
    }


def across_years(found_by_year: Sequence[AreaIndicators], indicator: str) -> dict[str, Any]:
    """One indicator's yearly figure in each of ``found_by_year`` (oldest first): a table (every row) and, for an
    indicator of at most :data:`CHARTED_ROWS` rows, a bar chart of the percentages. Each year's figure is the one
    that year's page shows, so a figure hidden there is ``*`` here and drawn as no bar."""
    results = [next(r for r in found.results if r.indicator == indicator) for found in found_by_year]
    years = [found.periods[-1].label for found in found_by_year]
    labels = list(dict.fromkeys(row.label for result in results for row in result.rows))

    def year_figure(result: Any, label: str) -> Figure | None:
        found = next((row for row in result.rows if row.label == label), None)
        return None if found is None else found.figures[YEAR]

    figures = {label: [year_figure(result, label) for result in results] for label in labels}
    rows = [
        {"label": label, "cells": [NOTHING if f is None else figure_text(f) for f in figures[label]]}
        for label in labels
    ]
    picture = None
    if labels and len(labels) <= CHARTED_ROWS:
        title = results[-1].title
        series = {label: [_bar(f) for f in figures[label]] for label in labels}
        svg = bar_chart_svg(f"{title}: % by year", years, series)
        picture = {
            "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
            "alt": f"{title}, percentage by reporting year, {years[0]} to {years[-1]}: the figures are in the"
            " table below it.",
        }
    return {"years": years, "rows": rows, "chart": picture}


def page_context(found: AreaIndicators, by_year: Sequence[AreaIndicators] = ()) -> list[dict[str, Any]]:
    """Each indicator as the page and the PDF show it; with ``by_year`` (:func:`across_years`' years, the last
    being ``found``) its yearly figures across those years too."""
    return [
        {
            "across_years": across_years(by_year, result.indicator) if len(by_year) > 1 else None,
            "chart": chart(found, result),
            "indicator": result.indicator,
            "title": result.title,
            "numerator": result.numerator_text,
            "denominator": result.denominator_text,
            "target": result.target,
            "has_median": result.indicator == "screening",
            "has_parts": result.indicator in ("attendance", "actions"),
            "rows": [
                {
                    "label": row.label,
                    "cells": [
                        {**cell(row.figures[p.key]), "period": p.key, "records": row.figures[p.key].denominator}
                        for p in found.periods
                    ],
                }
                for row in result.rows
            ],
        }
        for result in found.results
    ]


CSV_HEADER = [
    "Indicator",
    "Breakdown",
    "Period",
    "From",
    "To",
    "Numerator",
    "Denominator",
    "Percentage",
    "Median working days",
    "Green from (%)",
    "Amber from (%)",
    "Status",
    *[f"{indicator}: {PART_LABELS[part]}" for indicator, part in CSV_PARTS],
]


def table_rows(found: AreaIndicators) -> list[list[Any]]:
    """One row per indicator, breakdown and period, in the columns of :data:`CSV_HEADER`; counts as integers,
    a hidden figure as ``*`` in every count."""
    rows = []
    for result in found.results:
        for row in result.rows:
            for period in found.periods:
                figure = row.figures[period.key]
                percent = figure.percent
                rows.append(
                    [
                        result.title,
                        row.label,
                        period.label,
                        period.start.isoformat(),
                        period.end.isoformat(),
                        SUPPRESSED if figure.hidden else figure.numerator,
                        SUPPRESSED if figure.hidden else figure.denominator,
                        SUPPRESSED if figure.hidden else ("" if percent is None else percent),
                        cell(figure)["median"] if result.indicator == "screening" else "",
                        result.target.green_percent,
                        result.target.amber_percent,
                        RAG_LABELS[figure.status],
                        *[
                            (SUPPRESSED if figure.hidden else figure.parts.get(part, ""))
                            if result.indicator == indicator.lower()
                            else ""
                            for indicator, part in CSV_PARTS
                        ],
                    ]
                )
    return rows


MEDIAN_LEVEL_3 = "Median days at Level 3 (calendar days, of the stays that ended)"


def _median_text(movement: Movement, period_key: str) -> str:
    stays = movement.tables[-1].rows[0].cells[period_key]
    median = movement.level_3_median_days[period_key]
    return SUPPRESSED if stays is None else (NOTHING if median is None else f"{median:g}")


def count_rows(tables: Sequence[Mapping[str, Any]], year_periods: Sequence[Period]) -> list[list[Any]]:
    """Count tables (as :func:`count_tables_context` shapes them) in the CSV's columns: each count under
    Numerator (``*`` when hidden)."""
    blanks = [""] * (len(CSV_HEADER) - 6)
    rows = []
    for table in tables:
        for row in table["rows"]:
            for period, value in zip(year_periods, row["cells"], strict=True):
                start, end = period.start.isoformat(), period.end.isoformat()
                rows.append([table["title"], row["label"], period.label, start, end, value, *blanks])
    return rows


def _tables_with_rows(tables: Sequence[CountTable], row: Callable[[Any], dict[str, Any]]) -> list[dict[str, Any]]:
    """Each count table's key, title and what it counted, with its rows in the shape ``row`` gives them."""
    return [
        {"key": table.key, "title": table.title, "counted": table.counted, "rows": [row(r) for r in table.rows]}
        for table in tables
    ]


def count_tables_context(tables: Sequence[CountTable], year_periods: Sequence[Period]) -> list[dict[str, Any]]:
    """Count tables as the page, the PDF and the downloads show them: a count, or ``*`` when hidden."""
    return _tables_with_rows(
        tables,
        lambda row: {
            "label": row.label,
            "cells": [SUPPRESSED if row.cells[p.key] is None else row.cells[p.key] for p in year_periods],
        },
    )


def movement_context(movement: Movement) -> list[dict[str, Any]]:
    """The movement tables, with the median stay at Level 3 as a row of its own."""
    tables = count_tables_context(movement.tables, movement.periods)
    for table in tables:
        if table["key"] == "level_3_stays":
            cells = [_median_text(movement, p.key) for p in movement.periods]
            table["rows"].append({"label": MEDIAN_LEVEL_3, "cells": cells})
    return tables


def render_csv(found: AreaIndicators, counts: Sequence[Mapping[str, Any]] = ()) -> str:
    """The indicators, then any count tables (``counts``: movement, diversity) in the same columns."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    rows = table_rows(found) + count_rows(counts, found.periods)
    writer.writerows([f"{value:g}" if isinstance(value, float) else value for value in row] for row in rows)
    return out.getvalue()


def render_xlsx(found: AreaIndicators, counts: Sequence[Mapping[str, Any]] = ()) -> bytes:
    """The same rows as the CSV in one sheet, counts as numbers (a spreadsheet can sum them)."""
    rows = table_rows(found) + count_rows(counts, found.periods)
    data = tablib.Dataset(*rows, headers=CSV_HEADER, title="Indicators")
    return bytes(data.export("xlsx"))


def count_tables_as_dict(tables: Sequence[CountTable], year_periods: Sequence[Period]) -> list[dict[str, Any]]:
    """Count tables for the API, cell for cell as :func:`count_tables_context` shows them: a hidden count (``*`` on
    the page) has ``hidden`` true and ``count`` null."""
    return _tables_with_rows(
        tables,
        lambda row: {
            "label": row.label,
            "counts": {p.key: {"hidden": row.cells[p.key] is None, "count": row.cells[p.key]} for p in year_periods},
        },
    )


def movement_as_dict(movement: Movement) -> dict[str, Any]:
    """The movement tables for the API, with the median stay at Level 3 per period: hidden with the count of stays
    it is the median of (as the page's ``*``), null when no stay ended (the page's ``-``)."""
    stays = movement.tables[-1].rows[0].cells
    return {
        "tables": count_tables_as_dict(movement.tables, movement.periods),
        "level_3_median_days": {
            p.key: {"hidden": stays[p.key] is None, "median_days": movement.level_3_median_days[p.key]}
            for p in movement.periods
        },
    }


def as_dict(found: AreaIndicators, counts: AreaCounts) -> dict[str, Any]:
    """The figures for the API: the same cells as the page and the CSV. A hidden figure has ``hidden`` true
    and every count null, so nothing suppressed on the page can be read from the API; then the movement and
    diversity tables below the indicators (``counts``: :func:`oversight.counts.area_counts`), hidden the same way."""

    def figure(f: Figure) -> dict[str, Any]:
        if f.hidden:
            return {
                "hidden": True,
                "numerator": None,
                "denominator": None,
                "percent": None,
                "status": "",
                "median_working_days": None,
                "parts": {},
            }
        return {
            "hidden": False,
            "numerator": f.numerator,
            "denominator": f.denominator,
            "percent": f.percent,
            "status": f.status,
            "median_working_days": f.median_working_days,
            "parts": dict(f.parts),
        }

    return {
        "area": found.area.slug,
        "year": found.year,
        "suppression_threshold": found.suppression_threshold,
        "periods": [{"key": p.key, "label": p.label, "start": p.start, "end": p.end} for p in found.periods],
        "indicators": [
            {
                "indicator": result.indicator,
                "title": result.title,
                "numerator": result.numerator_text,
                "denominator": result.denominator_text,
                "target": {"green_percent": result.target.green_percent, "amber_percent": result.target.amber_percent},
                "rows": [
                    {"label": row.label, "figures": {p.key: figure(row.figures[p.key]) for p in found.periods}}
                    for row in result.rows
                ],
            }
            for result in found.results
        ],
        "movement": movement_as_dict(counts.movement),
        "diversity": {"tables": count_tables_as_dict(counts.diversity, found.periods)},
    }
