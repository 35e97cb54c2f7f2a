"""The shape every indicator shares: a figure (numerator of denominator, with its red/amber/green status) per
period, rows of figures, and small-number suppression across a row's parts and periods (docs/indicators.md).

No database: the indicator modules count, this module turns counts into figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from reporting import disclosure

from .periods import YEAR, Period

MET = "met"
MISSED = "missed"


class Rag:
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = ""


@dataclass(frozen=True)
class Target:
    green_percent: int
    amber_percent: int
    working_days: int | None = None

    def rag(self, percent: float | None) -> str:
        if percent is None:
            return Rag.NONE
        if percent >= self.green_percent:
            return Rag.GREEN
        if percent >= self.amber_percent:
            return Rag.AMBER
        return Rag.RED


@dataclass(frozen=True)
class Figure:
    """``numerator`` of ``denominator`` in one period; ``hidden`` when small numbers are suppressed."""

    numerator: int
    denominator: int
    status: str
    hidden: bool = False
    median_working_days: float | None = None
    parts: Mapping[str, int] = field(default_factory=dict)

    @property
    def percent(self) -> float | None:
        if self.hidden or not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)


@dataclass(frozen=True)
class Row:
    label: str
    figures: dict[str, Figure]


@dataclass(frozen=True)
class IndicatorResult:
    indicator: str
    title: str
    numerator_text: str
    denominator_text: str
    target: Target
    rows: list[Row]


def hidden_cells(
    counts: Mapping[tuple[str, str], int], parts: Sequence[str], threshold: int, outside: Sequence[str] = ()
) -> set:
    """Which (period, part) cells to hide: each period's parts sum to its total, each part's quarters to its
    year; ``outside`` parts are shown beside the figure but are not in its total."""
    quarter_keys = [key for key, _ in counts if key != YEAR]
    quarter_keys = list(dict.fromkeys(quarter_keys))
    values: dict[tuple[str, str], int] = dict(counts)
    totals: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key in [*quarter_keys, YEAR]:
        values[(key, "total")] = sum(counts[(key, part)] for part in parts)
        totals[(key, "total")] = [(key, part) for part in parts]
    for part in [*parts, *outside]:
        totals[(YEAR, part)] = [(key, part) for key in quarter_keys]
    return disclosure.suppress(values, totals, threshold)


def row(
    label: str,
    counts: Mapping[tuple[str, str], int],
    *,
    parts: Sequence[str],
    numerator_part: str,
    target: Target,
    threshold: int,
    medians: Mapping[str, float | None] | None = None,
    outside: Sequence[str] = (),
) -> Row:
    hidden = hidden_cells(counts, parts, threshold, outside)
    figures = {}
    for key in dict.fromkeys(key for key, _ in counts):
        numerator = counts[(key, numerator_part)]
        denominator = sum(counts[(key, part)] for part in parts)
        is_hidden = any((key, cell) in hidden for cell in [*parts, *outside, "total"])
        percent = None if is_hidden or not denominator else 100 * numerator / denominator
        figures[key] = Figure(
            numerator=numerator,
            denominator=denominator,
            status=target.rag(percent),
            hidden=is_hidden,
            median_working_days=None if is_hidden or medians is None else medians.get(key),
            parts={} if is_hidden else {part: counts[(key, part)] for part in [*parts, *outside]},
        )
    return Row(label, figures)


def in_period(period: Period, day: dt.date) -> bool:
    return period.start <= day <= period.end


def rate_counts(outcomes: Iterable[tuple[dt.date, bool]], year_periods: list[Period]) -> dict[tuple[str, str], int]:
    counts = {(p.key, part): 0 for p in year_periods for part in (MET, MISSED)}
    for day, met in outcomes:
        for period in year_periods:
            if in_period(period, day):
                counts[(period.key, MET if met else MISSED)] += 1
    return counts


def period_filters(year_periods: list[Period], lookup: str) -> dict[str, Q]:
    return {p.key: Q(**{f"{lookup}__range": (p.start, p.end)}) for p in year_periods}
