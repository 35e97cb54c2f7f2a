"""Due dates counted back from a release (database-free, so the hard-date tests can state them exactly).

Lead times stated in weeks (MAPPA J "6 weeks before planned release") are calendar weeks; a task whose
date so counted falls on a weekend or bank holiday is due on the working day before it, since nobody is
at work to do it on the day itself. Lead times stated in working days (the prison report) count working
days back from the release day with :mod:`mappa_workflow.working_days`.
"""

from __future__ import annotations

import datetime as dt

from mappa_workflow.working_days import is_working_day, subtract_working_days


def working_day_on_or_before(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def weeks_before(release: dt.date, weeks: int) -> dt.date:
    """The working day on or before the day ``weeks`` calendar weeks before ``release``."""
    return working_day_on_or_before(release - dt.timedelta(weeks=weeks))


def working_days_before(release: dt.date, days: int) -> dt.date:
    return subtract_working_days(release, days)
