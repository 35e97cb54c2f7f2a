"""Year-on-year: the same tables for up to five reporting years side by side, with the change, and charts."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mappa_workflow.models import Area

from .statistics import NOT_APPLICABLE, SUPPRESSED, AnnualReport, cached_annual_reports, compute_annual_report

MAX_YEARS = 5


@dataclass
class YearOnYear:
    reports: list[AnnualReport]  # oldest first

    @property
    def years(self) -> list[str]:
        return [r.year_label for r in self.reports]

    def tables(self) -> list[dict[str, Any]]:
        """For templates and exports: per table, one row per (row, column) cell with a value per year and
        the change from the year before the last (blank when either is suppressed or missing)."""
        out = []
        latest = self.reports[-1]
        for table in latest.tables:
            rows = []
            for row in table.rows:
                for column in table.columns:
                    shown = [r.table(table.key).shown(row.key, column.key) for r in self.reports]
                    if shown[-1] == NOT_APPLICABLE:
                        continue
                    label = row.label if len(table.columns) == 1 else f"{row.label}: {column.label.split(':')[0]}"
                    change = ""
                    if len(shown) > 1 and _numeric(shown[-1]) and _numeric(shown[-2]):
                        difference = int(shown[-1]) - int(shown[-2])
                        change = f"{difference:+d}" if difference else "0"
                    rows.append({"label": label, "cells": shown, "change": change, "is_total": row.is_total})
            out.append({"key": table.key, "title": table.title, "rows": rows})
        return out


def _numeric(text: str) -> bool:
    return text not in ("", SUPPRESSED, NOT_APPLICABLE)


def compute_year_on_year(
    *,
    areas: Area | Iterable[Area] | None,
    year: int,
    years: int = MAX_YEARS,
    suppression_threshold: int | None = None,
    cached: bool = False,
) -> YearOnYear:
    """The reports for ``year`` and up to ``years - 1`` years before it (fixed queries per year).

    ``cached``: closed years come from the cache when their data has not changed
    (statistics.cached_annual_reports); only for given areas at their own suppression threshold."""
    years = max(1, min(MAX_YEARS, years))
    first = max(2000, year - years + 1)
    if isinstance(areas, Area):
        areas = [areas]
    areas = None if areas is None else list(areas)
    if cached and areas and suppression_threshold is None:
        return YearOnYear(cached_annual_reports(areas=areas, years=range(first, year + 1)))
    return YearOnYear(
        [
            compute_annual_report(areas=areas, year=y, suppression_threshold=suppression_threshold)
            for y in range(first, year + 1)
        ]
    )


def bar_chart_svg(title: str, labels: list[str], series: dict[str, list[int | str | None]]) -> str:
    """A grouped bar chart as SVG text (see :func:`_draw_svg`); ``None`` is a hidden figure, drawn as ``*``, and
    a string is drawn as no bar with that label (``-``: nothing to measure)."""
    # A chart depends only on its title, labels and figures, so each process keeps the recent ones.
    return _cached_svg(title, tuple(labels), tuple((name, tuple(values)) for name, values in series.items()))


@functools.lru_cache(maxsize=512)
def _cached_svg(
    title: str, labels: tuple[str, ...], series: tuple[tuple[str, tuple[int | str | None, ...]], ...]
) -> str:
    return _draw_svg(title, list(labels), {name: list(values) for name, values in series})


# The charts are simple grouped bars, drawn here as SVG text (docs/adr/0005-charts-drawn-as-svg-text.md): importing
# matplotlib alone took over a second, which the statistics page paid on its first load in every process.
CHART_WIDTH, CHART_HEIGHT = 640, 320
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 48, 624, 56, 284
# GOV.UK colours with at least 3:1 contrast against white (WCAG 1.4.11 non-text contrast).
BAR_COLOURS = ("#1d70b8", "#f47738", "#00703c", "#912b88")
TEXT_COLOUR = "#0b0c0c"
AXIS_COLOUR = "#505a5f"


def _nice_top(largest: int) -> int:
    """The axis top: the smallest of 1, 2, 2.5, 5 times a power of ten at or above ``largest``."""
    if largest <= 0:
        return 1
    power = 1
    while True:
        for step in (1, 2, 5, 10):
            if step * power >= largest:
                return step * power
        power *= 10


def _draw_svg(title: str, labels: list[str], series: dict[str, list[int | str | None]]) -> str:
    """A grouped bar chart: one group per year, one bar per series, each bar labelled with its figure
    (``*`` where the figure is suppressed, drawn as no bar), a y axis with four gridlines, a legend."""
    from functools import partial
    from html import escape as html_escape

    escape = partial(html_escape, quote=False)  # &, < and > only, as XML text needs (and as saxutils did)

    values = [v for vs in series.values() for v in vs if isinstance(v, int)]
    top = _nice_top(max(values, default=0))
    plot_height = PLOT_BOTTOM - PLOT_TOP
    group_width = (PLOT_RIGHT - PLOT_LEFT) / max(1, len(labels))
    bar_width = group_width * 0.8 / max(1, len(series))
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
        f'viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" font-family="Arial, Helvetica, sans-serif" role="img">',
        f"<title>{escape(title)}</title>",
        f'<text x="{CHART_WIDTH / 2:.0f}" y="20" text-anchor="middle" font-size="14" font-weight="bold" '
        f'fill="{TEXT_COLOUR}">{escape(title)}</text>',
    ]
    for step in range(5):
        y = PLOT_BOTTOM - plot_height * step / 4
        text = f"{top * step / 4:g}"
        parts.append(
            f'<line x1="{PLOT_LEFT}" y1="{y:.1f}" x2="{PLOT_RIGHT}" y2="{y:.1f}" stroke="#b1b4b6" stroke-width="1"/>'
            f'<text x="{PLOT_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{AXIS_COLOUR}">'
            f"{text}</text>"
        )
    for i, (name, figures) in enumerate(series.items()):
        colour = BAR_COLOURS[i % len(BAR_COLOURS)]
        for x, figure in enumerate(figures):
            left = PLOT_LEFT + x * group_width + group_width * 0.1 + i * bar_width
            height = plot_height * figure / top if isinstance(figure, int) else 0
            label = "*" if figure is None else str(figure)
            parts.append(
                f'<rect x="{left:.1f}" y="{PLOT_BOTTOM - height:.1f}" width="{bar_width:.1f}" height="{height:.1f}" '
                f'fill="{colour}"><title>{escape(name)}, {escape(labels[x])}: {label}</title></rect>'
                f'<text x="{left + bar_width / 2:.1f}" y="{PLOT_BOTTOM - height - 4:.1f}" text-anchor="middle" '
                f'font-size="11" fill="{TEXT_COLOUR}">{label}</text>'
            )
    for x, label in enumerate(labels):
        centre = PLOT_LEFT + (x + 0.5) * group_width
        parts.append(
            f'<text x="{centre:.1f}" y="{PLOT_BOTTOM + 18}" text-anchor="middle" font-size="12" '
            f'fill="{TEXT_COLOUR}">{escape(label)}</text>'
        )
    parts.append(
        f'<line x1="{PLOT_LEFT}" y1="{PLOT_BOTTOM}" x2="{PLOT_RIGHT}" y2="{PLOT_BOTTOM}" stroke="{AXIS_COLOUR}"/>'
    )
    if len(series) > 1:
        x = PLOT_LEFT
        for i, name in enumerate(series):
            colour = BAR_COLOURS[i % len(BAR_COLOURS)]
            parts.append(
                f'<rect x="{x}" y="32" width="12" height="12" fill="{colour}"/>'
                f'<text x="{x + 16}" y="42" font-size="12" fill="{TEXT_COLOUR}">{escape(name)}</text>'
            )
            x += 28 + 7 * len(name)
    parts.append("</svg>")
    return "\n".join(parts)


def _shown(report: AnnualReport, table: str, row: str, column: str) -> int | None:
    text = report.table(table).shown(row, column)
    return int(text) if _numeric(text) else None  # suppressed cells are not drawn


def charts(trend: YearOnYear) -> dict[str, str]:
    """SVG charts: snapshot totals, Level 2/3 yearly totals, returns to custody."""
    labels = trend.years
    r = trend.reports
    return {
        "snapshot": bar_chart_svg(
            "MAPPA-eligible individuals on 31 March",
            labels,
            {"Total": [_shown(x, "snapshot", "total", "total") for x in r]},
        ),
        "level_2_3_yearly": bar_chart_svg(
            "Levels 2 and 3 (yearly total)",
            labels,
            {
                "Level 2": [_shown(x, "level_2_3_yearly", "level_2", "total") for x in r],
                "Level 3": [_shown(x, "level_2_3_yearly", "level_3", "total") for x in r],
            },
        ),
        "returns": bar_chart_svg(
            "Level 2 and 3 individuals returned to custody",
            labels,
            {
                "Breach of licence": [_shown(x, "returns_licence", "total", "total") for x in r],
                "Breach of SHPO": [_shown(x, "returns_shpo", "total", "number") for x in r],
            },
        ),
    }
