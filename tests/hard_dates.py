"""The days of the year on which date arithmetic breaks, for running time-dependent tests there.

Each is the next such moment after the real date the suite runs on, so a browser's cookies (set
for a fortnight from the frozen clock) are never already expired, and the set moves on with time.
The clock ticks from that moment (time-machine's ``tick=True``), so a test that starts a minute
before a clock change crosses it.

- christmas-eve: 24 December, 10:00; 20 working days later is well into January.
- new-year: 2 January, 10:00; a Saturday in 2027, just after a bank holiday.
- maundy-thursday: the Thursday before Easter, 10:00; the next two days off (Good Friday, Easter
  Monday) sit inside any working-day window.
- leap-day: 29 February, 10:00, of the next leap year.
- spring-forward / fall-back: the last Sunday of March / October, 00:59 UTC, a minute before the
  clocks change (01:00 UTC): local time jumps forward an hour, or goes back one.
- year-end: 31 March, 23:30 UTC, which is already 1 April in London: UTC and local time are on
  different days and in different reporting years.
- monday-morning: the next Monday, 09:30 London time, when this week's meetings start.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from dateutil.easter import easter

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
SET = ("christmas-eve", "new-year", "maundy-thursday", "leap-day", "spring-forward", "fall-back", "year-end")
SET += ("monday-morning",)
# The browser journeys go through every layer at once and cost ten times a page test, so under --hard-dates they
# run at the three moments that move most of what they show: bank holidays inside the working-day windows, the
# clocks changing under a meeting's time, and London already in the next reporting year while UTC is not. Every
# other `calendar` test (scheduling, timescales, reminders, the pages' dates) runs at all of SET.
BROWSER_SET = ("christmas-eve", "spring-forward", "year-end")


def _next(candidates, after: dt.datetime) -> dt.datetime:
    return min(c for c in candidates if c > after)


def _last_sunday(year: int, month: int) -> dt.date:
    day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() - 6) % 7)


def moment(name: str, *, after: dt.datetime | None = None) -> dt.datetime:
    """The next moment called ``name`` after ``after`` (by default now), timezone-aware."""
    after = after or dt.datetime.now(UTC)
    years = range(after.year, after.year + 9)

    def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)

    def utc(day: dt.date, hour: int, minute: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=UTC)

    if name == "christmas-eve":
        return _next((local(dt.date(y, 12, 24), 10) for y in years), after)
    if name == "new-year":
        return _next((local(dt.date(y, 1, 2), 10) for y in years), after)
    if name == "maundy-thursday":
        return _next((local(easter(y) - dt.timedelta(days=3), 10) for y in years), after)
    if name == "leap-day":
        return _next((local(dt.date(y, 2, 29), 10) for y in years if y % 4 == 0 and (y % 100 or y % 400 == 0)), after)
    if name == "spring-forward":
        return _next((utc(_last_sunday(y, 3), 0, 59) for y in years), after)
    if name == "fall-back":
        return _next((utc(_last_sunday(y, 10), 0, 59) for y in years), after)
    if name == "year-end":
        return _next((utc(dt.date(y, 3, 31), 23, 30) for y in years), after)
    if name == "monday-morning":
        today = after.astimezone(LONDON).date()
        mondays = (today + dt.timedelta(days=(0 - today.weekday()) % 7 + 7 * n) for n in range(3))
        return _next((local(day, 9, 30) for day in mondays), after)
    raise ValueError(f"unknown hard date {name!r}; one of: {', '.join(SET)}")


def parse(value: str) -> dt.datetime:
    """``--clock-at``'s value: a name from the set, or an ISO date or date-time (London time unless
    it carries an offset)."""
    if value in SET:
        return moment(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(10), tzinfo=LONDON)
    when = dt.datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=LONDON)
