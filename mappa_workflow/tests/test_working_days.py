import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mappa_workflow.working_days import (
    add_working_days,
    due_soon_until,
    is_working_day,
    subtract_working_days,
    working_days_between,
)

pytestmark = pytest.mark.calendar


def test_weekends_and_bank_holidays_are_not_working_days():
    assert not is_working_day(dt.date(2025, 12, 25))  # Christmas Day
    assert not is_working_day(dt.date(2025, 8, 25))  # Summer bank holiday (England and Wales)
    assert not is_working_day(dt.date(2025, 11, 22))  # Saturday
    assert is_working_day(dt.date(2025, 11, 24))


def test_adding_working_days_skips_christmas():
    assert add_working_days(dt.date(2025, 12, 23), 3) == dt.date(2025, 12, 30)


def test_working_days_between_counts_both_ways():
    assert working_days_between(dt.date(2025, 12, 23), dt.date(2025, 12, 30)) == 3
    assert working_days_between(dt.date(2025, 12, 30), dt.date(2025, 12, 23)) == -3


# Properties of the working-days helpers every timescale relies on, over any date in the bank-holiday data.
_days = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2028, 12, 1))


@settings(max_examples=300, deadline=None)
@given(start=_days, days=st.integers(min_value=0, max_value=60))
def test_adding_then_counting_working_days_gives_back_the_number(start, days):
    end = add_working_days(start, days)
    assert working_days_between(start, end) == days
    assert days == 0 or is_working_day(end)
    assert subtract_working_days(end, days) <= start
    assert working_days_between(subtract_working_days(end, days), end) == days


@settings(max_examples=300, deadline=None)
@given(today=_days, days=st.integers(min_value=0, max_value=20))
def test_due_soon_reaches_as_many_working_days_ahead_whatever_falls_between(today, days):
    until = due_soon_until(today, days)
    assert working_days_between(today, until) == days
    assert (until - today).days >= days  # never shorter than the same number of calendar days


def test_twenty_working_days_from_2_december_2026_is_4_january_2027():
    """Christmas Day, the Boxing Day substitute (28th) and New Year's Day are not counted."""
    assert add_working_days(dt.date(2026, 12, 2), 20) == dt.date(2027, 1, 4)
    assert subtract_working_days(dt.date(2027, 1, 4), 5) == dt.date(2026, 12, 23)


def project_apps() -> list[str]:
    """Every app of this project (a new app is scanned without being listed here)."""
    from django.apps import apps as registry

    root = Path(__file__).resolve().parents[2]
    return sorted(config.name for config in registry.get_app_configs() if Path(config.path).resolve().parent == root)


def test_no_rule_stated_in_working_days_is_written_as_calendar_days():
    """Application code counts calendar days only where the rule is calendar time; every such place is
    listed here with its reason (docs/meetings.md, "Working days and calendar days"). The synthetic data
    generators are not scanned: their calendar days are random spreads, not rules (their first-meeting
    dates use working days, as the referral workflow does)."""
    calendar_rules = {
        "web/views/dashboard.py": "this week's meetings: a calendar week",
        "notifications/services.py": "the weekly digest looks a calendar week ahead",
        "meetings/demo.py": "demo data: weeks of past and upcoming meetings",
        "meetings/timescales.py": "overdue starts the calendar day after the due date",
        "mappa_workflow/working_days.py": "the helpers themselves step a day at a time",
        "oversight/audits/sampling.py": "a quarter ends at midnight after its last calendar day",
        "oversight/periods.py": "a reporting period ends at midnight after its last calendar day",
        "web/filters.py": "list filters labelled 'in the next 7 (28) days': calendar days, as the label says",
        "web/views/meeting_calendar.py": "the month view's grid ends at midnight after its last day",
        "release_planning/dates.py": "a due date on a day off steps back a day at a time to a working day",
        "release_planning/services/plans.py": "an expected release more than five years ahead is refused as a typo",
        "administration/demo_between_meetings.py": "demo data: reviews spread over past days",
        "reporting/compiled_sql.py": "stand-in days a thousand years back, to find where a query's dates go: no rule",
    }
    root = Path(__file__).resolve().parents[2]
    apps = project_apps()
    found = set()
    for app in apps:
        for path in (root / app).rglob("*.py"):
            relative = path.relative_to(root).as_posix()
            if "/tests/" in relative or "/migrations/" in relative or "/synthetic/" in relative:
                continue
            if re.search(r"timedelta\(\s*(days\s*=|\d)", path.read_text()):
                found.add(relative)
    assert found <= set(calendar_rules), (
        f"calendar-day arithmetic outside the listed rules: {found - set(calendar_rules)}"
    )


def test_today_is_always_londons_today():
    """``date.today()`` and naive ``datetime.now()`` follow the machine's time zone (UTC on servers): at
    00:30 on 1 April in London they still say 31 March. Application code asks ``timezone.localdate()``."""
    root = Path(__file__).resolve().parents[2]
    offenders = [
        path.relative_to(root).as_posix()
        for app in project_apps()
        for path in (root / app).rglob("*.py")
        if "/tests/" not in path.as_posix()
        and re.search(r"\bdate\.today\(\)|datetime\.now\(\)|datetime\.utcnow\(\)", path.read_text())
    ]
    assert offenders == []
