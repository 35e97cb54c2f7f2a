"""The agenda as papers: each case in order with its time slot, what it is (category, level, location, lead
agency), what earlier meetings decided, the actions still outstanding and the written reports received.

The caller passes the agenda items the reader may see (the need-to-know rule is the pages' job); everything
here is read for those items only, in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from referrals.models import Category, Level, Location, RegistrationPeriod

from .models import AgendaItem, CaseMinutes, Meeting, MeetingState, RiskAction
from .models_reports import AgencyReport, AttendanceConfirmation

SLOT_ROUNDING_MINUTES = 5


@dataclass
class AgendaEntry:
    item: AgendaItem
    starts_at: dt.datetime
    ends_at: dt.datetime
    category: str
    level: str
    location: str
    lead_agency: str
    previous_decisions: list[CaseMinutes] = field(default_factory=list)
    outstanding_actions: list[RiskAction] = field(default_factory=list)
    reports: list[AgencyReport] = field(default_factory=list)


def time_slots(meeting: Meeting, count: int) -> list[tuple[dt.datetime, dt.datetime]]:
    """The meeting's time shared equally between ``count`` cases, each slot a whole number of five minutes
    (the last case runs to the end of the meeting)."""
    if count == 0:
        return []
    minutes = max(
        SLOT_ROUNDING_MINUTES, meeting.duration_minutes // count // SLOT_ROUNDING_MINUTES * SLOT_ROUNDING_MINUTES
    )
    slots = []
    for number in range(count):
        starts = meeting.starts_at + dt.timedelta(minutes=minutes * number)
        ends = meeting.ends_at if number == count - 1 else starts + dt.timedelta(minutes=minutes)
        slots.append((starts, min(ends, meeting.ends_at) if ends > starts else ends))
    return slots


def _label(choices: type, value: object) -> str:
    try:
        return str(choices(value).label)  # type: ignore[operator]  # a TextChoices/IntegerChoices class
    except ValueError:
        return "Not recorded"


def agenda_entries(meeting: Meeting, items: Sequence[AgendaItem]) -> list[AgendaEntry]:
    """The papers for ``items`` (already limited to what the reader may see), in agenda order. Four queries."""
    items = sorted(items, key=lambda i: i.position)
    registration_ids = [i.registration_id for i in items if i.registration_id]
    periods = {
        p.registration_id: p
        for p in RegistrationPeriod.objects.filter(registration_id__in=registration_ids)
        .on(meeting.meeting_date)
        .select_related("lead_agency")
    }
    previous: dict[object, list[CaseMinutes]] = defaultdict(list)
    for minutes in (
        CaseMinutes.objects.filter(
            agenda_item__registration_id__in=registration_ids,
            agenda_item__meeting__state=MeetingState.MINUTES_APPROVED,
            agenda_item__meeting__starts_at__lt=meeting.starts_at,
        )
        .select_related("agenda_item__meeting")
        .order_by("-agenda_item__meeting__starts_at")
    ):
        previous[minutes.agenda_item.registration_id].append(minutes)
    outstanding: dict[object, list[RiskAction]] = defaultdict(list)
    for action in (
        RiskAction.objects.unfinished().filter(registration_id__in=registration_ids).select_related("owning_agency")
    ):
        outstanding[action.registration_id].append(action)
    reports: dict[int, list[AgencyReport]] = defaultdict(list)
    for report in AgencyReport.objects.filter(agenda_item__in=[i.pk for i in items]).select_related("agency"):
        reports[report.agenda_item_id].append(report)
    entries = []
    for item, (starts, ends) in zip(items, time_slots(meeting, len(items)), strict=True):
        period = periods.get(item.registration_id) if item.registration_id else None
        if period is not None:
            category, level = _label(Category, period.category), _label(Level, period.level)
            location, lead = _label(Location, period.location), str(period.lead_agency)
        elif item.referral is not None:
            referral = item.referral
            category = _label(Category, referral.category)
            level = f"Level {referral.level_requested} requested" if referral.level_requested else "Not requested"
            location = _label(Location, referral.current_location)
            lead = f"Referred by {referral.referring_agency}"
        else:
            category = level = location = lead = "Not recorded"
        entries.append(
            AgendaEntry(
                item=item,
                starts_at=starts,
                ends_at=ends,
                category=category,
                level=level,
                location=location,
                lead_agency=lead,
                previous_decisions=previous.get(item.registration_id, []),
                outstanding_actions=outstanding.get(item.registration_id, []),
                reports=reports.get(item.pk, []),
            )
        )
    return entries


@dataclass
class AgencyReporting:
    """One invited agency's papers for a meeting: its answer to the invitation and the cases it has reported on."""

    agency_id: int
    agency_name: str
    agency_email: str
    confirmation: AttendanceConfirmation | None
    reported: int
    missing: int
    last_chased: dt.datetime | None


def reporting_by_agency(meeting: Meeting) -> list[AgencyReporting]:
    """For the co-ordinator: each invited agency, whether it has answered the invitation, and how many cases it
    has and has not reported on (counts only: the co-ordinator sees the cases on the agenda page). Four queries."""
    cases = AgendaItem.objects.filter(meeting=meeting).count()
    reported: dict[int, int] = defaultdict(int)
    for agency_id in AgencyReport.objects.filter(agenda_item__meeting=meeting).values_list("agency_id", flat=True):
        reported[agency_id] += 1
    confirmations = {c.agency_id: c for c in AttendanceConfirmation.objects.filter(meeting=meeting)}
    chased: dict[int, dt.datetime] = {}
    for chase in meeting.report_chases.order_by("chased_at"):
        chased[chase.agency_id] = chase.chased_at
    return [
        AgencyReporting(
            agency_id=invitation.agency_id,
            agency_name=invitation.agency.name,
            agency_email=invitation.agency.email,
            confirmation=confirmations.get(invitation.agency_id),
            reported=reported[invitation.agency_id],
            missing=cases - reported[invitation.agency_id],
            last_chased=chased.get(invitation.agency_id),
        )
        for invitation in meeting.invitations.select_related("agency").order_by("agency__name")
    ]
