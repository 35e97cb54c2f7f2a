"""Calendar months, for the SMB's dates: "tenures ending in the next three months", "up to a year ahead".

These rules are in calendar time, not working days, and are counted in months rather than days, so
the 31st of a month steps to the last day of a shorter one (31 May + 3 months = 31 August,
30 November + 3 months = 28 or 29 February).
"""

from __future__ import annotations

import calendar
import datetime as dt


def months_after(day: dt.date, months: int) -> dt.date:
    year, month_index = divmod(day.month - 1 + months, 12)
    year += day.year
    month = month_index + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
