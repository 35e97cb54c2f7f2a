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
review yet, or one that fell after the case left Level 1, is not counted. Three queries, whatever the number of
records: the area's Level 1 periods and its Level 1 reviews (and its interval).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import groupby
from typing import Any

from level_one.dates import add_months
from level_one.models import LevelOneReview, LevelOneSettings
from mappa_workflow.models import Area
from referrals.models import RegistrationPeriod

from .figures import MET, MISSED, IndicatorResult, Target, rate_counts, row
from .models import Indicator
from .periods import Period


def _stretches(area: Area, since: dt.date, until: dt.date) -> list[tuple[Any, dt.date, dt.date | None]]:
    """(registration id, start, end or None) of each unbroken run of Level 1 periods overlapping the window."""
    periods = (
        RegistrationPeriod.objects.filter(registration__area=area, level=1, start_date__lte=until)
        .exclude(end_date__lt=since)
        .order_by("registration_id", "start_date")
        .values_list("registration_id", "start_date", "end_date")
    )
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


def level_one_outcomes(
    area: Area, year_periods: list[Period], today: dt.date, interval: int
) -> list[tuple[dt.date, bool, Any]]:
    """(due date, met, registration id) of each Level 1 review due date counted in the year."""
    year = year_periods[-1]
    # A due date in the year comes from a start or a review before it; reviews are at most a few intervals apart.
    since = add_months(year.start, -3 * interval)
    reviews: dict[Any, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for registration_id, reviewed_on, next_due in (
        LevelOneReview.objects.filter(area=area, reviewed_on__gte=since)
        .order_by("registration_id", "reviewed_on", "recorded_at")
        .values_list("registration_id", "reviewed_on", "next_review_due")
    ):
        reviews[registration_id].append((reviewed_on, next_due))
    outcomes = []
    for registration_id, start, end in _stretches(area, since, year.end):
        held = [r for r in reviews[registration_id] if r[0] >= start and (end is None or r[0] < end)]
        due_dates = [add_months(start, interval), *(next_due for _, next_due in held)]
        for index, due in enumerate(due_dates):
            if due is None or not (year.start <= due <= year.end):
                continue
            following = held[index][0] if index < len(held) else None
            if following is not None:
                outcomes.append((due, following <= due, registration_id))
            elif due < today and (end is None or due < end):
                outcomes.append((due, False, registration_id))
    return outcomes


def review_interval(area: Area) -> int:
    """The area's Level 1 interval in months. Read, not created: the SMB's page writes nothing; without a row the
    model's default applies."""
    interval = LevelOneSettings.objects.filter(area=area).values_list("review_interval_months", flat=True).first()
    return int(interval or LevelOneSettings._meta.get_field("review_interval_months").default)


def level_one_reviews(
    area: Area, year_periods: list[Period], target: Target, threshold: int, today: dt.date
) -> IndicatorResult:
    interval = review_interval(area)
    outcomes = level_one_outcomes(area, year_periods, today, interval)
    counts = rate_counts(((due, met) for due, met, _ in outcomes), year_periods)
    return IndicatorResult(
        Indicator.LEVEL_ONE_REVIEWS,
        Indicator.LEVEL_ONE_REVIEWS.label,
        "Level 1 review due dates met by a review on or before the date",
        f"Level 1 review due dates that fell in the period (the first {interval} months after the case came to"
        " Level 1, then as each review set) while the case was at Level 1, and were met or have passed",
        target,
        [row("Level 1", counts, parts=(MET, MISSED), numerator_part=MET, target=target, threshold=threshold)],
    )
