"""The SMB's view of the audits: submitted audits only, averaged per question, section and quarter.

Aggregates only: a result names no meeting, case, auditor or person. Each cell is a mean score (1-4) with
the number of audits behind it. Scores are not suppressed: they count judgements about how meetings and
cases were run, not people, and the SMB commissions the audits to read exactly these (docs/audits.md).
One query for the scores per question, one for the totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Aggregate, Avg, Count, Q

from mappa_workflow.models import Area

from ..periods import YEAR, Period, periods
from .models import AuditAnswer, AuditState, QualityAudit
from .questions import QUESTIONS


@dataclass(frozen=True)
class Cell:
    audits: int
    mean: float | None

    @property
    def text(self) -> str:
        if not self.audits or self.mean is None:
            return "-"
        return f"{self.mean:.1f}"


@dataclass(frozen=True)
class ResultRow:
    key: str
    section: str
    text: str
    cells: list[Cell]


@dataclass(frozen=True)
class AuditResults:
    area: Area
    kind: str
    year: int
    periods: list[Period]
    rows: list[ResultRow]
    overall: list[Cell]  # per period: every score of every submitted audit, and how many audits


def _key(period: Period, what: str) -> str:
    return f"{period.key}_{what}"


def audit_results(*, area: Area, kind: str, year: int) -> AuditResults:
    year_periods = periods(year)
    submitted = QualityAudit.objects.filter(area=area, kind=kind, state=AuditState.SUBMITTED)
    answers = AuditAnswer.objects.filter(audit__in=submitted.values("pk"))
    aggregates: dict[str, Aggregate] = {}
    for period in year_periods:
        inside = Q(audit__period_date__gte=period.start, audit__period_date__lte=period.end)
        aggregates[_key(period, "n")] = Count("audit", filter=inside, distinct=True)
        aggregates[_key(period, "mean")] = Avg("score", filter=inside)
    by_item: dict[str, dict[str, Any]] = {
        str(row["item"]): dict(row) for row in answers.values("item").annotate(**aggregates)
    }
    overall = answers.aggregate(**aggregates)

    def cell(found: dict[str, Any], period: Period) -> Cell:
        n = found.get(_key(period, "n")) or 0
        return Cell(n, found.get(_key(period, "mean")))

    rows = [
        ResultRow(q.key, q.section, q.text, [cell(by_item.get(q.key, {}), p) for p in year_periods])
        for q in QUESTIONS[kind]
    ]
    overall_cells = [cell(overall, p) for p in year_periods]
    return AuditResults(
        area=area,
        kind=kind,
        year=year,
        periods=year_periods,
        rows=rows,
        overall=overall_cells,
    )


__all__ = ["YEAR", "AuditResults", "audit_results"]


def results_as_dict(found: AuditResults) -> dict[str, Any]:
    """The averages for the API, as the page shows them: no meeting, case or auditor."""

    def cells(row: list[Cell]) -> dict[str, Any]:
        return {
            p.key: {"audits": c.audits, "mean_score": None if c.mean is None else round(c.mean, 2)}
            for p, c in zip(found.periods, row, strict=True)
        }

    return {
        "kind": found.kind,
        "overall": cells(found.overall),
        "questions": [
            {"key": r.key, "section": r.section, "text": r.text, "periods": cells(r.cells)} for r in found.rows
        ],
    }
