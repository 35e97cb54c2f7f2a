"""Small histories for the indicator tests, built through the services with the clock set to each step's day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from mappa_workflow.models import AgencyType, Area
from meetings import services as meeting_services
from meetings.models import Meeting, PlanHeading, RiskAction
from oversight.governance.models import BoardMeeting, BoardRole
from oversight.services import board_meeting_record, board_member_appoint
from referrals import services as referral_services
from referrals.models import Referral, Registration
from tests import factories

LONDON = ZoneInfo("Europe/London")
YEAR = 2025  # 1 April 2025 to 31 March 2026: wholly in the past, with the August and Christmas bank holidays
AUGUST_BANK_HOLIDAY = dt.date(2025, 8, 25)  # a Monday


@contextmanager
def on(day: dt.date, hour: int = 15) -> Iterator[None]:
    """Everything inside happens on ``day`` (London time), as a co-ordinator recording it that day would."""
    with time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON), tick=False):
        yield


def referral_received(day: dt.date, *, area: Area | None = None, individual=None) -> Referral:
    area = area or factories.northamptonshire()
    with on(day, hour=9):
        referrer = factories.practitioner(AgencyType.PROBATION, area=area)
        return factories.submitted_referral(referrer=referrer, individual=individual)


def referral_decided(referral: Referral, day: dt.date, *, level: int = 2) -> Referral:
    with on(day):
        return referral_services.referral_decide(
            actor=factories.coordinator(referral.area),
            referral=referral,
            decision=f"level_{level}",
            rationale="Meets the threshold: high risk of serious harm needing active multi-agency management.",
            why_level_2_cannot_manage="Needs senior resources at short notice." if level == 3 else None,
        )


def accepted(day: dt.date, *, level: int = 2, area: Area | None = None, individual=None) -> Referral:
    return referral_decided(referral_received(day, area=area, individual=individual), day, level=level)


def panel_held(
    day: dt.date,
    *,
    level: int = 2,
    registrations: Sequence[Registration] = (),
    area: Area | None = None,
    at: dt.time = dt.time(10),
) -> Meeting:
    area = area or factories.northamptonshire()
    with on(day):
        coordinator = factories.coordinator(area)
        meeting = meeting_services.meeting_schedule(
            actor=coordinator,
            area=area,
            meeting_type=f"level_{level}",
            starts_at=timezone.make_aware(dt.datetime.combine(day, at), LONDON),
            chair=factories.chair(area),
            video_link="https://video.example.invalid/mappa-panel",
            registrations=list(registrations),
            allow_past=True,
        )
        return meeting_services.meeting_record_held(actor=coordinator, meeting=meeting)


def minutes_recorded(meeting: Meeting, *, next_review: dt.date | None = None) -> Meeting:
    """The attendance (:func:`tests.factories.full_attendance`) and case minutes for every case on the agenda,
    recorded on the meeting's day, and the minutes drafted."""
    with on(timezone.localtime(meeting.starts_at).date(), hour=16):
        if not meeting.attendance.exists():
            factories.full_attendance(meeting)
        for item in meeting.agenda_items.all():
            minutes = factories.minutes_input(next_review_date=next_review)
            meeting_services.case_minutes_record(actor=meeting.created_by, item=item, minutes=minutes)
        return meeting_services.meeting_draft_minutes(actor=meeting.created_by, meeting=meeting)


def minutes_approved(meeting: Meeting, day: dt.date) -> Meeting:
    with on(day):
        return meeting_services.meeting_approve_minutes(
            actor=meeting.created_by, meeting=meeting, confirm_attendance_gaps=True
        )


def action_set(meeting: Meeting, *, due: dt.date, agency_type: str = AgencyType.POLICE) -> RiskAction:
    item = meeting.agenda_items.select_related("minutes").get()
    with on(timezone.localtime(meeting.starts_at).date(), hour=17):
        return meeting_services.risk_action_create(
            actor=meeting.created_by,
            case_minutes=item.minutes,
            heading=PlanHeading.MONITORING_AND_CONTROL,
            description="Home visit to check the curfew address.",
            owning_agency=factories.agency(meeting.area, agency_type),
            officer_name="PC Jo Synthetic",
            due_date=due,
        )


def action_completed(action: RiskAction, day: dt.date) -> RiskAction:
    with on(day):
        return meeting_services.risk_action_complete(
            actor=factories.coordinator(action.area), action=action, note="Done.", completed_on=day
        )


def action_closed(action: RiskAction, day: dt.date, outcome: str) -> RiskAction:
    with on(day):
        return meeting_services.risk_action_close(
            actor=factories.coordinator(action.area), action=action, outcome=outcome, reason="Recorded at review."
        )


def board_meeting_held(day: dt.date, *, present: int = 9, actor=None) -> BoardMeeting:
    """An SMB meeting of Northamptonshire, recorded as held by a co-ordinator on its day."""
    with on(day):
        return board_meeting_record(
            actor=actor or factories.coordinator(),
            area=factories.northamptonshire(),
            meeting_date=day,
            status="held",
            members_present=present,
        )


def board_appointed(name: str, role: str, starts_on: dt.date, ends_on: dt.date | None = None, *, actor=None, user=None):
    """Someone appointed to Northamptonshire's SMB (a chair or member for the police; a lay adviser for no agency),
    with the account they sign in with if given, recorded today (wrap in ``on`` to choose the day)."""
    area = factories.northamptonshire()
    return board_member_appoint(
        actor=actor or factories.coordinator(),
        area=area,
        name=name,
        role=role,
        agency=None if role == BoardRole.LAY_ADVISER else factories.agency(area, AgencyType.POLICE),
        starts_on=starts_on,
        ends_on=ends_on,
        user=user,
    )
