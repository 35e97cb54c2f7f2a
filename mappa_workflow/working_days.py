"""Working days in England and Wales: weekends and bank holidays excluded.

Every rule the guidance or an area states in working days goes through this module (first
meetings, minutes, "due soon", the scheduling window); rules stated in weeks or calendar days
(review intervals, the weekly digest, the reporting year) do not. docs/meetings.md ("Working days and calendar days") lists which
rule is which.

Bank holidays come from govuk-bank-holidays' cached data (no network). Past the end of that
data only weekends are excluded; :func:`bank_holidays_known_until` says where that starts.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from govuk_bank_holidays.bank_holidays import BankHolidays


@lru_cache(maxsize=1)
def _bank_holidays() -> frozenset[date]:
    holidays = BankHolidays(use_cached_holidays=True).get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    return frozenset(h["date"] for h in holidays)


def bank_holidays_known_until() -> date:
    return max(_bank_holidays())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays()


def _step_working_days(start: date, days: int, step: int) -> date:
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    return _step_working_days(start, days, 1)


def subtract_working_days(end: date, days: int) -> date:
    """The date ``days`` working days before ``end`` (``end`` itself not counted)."""
    return _step_working_days(end, days, -1)


def due_soon_until(today: date, due_soon_working_days: int) -> date:
    """The last due date that counts as "due soon" on ``today``: the area's "due soon" is in working
    days, so a window that spans a weekend or bank holiday reaches as many working days ahead."""
    return add_working_days(today, due_soon_working_days)


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when end is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))
