"""Every state change of a meeting, asked of the service itself (as the API, the imports and a page that forgot
its own check would ask it): another area's co-ordinator, a practitioner and an SMB member are refused, and
nothing is written. Only the area's co-ordinators and chairs run the area's meetings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from mappa_workflow.exceptions import NotPermitted
from mappa_workflow.models import AgencyType, Area, AuditEvent
from meetings import services
from meetings.models import AttendanceStatus, Meeting, PlanHeading, RiskAction
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """A panel next week with a case on it, and yesterday's panel with minutes and an action."""
    area = factories.northamptonshire()
    upcoming = factories.scheduled_meeting("level_2", registrations=[factories.registration_at_level(2)])
    action = factories.risk_action(AgencyType.POLICE)
    minutes = action.case_minutes
    held = minutes.agenda_item.meeting
    police = factories.agency(area, AgencyType.POLICE)
    return {
        "area": area,
        "upcoming": upcoming,
        "held": held,
        "minutes": minutes,
        "item": upcoming.agenda_items.get(),
        "due": factories.registration_at_level(2),
        "police": police,
        "housing": factories.agency(area, AgencyType.HOUSING),
        "next_week": upcoming.starts_at + dt.timedelta(days=7),
        "attendee": services.AttendanceEntry(
            status=AttendanceStatus.PRESENT,
            agency=police,
            name="DS Sam Synthetic",
            role="Detective sergeant",
            seniority=3,
            confidentiality_acknowledged=True,
        ),
    }


CHANGES: dict[str, Callable] = {
    "schedule a panel": lambda actor, w: services.meeting_schedule(
        actor=actor,
        area=w["area"],
        meeting_type="level_2",
        starts_at=w["next_week"],
        chair=None,
        venue="Wootton Hall",
    ),
    "add cases": lambda actor, w: services.meeting_add_cases(
        actor=actor, meeting=w["upcoming"], registrations=[w["due"]]
    ),
    "invite an agency": lambda actor, w: services.meeting_invite_agency(
        actor=actor, meeting=w["upcoming"], agency=w["housing"], reason="Tenancy"
    ),
    "remove a case": lambda actor, w: services.meeting_remove_case(
        actor=actor, meeting=w["upcoming"], item=w["item"], reason="Booked in error"
    ),
    "change the venue": lambda actor, w: services.meeting_update_arrangements(
        actor=actor, meeting=w["upcoming"], venue="Somewhere else"
    ),
    "reschedule": lambda actor, w: services.meeting_reschedule(
        actor=actor, meeting=w["upcoming"], starts_at=w["next_week"], reason="Chair unavailable"
    ),
    "cancel": lambda actor, w: services.meeting_cancel(actor=actor, meeting=w["upcoming"], reason="No quorum"),
    "record it held": lambda actor, w: services.meeting_record_held(actor=actor, meeting=w["held"]),
    "record attendance": lambda actor, w: services.meeting_record_attendance(
        actor=actor, meeting=w["held"], entries=[w["attendee"]]
    ),
    "add an attendee": lambda actor, w: services.meeting_add_attendee(
        actor=actor, meeting=w["held"], entry=w["attendee"]
    ),
    "record minutes": lambda actor, w: services.case_minutes_record(
        actor=actor, item=w["held"].agenda_items.get(), minutes=factories.minutes_input()
    ),
    "amend minutes": lambda actor, w: services.case_minutes_amend(
        actor=actor, case_minutes=w["minutes"], minutes=factories.minutes_input()
    ),
    "draft the minutes": lambda actor, w: services.meeting_draft_minutes(actor=actor, meeting=w["held"]),
    "approve the minutes": lambda actor, w: services.meeting_approve_minutes(
        actor=actor, meeting=w["held"], confirm_attendance_gaps=True
    ),
    "record a disclosure": lambda actor, w: services.disclosure_decision_record(
        actor=actor,
        case_minutes=w["minutes"],
        recipient="A new partner",
        what_is_disclosed="Offending history",
        why="Risk to her children",
        recipient_undertaking="Will not pass it on",
        individual_told=True,
    ),
    "set an action": lambda actor, w: services.risk_action_create(
        actor=actor,
        case_minutes=w["minutes"],
        heading=PlanHeading.SUPERVISION,
        description="Weekly reporting",
        owning_agency=w["police"],
        officer_name="PC Jo Synthetic",
        due_date=timezone.localdate() + dt.timedelta(days=14),
    ),
}

OUTSIDERS: dict[str, Callable] = {
    "another area's co-ordinator": lambda: factories.coordinator(
        Area.objects.exclude(slug="northamptonshire").order_by("pk").first()
    ),
    "a police practitioner": lambda: factories.practitioner(AgencyType.POLICE),
    "an SMB member": lambda: factories.smb_member(),
}


def _written() -> tuple:
    return (
        AuditEvent.objects.count(),
        list(Meeting.objects.order_by("pk").values_list("pk", "state", "starts_at", "venue")),
        RiskAction.objects.count(),
    )


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("change", CHANGES)
def test_only_the_areas_coordinators_and_chairs_change_its_meetings(world, change, outsider):
    actor = OUTSIDERS[outsider]()
    before = _written()
    with pytest.raises(NotPermitted):
        CHANGES[change](actor, world)
    assert _written() == before
