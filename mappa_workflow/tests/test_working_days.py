import datetime as dt

from mappa_workflow.working_days import add_working_days, is_working_day, working_days_between


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
