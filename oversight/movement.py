"""Movement between levels, exits and time at Level 3, for the SMB (docs/indicators.md, "Movement").

Counts, not rates: there is no target for how many cases should move. Each count falls in the quarter of its date
(the day the new level took effect, the day the registration ended, the day a stay at Level 3 ended), London dates,
and small counts are hidden with the area's threshold as in the annual report: each row's quarters sum to its
year, and each quarter's rows of one table sum to that quarter's total, so no hidden cell can be worked out.
Three queries, whatever the number of records (four when the threshold is not given).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db.models import OuterRef, Subquery

from mappa_workflow.models import Area, AreaSettings
from referrals.models import ExitReason, Registration, RegistrationPeriod

from .figures import hidden_cells, in_period
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
    counts = {
        (period.key, part): sum(1 for day in dates.get(part, ()) if in_period(period, day))
        for period in year_periods
        for part, _ in labels
    }
    hidden = hidden_cells(counts, [part for part, _ in labels], threshold)
    rows = [
        CountRow(label, {p.key: None if (p.key, part) in hidden else counts[(p.key, part)] for p in year_periods})
        for part, label in labels
    ]
    return CountTable(key, title, counted, rows)


def _level_changes(area: Area, start: dt.date, end: dt.date) -> dict[str, list[dt.date]]:
    before = RegistrationPeriod.objects.filter(registration=OuterRef("registration"), end_date=OuterRef("start_date"))
    found: dict[str, list[dt.date]] = defaultdict(list)
    for level, previous, day in (
        RegistrationPeriod.objects.filter(registration__area=area, start_date__range=(start, end))
        .annotate(previous=Subquery(before.values("level")[:1]))
        .exclude(previous=None)
        .values_list("level", "previous", "start_date")
    ):
        if level != previous:
            found[f"{previous}-{level}"].append(day)
    return found


def _level_3_stays(area: Area, start: dt.date, end: dt.date) -> list[tuple[dt.date, int]]:
    """(day ended, days at Level 3) of each unbroken stay at Level 3 that ended in the window."""
    ended = RegistrationPeriod.objects.filter(registration__area=area, level=3, end_date__range=(start, end))
    rows = (
        RegistrationPeriod.objects.filter(registration__in=ended.values("registration"))
        .order_by("registration_id", "start_date")
        .values_list("registration_id", "level", "start_date", "end_date")
    )
    stays: list[tuple[dt.date, int]] = []
    for _, periods_of_one in groupby(rows, key=lambda r: r[0]):
        run: list[Any] = []  # [start, end] of the stay at Level 3 being followed
        for _, level, period_start, period_end in periods_of_one:
            if level == 3 and run and run[1] == period_start:
                run[1] = period_end  # the next period carries on at Level 3 (a move, a new lead agency)
                continue
            if run and run[1] is not None:
                stays.append((run[1], (run[1] - run[0]).days))
            run = [period_start, period_end] if level == 3 else []
        if run and run[1] is not None:
            stays.append((run[1], (run[1] - run[0]).days))
    return [(day, days) for day, days in stays if start <= day <= end]


def area_movement(*, area: Area, year: int, threshold: int | None = None) -> Movement:
    """The three tables for ``area`` and reporting year ``year``; ``threshold`` is the area's suppression
    threshold (read from its settings when not given)."""
    year_periods = periods(year)
    if threshold is None:
        threshold = AreaSettings.for_area(area).suppression_threshold
    window = (year_periods[-1].start, year_periods[-1].end)
    changes = count_table(
        "level_changes",
        "Level changes",
        "registrations whose level changed, on the day the new level took effect",
        [(f"{a}-{b}", f"Level {a} to Level {b}") for a, b in CHANGES],
        _level_changes(area, *window),
        year_periods,
        threshold,
    )
    exits: dict[str, list[dt.date]] = defaultdict(list)
    for reason, day in Registration.objects.filter(area=area, ended_on__range=window).values_list(
        "exit_reason", "ended_on"
    ):
        exits[reason].append(day)
    exited = count_table(
        "exits",
        "Exits from MAPPA by reason",
        "registrations that ended, on the day they ended",
        [(reason.value, reason.label) for reason in ExitReason],
        exits,
        year_periods,
        threshold,
    )
    stays = _level_3_stays(area, *window)
    at_level_3 = count_table(
        "level_3_stays",
        "Stays at Level 3 that ended",
        "unbroken stays at Level 3 (consecutive Level 3 periods) that ended, on the day they ended",
        [("ended", "Stays ended")],
        {"ended": [day for day, _ in stays]},
        year_periods,
        threshold,
    )
    medians: dict[str, float | None] = {}
    for period in year_periods:
        lengths = [days for day, days in stays if in_period(period, day)]
        shown = at_level_3.rows[0].cells[period.key] is not None
        medians[period.key] = statistics.median(lengths) if lengths and shown else None
    return Movement(year_periods, [changes, exited, at_level_3], medians)
