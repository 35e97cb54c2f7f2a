"""The Level 2 and 3 panels held with each case on the agenda: what the first-meeting and review indicators pair
each due date with (docs/indicators.md)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from meetings.models import AgendaItem, MeetingState, MeetingType

HELD_STATES = [MeetingState.HELD, MeetingState.MINUTES_DRAFTED, MeetingState.MINUTES_APPROVED]
PANEL_TYPES = [MeetingType.LEVEL_2, MeetingType.LEVEL_3]


def held_panels(registrations: QuerySet[Any], after: dt.datetime | None = None) -> dict[Any, list[dt.datetime]]:
    """Per registration id of ``registrations`` (a query of registration ids): when each Level 2 or 3 panel held
    with it on the agenda started (after ``after``, if given), earliest first. One query."""
    found: dict[Any, list[dt.datetime]] = defaultdict(list)
    items = AgendaItem.objects.filter(
        registration_id__in=registrations, meeting__meeting_type__in=PANEL_TYPES, meeting__state__in=HELD_STATES
    )
    if after is not None:
        items = items.filter(meeting__starts_at__gt=after)
    for registration_id, starts_at in items.order_by("registration_id", "meeting__starts_at").values_list(
        "registration_id", "meeting__starts_at"
    ):
        found[registration_id].append(starts_at)
    return found
