"""Level 2/3 reviews held by their due date: each review date a meeting set, against the case's next panel
(docs/indicators.md, "Reviews").

A meeting's minutes set the case's next review date (``CaseMinutes.next_review_date``). The date is met when the
next Level 2 or 3 panel held with the case on its agenda, after that meeting, was held on or before it; it counts
at the level the case was managed at on the date (none, so not counted, once it had left Levels 2 and 3), once
it is met or has passed.

Three queries for any number of areas: the minutes that set a date in the year, the panels held with their
cases since and their cases' periods; the pairing of each date with the next panel and the level is done here, a few rows per
case. (As one SQL statement with a subquery per date, PostgreSQL scanned every panel in the country for each
date: five seconds for one area of the national data set.)
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from meetings.models import CaseMinutes
from referrals.models import RegistrationPeriod

from .panels import held_panels
from .periods import Period


@dataclass(frozen=True)
class ReviewOutcome:
    minutes_id: Any
    due: dt.date
    level: int | None  # the case's level on the due date
    next_held: dt.date | None  # London date of the case's next panel held after the meeting that set the date
    today: dt.date

    @property
    def measured(self) -> bool:
        """Met, or passed: a date not reached yet with no panel yet is not counted."""
        return self.next_held is not None or self.due < self.today

    @property
    def met(self) -> bool:
        return self.next_held is not None and self.next_held <= self.due


def review_outcomes(area_ids: Sequence[Any], year: Period, today: dt.date) -> dict[Any, list[ReviewOutcome]]:
    """Per area (the meeting's): each review date set by a meeting's minutes that falls in ``year``."""
    minutes = CaseMinutes.objects.filter(
        agenda_item__meeting__area_id__in=area_ids,
        agenda_item__registration__isnull=False,
        next_review_date__range=(year.start, year.end),
    )
    set_by = list(
        minutes.values_list(
            "pk",
            "agenda_item__meeting__area_id",
            "agenda_item__registration_id",
            "agenda_item__meeting__starts_at",
            "next_review_date",
        )
    )
    cases = minutes.values("agenda_item__registration_id")
    # only the panels after the earliest meeting that set a date can be the next one after any of them
    held = held_panels(cases, after=min((row[3] for row in set_by), default=None))
    levels: dict[Any, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
    for registration_id, start, end, level in (
        RegistrationPeriod.objects.filter(registration_id__in=cases, start_date__lte=year.end)
        .exclude(end_date__lte=year.start)
        .order_by("registration_id", "start_date")
        .values_list("registration_id", "start_date", "end_date", "level")
    ):
        levels[registration_id].append((start, end, level))

    found: dict[Any, list[ReviewOutcome]] = defaultdict(list)
    for pk, area_id, registration_id, meeting_starts_at, due in set_by:
        if due is None:  # filtered on its range: never
            continue
        panels = held[registration_id]
        after = bisect.bisect_right(panels, meeting_starts_at)  # held strictly after the meeting that set the date
        next_held = timezone.localtime(panels[after]).date() if after < len(panels) else None
        # the earliest period (by start) running on the due date; ``end_date`` is exclusive
        level_when_due = next(
            (lv for starts, ends, lv in levels[registration_id] if starts <= due and (ends is None or ends > due)),
            None,
        )
        found[area_id].append(ReviewOutcome(pk, due, level_when_due, next_held, today))
    return found
