"""``|day`` (web_dates) shows every date exactly as Django's ``|date`` does: it only keeps the strings."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.template import Context, Template
from django.utils import timezone


def both(value, fmt: str) -> tuple[str, str]:
    context = Context({"value": value})
    return (
        Template('{% load web_dates %}{{ value|day:"' + fmt + '" }}').render(context),
        Template('{{ value|date:"' + fmt + '" }}').render(context),
    )


def test_dates_and_times_read_as_django_shows_them_in_any_time_zone():
    instant = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)  # the night the clocks go forward
    for value in (dt.date(2025, 2, 28), instant, None, ""):
        for fmt in (
            ("j F Y", "j M Y")
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime)
            else (
                "j F Y",
                "j F Y, H:i",
            )
        ):
            day, date = both(value, fmt)
            assert day == date
    with timezone.override(zoneinfo.ZoneInfo("Europe/London")):
        london = both(instant + dt.timedelta(hours=1), "j F Y, H:i")
    with timezone.override(zoneinfo.ZoneInfo("UTC")):
        utc = both(instant + dt.timedelta(hours=1), "j F Y, H:i")
    assert london[0] == london[1] == "29 March 2026, 02:30"  # the same instant, kept apart by its zone
    assert utc[0] == utc[1] == "29 March 2026, 01:30"
