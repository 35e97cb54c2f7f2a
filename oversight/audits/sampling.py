"""Which meetings and cases a quarter's audit sample is drawn from, and the draw itself.

The candidates are put in a fixed order (meeting start, then id; a case's start, then id) and
``random.Random(seed).sample`` picks from them, so a recorded sample can be drawn again from its seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from mappa_workflow.models import Area
from meetings.models import Meeting, MeetingType
from referrals.models import Registration, RegistrationPeriod

from ..periods import periods
from .prefill import HELD_STATES

LONDON = ZoneInfo("Europe/London")
PANEL_TYPES = [MeetingType.LEVEL_2, MeetingType.LEVEL_3]
T = TypeVar("T")


def quarter_dates(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    found = periods(year)[quarter - 1]
    return found.start, found.end


def quarter_of(day: dt.date) -> tuple[int, int]:
    """(reporting year, quarter) of a London date."""
    year = day.year if day.month >= 4 else day.year - 1
    return year, ((day.month - 4) % 12) // 3 + 1


def _bounds(year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    start, end = quarter_dates(year, quarter)
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=LONDON),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=LONDON),
    )


def meeting_candidates(area: Area, year: int, quarter: int) -> QuerySet[Meeting]:
    """Level 2 and 3 meetings of the area held in the quarter (London dates)."""
    start, end = _bounds(year, quarter)
    return Meeting.objects.filter(
        area=area, meeting_type__in=PANEL_TYPES, state__in=HELD_STATES, starts_at__gte=start, starts_at__lt=end
    ).order_by("starts_at", "pk")


def case_candidates(area: Area, year: int, quarter: int) -> QuerySet[Registration]:
    """Cases of the area discussed at a Level 2 or 3 meeting held in the quarter. Category 4 cases are
    left out: they are managed under counter-terrorism MAPPA and audited there."""
    category_4 = RegistrationPeriod.objects.filter(category=4).values("registration_id")
    return (
        Registration.objects.filter(area=area, agenda_items__meeting__in=meeting_candidates(area, year, quarter))
        .exclude(pk__in=category_4)
        .distinct()
        .order_by("started_on", "pk")
    )


def draw(candidates: Sequence[T], *, size: int, seed: int) -> list[T]:
    return random.Random(seed).sample(list(candidates), min(size, len(candidates)))
