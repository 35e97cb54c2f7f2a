"""Level 1 cases reviewed within the area's Level 1 interval (docs/indicators.md, "Level 1 reviews").

HM Inspectorate of Probation (2022) found Level 1 status "has little meaning": the lead agency is to review each
Level 1 case at the area's interval (four months unless the area sets another), and the SMB needs to see whether
it does. Each due date counts once, in the period it fell in:

- a stretch at Level 1 (consecutive Level 1 periods of one registration) starts the clock: its first review falls
  due one interval after the stretch began;
- each review recorded sets the next due date (``LevelOneReview.next_review_due``; none when the review referred
  the case to Level 2).

A due date is met when the next review of the stretch is on or before it; missed when the next review is later, or
when there is none and the date has passed while the case was still at Level 1. A date not yet reached with no
review yet, or one that fell after the case left Level 1, is not counted. Three queries for any number of areas:
their intervals, their Level 1 reviews and the Level 1 periods of the cases that can have a date in the year.

Most Level 1 cases have been at Level 1 for years without a review recorded: their only due date (one interval
after the stretch began) is long past, so they cannot have a date in the year. Only the cases with a Level 1 period
starting late enough, or with a review, are read (18,000 periods of the national data set, not 129,000).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import groupby
from typing import Any

from django.db.models import Q

from level_one.dates import add_months
from level_one.models import LevelOneReview, LevelOneSettings
from mappa_workflow.models import Area, AreaSettings
from referrals.models import RegistrationPeriod

from .figures import MET, MISSED, IndicatorResult, Target, rate_counts, row
from .models import Indicator
from .periods import Period

# A review's next due date is at most a few intervals after it, so a due date in the year comes from a start or
# a review no more than three intervals before the year.
LOOK_BACK_INTERVALS = 3


def _stretches(periods: Sequence[tuple[Any, dt.date, dt.date | None]]) -> list[tuple[Any, dt.date, dt.date | None]]:
    """(registration id, start, end or None) of each unbroken run of ``periods`` (Level 1 periods of one area,
    ordered by registration and start)."""
    found: list[tuple[Any, dt.date, dt.date | None]] = []
    for registration_id, rows in groupby(periods, key=lambda p: p[0]):
        stretch: list[Any] = []  # [start, end] of the run being joined
        for _, period_start, period_end in rows:
            if stretch and stretch[1] == period_start:
                stretch[1] = period_end  # the next period carries on at Level 1 (a move, a new lead agency)
                continue
            if stretch:
                found.append((registration_id, stretch[0], stretch[1]))
            stretch = [period_start, period_end]
        found.append((registration_id, stretch[0], stretch[1]))
    return found


def level_one_outcomes_by_area(
    intervals: Mapping[Any, int], year_periods: list[Period], today: dt.date
) -> dict[Any, list[tuple[dt.date, bool, Any]]]:
    """Per area of ``intervals`` (area id -> months): (due date, met, registration id) of each Level 1 review due
    date counted in the year."""
    year = year_periods[-1]
    since = {area_id: add_months(year.start, -LOOK_BACK_INTERVALS * months) for area_id, months in intervals.items()}
    earliest = min(since.values(), default=year.start)
    reviews: dict[tuple[Any, Any], list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for area_id, registration_id, reviewed_on, next_due in (
        LevelOneReview.objects.filter(area_id__in=list(intervals), reviewed_on__gte=earliest)
        .order_by("registration_id", "reviewed_on", "recorded_at")
        .values_list("area_id", "registration_id", "reviewed_on", "next_review_due")
    ):
        if reviewed_on >= since[area_id]:
            reviews[(area_id, registration_id)].append((reviewed_on, next_due))
    # A case without a review has one due date, one interval after its stretch began: in the year only if the
    # stretch began less than an interval before the year (a month spare, for months of different lengths).
    longest = max(intervals.values(), default=0)
    first_due_may_fall_in_year = add_months(year.start, -longest - 1)
    level_1 = RegistrationPeriod.objects.filter(area_id__in=list(intervals), level=1)
    may_fall_in_year = level_1.filter(start_date__range=(first_due_may_fall_in_year, year.end)).values(
        "registration_id"
    )
    reviewed = LevelOneReview.objects.filter(area_id__in=list(intervals), reviewed_on__gte=earliest).values(
        "registration_id"
    )
    periods: dict[Any, list[tuple[Any, dt.date, dt.date | None]]] = defaultdict(list)
    for area_id, registration_id, start, end in (
        level_1.filter(Q(registration_id__in=may_fall_in_year) | Q(registration_id__in=reviewed))
        .filter(start_date__lte=year.end)
        .exclude(end_date__lt=earliest)
        .order_by("registration_id", "start_date")
        .values_list("area_id", "registration_id", "start_date", "end_date")
    ):
        if end is None or end >= since[area_id]:
            periods[area_id].append((registration_id, start, end))

    outcomes: dict[Any, list[tuple[dt.date, bool, Any]]] = defaultdict(list)
    for area_id, interval in intervals.items():
        too_early = add_months(year.start, -interval - 1)  # its first due date is before the year
        for registration_id, start, end in _stretches(periods[area_id]):
            recorded = reviews.get((area_id, registration_id))
            if recorded is None and start < too_early:
                continue  # most cases: long at Level 1, never reviewed, their one due date long past
            held = [r for r in recorded or () if r[0] >= start and (end is None or r[0] < end)]
            due_dates = [add_months(start, interval), *(next_due for _, next_due in held)]
            for index, due in enumerate(due_dates):
                if due is None or not (year.start <= due <= year.end):
                    continue
                following = held[index][0] if index < len(held) else None
                if following is not None:
                    outcomes[area_id].append((due, following <= due, registration_id))
                elif due < today and (end is None or due < end):
                    outcomes[area_id].append((due, False, registration_id))
    return outcomes


def level_one_outcomes(
    area: Area, year_periods: list[Period], today: dt.date, interval: int
) -> list[tuple[dt.date, bool, Any]]:
    """(due date, met, registration id) of each Level 1 review due date counted in the year."""
    return level_one_outcomes_by_area({area.pk: interval}, year_periods, today).get(area.pk, [])


DEFAULT_INTERVAL = int(LevelOneSettings._meta.get_field("review_interval_months").default)


def review_intervals(areas: Sequence[Area]) -> dict[Any, int]:
    """Each area's Level 1 interval in months. Read, not created: the SMB's page writes nothing; without a row the
    model's default applies."""
    saved = dict(LevelOneSettings.objects.filter(area__in=areas).values_list("area_id", "review_interval_months"))
    return {area.pk: int(saved.get(area.pk) or DEFAULT_INTERVAL) for area in areas}


