"""When things are due: first meetings, reviews and minutes, and whether each is on time.

Every case and meeting can say whether it is on time, due soon or overdue, and since when, using
the area's settings (working days for first meetings, minutes and "due soon"; weeks for reviews).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

from mappa_workflow.models import AreaSettings
from mappa_workflow.working_days import add_working_days, subtract_working_days
from referrals.models import Registration

from .models import Meeting, MeetingState


class Timeliness(models.TextChoices):
    ON_TIME = "on_time", "On time"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    DONE = "done", "Done on time"
    DONE_LATE = "done_late", "Done late"


@dataclass(frozen=True)
class Timescale:
    """What is due, by when, how it stands on ``today`` and since which day it has stood so."""

    what: str
    due: dt.date
    status: Timeliness
    since: dt.date | None

    @property
    def label(self) -> str:
        if self.status == Timeliness.OVERDUE:
            return f"{self.what.capitalize()} overdue since {self.since:%-d %B %Y}"
        if self.status == Timeliness.DUE_SOON:
            return f"{self.what.capitalize()} due soon: by {self.due:%-d %B %Y}"
        if self.status in (Timeliness.DONE, Timeliness.DONE_LATE):
            return f"{self.what.capitalize()} {self.status.label.lower()} ({self.since:%-d %B %Y})"
        return f"{self.what.capitalize()} due by {self.due:%-d %B %Y}"


def assess(*, what: str, due: dt.date, today: dt.date, due_soon_days: int, done_on: dt.date | None = None) -> Timescale:
    """Where ``due`` stands on ``today``. Overdue starts the day after the due date; due soon starts
    ``due_soon_days`` working days before it."""
    if done_on is not None:
        status = Timeliness.DONE if done_on <= due else Timeliness.DONE_LATE
        return Timescale(what, due, status, done_on)
    if today > due:
        return Timescale(what, due, Timeliness.OVERDUE, due + dt.timedelta(days=1))
    soon_from = subtract_working_days(due, due_soon_days)
    if today >= soon_from:
        return Timescale(what, due, Timeliness.DUE_SOON, soon_from)
    return Timescale(what, due, Timeliness.ON_TIME, None)


def review_interval(settings: AreaSettings, level: int) -> dt.timedelta:
    """Reviews are set in weeks (calendar time), as the guidance states them."""
    weeks = settings.review_weeks_level_3 if level == 3 else settings.review_weeks_level_2
    return dt.timedelta(weeks=weeks)


def minutes_due(meeting: Meeting, settings: AreaSettings) -> dt.date:
    """Minutes are due a number of working days after the meeting."""
    return add_working_days(meeting.meeting_date, settings.minutes_due_working_days)


def meeting_timescale(meeting: Meeting, settings: AreaSettings, today: dt.date | None = None) -> Timescale | None:
    """The minutes' timescale once a meeting has been held (None before, or when cancelled)."""
    if meeting.state in (MeetingState.SCHEDULED, MeetingState.CANCELLED):
        return None
    approved = timezone.localtime(meeting.minutes_approved_at).date() if meeting.minutes_approved_at else None
    return assess(
        what="minutes",
        due=minutes_due(meeting, settings),
        today=today or timezone.localdate(),
        due_soon_days=settings.due_soon_days,
        done_on=approved,
    )


def case_timescale(
    registration: Registration, settings: AreaSettings, today: dt.date | None = None
) -> Timescale | None:
    """A Level 2/3 case's next meeting: the first meeting until one has set a review date, then the review."""
    if registration.level not in (2, 3):
        return None
    if registration.next_review_due is not None:
        what, due = "review", registration.next_review_due
    elif registration.first_meeting_due is not None:
        what, due = "first meeting", registration.first_meeting_due
    else:
        return None
    return assess(what=what, due=due, today=today or timezone.localdate(), due_soon_days=settings.due_soon_days)
