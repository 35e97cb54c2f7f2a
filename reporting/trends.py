"""Year-on-year: the same tables for up to five reporting years side by side, with the change, and charts."""

from __future__ import annotations

import functools
import io
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


def _figure_svg(title: str, labels: list[str], series: dict[str, list[int | None]]) -> str:
    # A chart depends only on its title, labels and figures: drawing one takes tens of milliseconds,
    # so each process keeps the recent ones (the statistics page draws three per request).
    return _cached_svg(title, tuple(labels), tuple((name, tuple(values)) for name, values in series.items()))


@functools.lru_cache(maxsize=512)
def _cached_svg(title: str, labels: tuple[str, ...], series: tuple[tuple[str, tuple[int | None, ...]], ...]) -> str:
    return _draw_svg(title, list(labels), {name: list(values) for name, values in series})


def _draw_svg(title: str, labels: list[str], series: dict[str, list[int | None]]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.fonttype"] = "none"  # keep text as text: readable and searchable
    figure, axes = plt.subplots(figsize=(6.4, 3.2))
    width = 0.8 / max(1, len(series))
    for i, (name, values) in enumerate(series.items()):
        positions = [x + (i - (len(series) - 1) / 2) * width for x in range(len(labels))]
        heights = [v if v is not None else 0 for v in values]
        bars = axes.bar(positions, heights, width, label=name)
        for bar, value in zip(bars, values, strict=True):
            axes.annotate(
                SUPPRESSED if value is None else str(value),
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
            )
    axes.set_xticks(range(len(labels)), labels)
    axes.set_title(title, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        axes.legend(fontsize=8, frameon=False)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    plt.close(figure)
    return buffer.getvalue()


def _shown(report: AnnualReport, table: str, row: str, column: str) -> int | None:
    text = report.table(table).shown(row, column)
    return int(text) if _numeric(text) else None  # suppressed cells are not drawn


def charts(trend: YearOnYear) -> dict[str, str]:
    """SVG charts: snapshot totals, Level 2/3 yearly totals, returns to custody."""
    labels = trend.years
    r = trend.reports
    return {
        "snapshot": _figure_svg(
            "MAPPA-eligible individuals on 31 March",
            labels,
            {"Total": [_shown(x, "snapshot", "total", "total") for x in r]},
        ),
        "level_2_3_yearly": _figure_svg(
            "Levels 2 and 3 (yearly total)",
            labels,
            {
                "Level 2": [_shown(x, "level_2_3_yearly", "level_2", "total") for x in r],
                "Level 3": [_shown(x, "level_2_3_yearly", "level_3", "total") for x in r],
            },
        ),
        "returns": _figure_svg(
            "Level 2 and 3 individuals returned to custody",
            labels,
            {
                "Breach of licence": [_shown(x, "returns_licence", "total", "total") for x in r],
                "Breach of SHPO": [_shown(x, "returns_shpo", "total", "number") for x in r],
            },
        ),
    }
