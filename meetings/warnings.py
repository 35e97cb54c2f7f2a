"""Warnings, not refusals, for changes a co-ordinator may mean: a meeting outside office hours, and a case
already booked at another meeting. The services refuse what cannot be (a chair or case at two meetings at
once); these only ask the co-ordinator to confirm what is merely unusual.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from mappa_workflow.working_days import is_working_day
from referrals.models import Referral, Registration

from .models import AgendaItem, Meeting, MeetingState

# Office hours: a meeting starting before or ending after these, or on a weekend or bank holiday, is unusual.
OFFICE_OPENS, OFFICE_CLOSES = dt.time(8, 0), dt.time(18, 0)


def out_of_hours(starts_at: dt.datetime, duration_minutes: int) -> str:
    """Why a meeting at ``starts_at`` is outside office hours, or "" when it is not."""
    start = timezone.localtime(starts_at)
    end = timezone.localtime(starts_at + dt.timedelta(minutes=int(duration_minutes)))
    day = start.date()
    if day.weekday() >= 5:
        return f"{day:%A %-d %B %Y} is a weekend day"
    if not is_working_day(day):
        return f"{day:%A %-d %B %Y} is a bank holiday"
    if start.time() < OFFICE_OPENS or end.time() > OFFICE_CLOSES or end.date() != day:
        return (
            f"the meeting runs from {start:%H:%M} to {end:%H:%M}, outside office hours "
            f"({OFFICE_OPENS:%H:%M} to {OFFICE_CLOSES:%H:%M})"
        )
    return ""


def booked_elsewhere(
    *,
    meeting: Meeting | None,
    registrations: Sequence[Registration] = (),
    referrals: Sequence[Referral] = (),
) -> dict[str, Meeting]:
    """For each case (registration or referral pk, as a string) already on the agenda of another scheduled
    meeting, the soonest such meeting (one query)."""
    items = AgendaItem.objects.filter(meeting__state=MeetingState.SCHEDULED).select_related("meeting")
    if meeting is not None:
        items = items.exclude(meeting=meeting)
    booked = items.filter(registration__in=[r.pk for r in registrations]) | items.filter(
        referral__in=[r.pk for r in referrals]
    )
    found: dict[str, Meeting] = {}
    for item in booked.order_by("meeting__starts_at"):
        key = str(item.registration_id or item.referral_id)
        found.setdefault(key, item.meeting)
    return found
