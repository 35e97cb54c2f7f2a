"""The reporting year (1 April to 31 March, London dates) and its quarters, as the indicators and audits count them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

YEAR = "year"


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: dt.date
    end: dt.date

    @property
    def first_instant(self) -> dt.datetime:
        """Midnight (London) starting the period: with :attr:`instant_after`, a range of instants a database index
        can answer, which a range of London dates of a timestamp is not."""
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time()))

    @property
    def instant_after(self) -> dt.datetime:
        """Midnight (London) ending the period: the first instant after it."""
        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time()))


def periods(year: int) -> list[Period]:
    """The four quarters of reporting year ``year`` (1 April ``year`` to 31 March ``year + 1``) and the year."""
    quarters = [
        (dt.date(year, 4, 1), dt.date(year, 6, 30)),
        (dt.date(year, 7, 1), dt.date(year, 9, 30)),
        (dt.date(year, 10, 1), dt.date(year, 12, 31)),
        (dt.date(year + 1, 1, 1), dt.date(year + 1, 3, 31)),
    ]
    found = [Period(f"q{n}", f"Q{n} ({start:%b}-{end:%b})", start, end) for n, (start, end) in enumerate(quarters, 1)]
    return [*found, Period(YEAR, f"{year}/{(year + 1) % 100:02d}", quarters[0][0], quarters[-1][1])]
