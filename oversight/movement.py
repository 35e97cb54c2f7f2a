"""Movement between levels, exits and time at Level 3, for the SMB (docs/indicators.md, "Movement").

Counts, not rates: there is no target for how many cases should move. Each count falls in the quarter of its date
(the day the new level took effect, the day the registration ended, the day a stay at Level 3 ended), London dates,
and small counts are hidden with the area's threshold as in the annual report: each row's quarters sum to its
year, and each quarter's rows of one table sum to that quarter's total, so no hidden cell can be worked out.
Three queries, whatever the number of records or of areas (four when the thresholds are not given).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db.models import Count, F, FilteredRelation, Q

from mappa_workflow.models import Area, AreaSettings
from referrals.models import ExitReason, Registration, RegistrationPeriod

from .figures import hidden_cells, in_period, period_filters
from .periods import Period, periods

CHANGES = [(1, 2), (1, 3), (2, 3), (3, 2), (2, 1), (3, 1)]


@dataclass(frozen=True)
class CountRow:
    label: str
    cells: dict[str, int | None]  # period key -> count, or None when hidden


@dataclass(frozen=True)
class CountTable:
    key: str
    title: str
    counted: str
    rows: list[CountRow]


@dataclass(frozen=True)
class Movement:
    periods: list[Period]
    tables: list[CountTable]
    level_3_median_days: dict[str, float | None]  # per period: median length of the stays that ended, if shown


def count_table(
    key: str,
    title: str,
    counted: str,
    labels: Sequence[tuple[str, str]],
    dates: Mapping[str, Sequence[dt.date]],
    year_periods: list[Period],
    threshold: int,
) -> CountTable:
    """A table of how many of ``dates`` (by row: ``labels``' keys) fall in each period, hidden when small."""
    counts = {
        (period.key, part): sum(1 for day in dates.get(part, ()) if in_period(period, day))
        for period in year_periods
        for part, _ in labels
    }
    return counted_table(key, title, counted, labels, counts, year_periods, threshold)


def counted_table(
    key: str,
    title: str,
    counted: str,
    labels: Sequence[tuple[str, str]],
    counts: Mapping[tuple[str, str], int],
    year_periods: list[Period],
    threshold: int,
) -> CountTable:
    """A table of ``counts`` ((period key, row key) -> count; missing is 0), hidden when small."""
    full = {(period.key, part): counts.get((period.key, part), 0) for period in year_periods for part, _ in labels}
    hidden = hidden_cells(full, [part for part, _ in labels], threshold)
    rows = [
        CountRow(label, {p.key: None if (p.key, part) in hidden else full[(p.key, part)] for p in year_periods})
        for part, label in labels
    ]
    return CountTable(key, title, counted, rows)


def _period_counts(
    rows: Iterable[Mapping[str, Any]],
    area_key: str,
    part: Callable[[Mapping[str, Any]], str],
    year_periods: list[Period],
) -> dict[Any, dict[tuple[str, str], int]]:
    """Rows of a query counting per period (a ``count_<period key>`` column each, :func:`_counts_by_period`), by area, as (period, part) counts."""
    found: dict[Any, dict[tuple[str, str], int]] = defaultdict(dict)
    for row in rows:
        for period in year_periods:
            found[row[area_key]][(period.key, part(row))] = row[f"count_{period.key}"]
    return found


def _counts_by_period(year_periods: list[Period], lookup: str) -> dict[str, Count]:
    return {f"count_{key}": Count("pk", filter=q) for key, q in period_filters(year_periods, lookup).items()}


def _level_changes(area_ids: Sequence[Any], year_periods: list[Period]) -> dict[Any, dict[tuple[str, str], int]]:
    """Per area: how many periods started at another level than the one they followed on from, by change
    (``"2-3"``; a period at the same level, ``"2-2"``, is no change and no row of the table)."""
    year = year_periods[-1]
    # the period it followed on from: the registration's period that ended the day it started (a join, not a
    # subquery per period, which PostgreSQL's planner costed high enough to compile: half a second)
    before = FilteredRelation("registration__periods", condition=Q(registration__periods__end_date=F("start_date")))
    rows = (
        RegistrationPeriod.objects.filter(area_id__in=area_ids, start_date__range=(year.start, year.end))
        .annotate(before=before)
        .filter(before__isnull=False)
        .values("area_id", "level", previous=F("before__level"))
        .annotate(**_counts_by_period(year_periods, "start_date"))
        .order_by()
    )
    return _period_counts(rows, "area_id", lambda r: f"{r['previous']}-{r['level']}", year_periods)


def _level_3_stays(area_ids: Sequence[Any], start: dt.date, end: dt.date) -> dict[Any, list[tuple[dt.date, int]]]:
    """Per area: (day ended, days at Level 3) of each unbroken stay at Level 3 that ended in the window."""
    ended = RegistrationPeriod.objects.filter(area_id__in=area_ids, level=3, end_date__range=(start, end))
    rows = (
        RegistrationPeriod.objects.filter(registration__in=ended.values("registration"))
        .order_by("registration_id", "start_date")
        .values_list("area_id", "registration_id", "level", "start_date", "end_date")
    )
    stays: dict[Any, list[tuple[dt.date, int]]] = defaultdict(list)
    for (area_id, _), periods_of_one in groupby(rows, key=lambda r: (r[0], r[1])):
        run: list[Any] = []  # [start, end] of the stay at Level 3 being followed
        for _, _, level, period_start, period_end in periods_of_one:
            if level == 3 and run and run[1] == period_start:
                run[1] = period_end  # the next period carries on at Level 3 (a move, a new lead agency)
                continue
            if run and run[1] is not None:
                stays[area_id].append((run[1], (run[1] - run[0]).days))
            run = [period_start, period_end] if level == 3 else []
        if run and run[1] is not None:
            stays[area_id].append((run[1], (run[1] - run[0]).days))
    return {area_id: [(d, n) for d, n in found if start <= d <= end] for area_id, found in stays.items()}


def movement_for_areas(
    *, areas: Sequence[Area], year: int, thresholds: Mapping[Any, int] | None = None
) -> list[Movement]:
    """The three tables for each of ``areas`` (in their order) and reporting year ``year``; ``thresholds`` are the
    areas' suppression thresholds by area id (read from their settings when not given). Three queries for any
    number of areas."""
    year_periods = periods(year)
    if thresholds is None:
        saved = dict(AreaSettings.objects.filter(area__in=areas).values_list("area_id", "suppression_threshold"))
        default = AreaSettings._meta.get_field("suppression_threshold").get_default()
        thresholds = {area.pk: saved.get(area.pk, default) for area in areas}
    area_ids = [area.pk for area in areas]
    window = (year_periods[-1].start, year_periods[-1].end)
    changes = _level_changes(area_ids, year_periods)
    exits = _period_counts(
        Registration.objects.filter(area_id__in=area_ids, ended_on__range=window)
        .values("area_id", "exit_reason")
        .annotate(**_counts_by_period(year_periods, "ended_on"))
        .order_by(),
        "area_id",
        lambda r: str(r["exit_reason"]),
        year_periods,
    )
    stays = _level_3_stays(area_ids, *window)
    found = []
    for area in areas:
        threshold = thresholds[area.pk]
        changed = counted_table(
            "level_changes",
            "Level changes",
            "registrations whose level changed, on the day the new level took effect",
            [(f"{a}-{b}", f"Level {a} to Level {b}") for a, b in CHANGES],
            changes.get(area.pk, {}),
            year_periods,
            threshold,
        )
        exited = counted_table(
            "exits",
            "Exits from MAPPA by reason",
            "registrations that ended, on the day they ended",
            [(reason.value, reason.label) for reason in ExitReason],
            exits.get(area.pk, {}),
            year_periods,
            threshold,
        )
        area_stays = stays.get(area.pk, [])
        at_level_3 = count_table(
            "level_3_stays",
            "Stays at Level 3 that ended",
            "unbroken stays at Level 3 (consecutive Level 3 periods) that ended, on the day they ended",
            [("ended", "Stays ended")],
            {"ended": [day for day, _ in area_stays]},
            year_periods,
            threshold,
        )
        medians: dict[str, float | None] = {}
        for period in year_periods:
            lengths = [days for day, days in area_stays if in_period(period, day)]
            shown = at_level_3.rows[0].cells[period.key] is not None
            medians[period.key] = statistics.median(lengths) if lengths and shown else None
        found.append(Movement(year_periods, [changed, exited, at_level_3], medians))
    return found


def area_movement(*, area: Area, year: int, threshold: int | None = None) -> Movement:
    """The three tables for ``area`` and reporting year ``year``; ``threshold`` is the area's suppression
    threshold (read from its settings when not given)."""
    thresholds = None if threshold is None else {area.pk: threshold}
    return movement_for_areas(areas=[area], year=year, thresholds=thresholds)[0]