def review_interval(area: Area) -> int:
    """The area's Level 1 interval in months (the model's default without a row)."""
    return review_intervals([area])[area.pk]


def level_one_reviews(
    areas: Sequence[Area],
    year_periods: list[Period],
    targets: Mapping[Any, Mapping[str, Target]],
    settings: Mapping[Any, AreaSettings],
    today: dt.date,
) -> dict[Any, IndicatorResult]:
    intervals = review_intervals(areas)
    outcomes = level_one_outcomes_by_area(intervals, year_periods, today)
    found = {}
    for area in areas:
        target = targets[area.pk][Indicator.LEVEL_ONE_REVIEWS]
        counts = rate_counts(((due, met) for due, met, _ in outcomes.get(area.pk, [])), year_periods)
        found[area.pk] = IndicatorResult(
            Indicator.LEVEL_ONE_REVIEWS,
            Indicator.LEVEL_ONE_REVIEWS.label,
            "Level 1 review due dates met by a review on or before the date",
            f"Level 1 review due dates that fell in the period (the first {intervals[area.pk]} months after the"
            " case came to Level 1, then as each review set) while the case was at Level 1, and were met or have"
            " passed",
            target,
            [
                row(
                    "Level 1",
                    counts,
                    parts=(MET, MISSED),
                    numerator_part=MET,
                    target=target,
                    threshold=settings[area.pk].suppression_threshold,
                )
            ],
        )
    return found
