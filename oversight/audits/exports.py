"""The audit results as the page and the downloads show them (CSV, XLSX; the PDF is the page's tables): one shape
for all, so a mean score on the page is the one downloaded (docs/audits.md).

No database: everything comes from :func:`oversight.audits.results.audit_results`. Aggregates only: the kind of
audit, the question, the period, how many audits and their mean score; never a meeting, case or auditor.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import tablib

from .results import AuditResults, Cell

NONE_SUBMITTED = "-"
ALL_ITEMS = "All items"
CSV_HEADER = ["Audit", "Section", "Item", "Period", "From", "To", "Audits submitted", "Mean score (1 to 4)"]


def mean(cell: Cell) -> float | str:
    """The mean score as the page shows it (one decimal), or ``-`` when no audit was submitted."""
    return NONE_SUBMITTED if cell.text == NONE_SUBMITTED else float(cell.text)


def table_rows(results: Sequence[tuple[str, AuditResults]]) -> list[list[Any]]:
    """One row per kind of audit, item (all items first) and period, in the columns of :data:`CSV_HEADER`."""
    rows = []
    for title, found in results:
        lines = [("", ALL_ITEMS, found.overall), *((r.section, r.text, r.cells) for r in found.rows)]
        for section, item, cells in lines:
            for period, cell in zip(found.periods, cells, strict=True):
                start, end = period.start.isoformat(), period.end.isoformat()
                rows.append([title, section, item, period.label, start, end, cell.audits, mean(cell)])
    return rows


def render_csv(results: Sequence[tuple[str, AuditResults]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(
        [f"{value:.1f}" if isinstance(value, float) else value for value in row] for row in table_rows(results)
    )
    return out.getvalue()


def render_xlsx(results: Sequence[tuple[str, AuditResults]]) -> bytes:
    """The same rows as the CSV in one sheet, counts and means as numbers."""
    data = tablib.Dataset(*table_rows(results), headers=CSV_HEADER, title="Audit results")
    return bytes(data.export("xlsx"))
