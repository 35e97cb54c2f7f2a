"""A co-ordinator correcting who attended a held panel, one line at a time: each line added or removed is audited
as the co-ordinator's change to that meeting, and a correction that cannot be made is refused with the exact
message against the field the page shows it on, writing nothing. Only the area's co-ordinators and chairs may
make the correction."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, Area, AuditAction, AuditEvent, Seniority
from meetings import services
from meetings.models import Attendance, AttendanceRequirement, AttendanceStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def held():
    """Yesterday's panel (no cases), its attendance recorded."""
    meeting = factories.held_meeting("level_2")
    factories.full_attendance(meeting)
    return meeting


def _dwp_officer(meeting) -> services.AttendanceEntry:
    """Someone present from an agency that was not invited."""
    return services.AttendanceEntry(
        status=AttendanceStatus.PRESENT,
        agency=factories.agency(meeting.area, AgencyType.DWP),
        name=" Chris Example ",
        role="Fraud investigator",
        seniority=Seniority.PRACTITIONER,
        confidentiality_acknowledged=True,
    )


def _written(meeting) -> tuple:
    meeting.refresh_from_db()
    return (
        meeting.state,
        sorted(Attendance.objects.filter(meeting=meeting).values_list("pk", "agency_id", "status", "name")),
        AuditEvent.objects.count(),
    )


def _last_event(meeting) -> AuditEvent:
    return AuditEvent.objects.filter(object_id=str(meeting.pk)).latest("pk")


def _assert_audited(meeting, *, actor, reason: str, agency_id, status: str) -> None:
    """The audit row says who changed which meeting's attendance and which line (by agency and status)."""
    event = AuditEvent.objects.latest("pk")
    assert event == _last_event(meeting)
    assert (event.actor, event.action, event.object_type, event.reason) == (
        actor,
        AuditAction.CHANGE,
        "meetings.Meeting",
        reason,
    )
    assert list(event.details) == ["attendee"]
    assert event.details["attendee"][:2] == [agency_id, status]


def test_someone_from_an_agency_not_invited_is_added_and_the_addition_audited(held):
    coordinator = factories.coordinator()
    entry = _dwp_officer(held)
    row = services.meeting_add_attendee(actor=coordinator, meeting=held, entry=entry)
    assert Attendance.objects.filter(meeting=held, pk=row.pk, name="Chris Example").exists()
    assert entry.agency is not None
    _assert_audited(
        held, actor=coordinator, reason="Attendee added", agency_id=entry.agency.pk, status=AttendanceStatus.PRESENT
    )


def test_a_lay_adviser_observing_is_added_with_no_agency(held):
    coordinator = factories.coordinator()
    entry = services.AttendanceEntry(
        status=AttendanceStatus.OBSERVER, name="Robin Lay", role="Lay adviser", confidentiality_acknowledged=True
    )
    services.meeting_add_attendee(actor=coordinator, meeting=held, entry=entry)
    _assert_audited(held, actor=coordinator, reason="Attendee added", agency_id=None, status=AttendanceStatus.OBSERVER)


def test_an_attendee_cannot_be_added_before_the_meeting_is_held():
    coordinator = factories.coordinator()
    upcoming = factories.scheduled_meeting("level_2", actor=coordinator)
    before = _written(upcoming)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_add_attendee(actor=coordinator, meeting=upcoming, entry=_dwp_officer(upcoming))
    assert refused.value.errors == {"state": ["You cannot record attendance because the meeting is scheduled"]}
    assert _written(upcoming) == before


def test_a_line_recorded_by_mistake_is_removed_and_the_removal_audited(held):
    coordinator = factories.coordinator()
    line = held.attendance.get(agency__agency_type=AgencyType.HOUSING)
    services.meeting_remove_attendee(actor=coordinator, meeting=held, attendance=line)
    assert not Attendance.objects.filter(pk=line.pk).exists()
    assert held.attendance.count() == 3
    _assert_audited(held, actor=coordinator, reason="Attendee removed", agency_id=line.agency_id, status=line.status)


def test_a_coordinator_who_removes_a_line_twice_is_told_it_has_gone_and_nothing_changes(held):
    coordinator = factories.coordinator()
    line = held.attendance.get(agency__agency_type=AgencyType.HOUSING)
    services.meeting_remove_attendee(actor=coordinator, meeting=held, attendance=line)
    before = _written(held)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_remove_attendee(actor=coordinator, meeting=held, attendance=line)
    assert refused.value.errors == {"attendance": ["That attendee has already been removed"]}
    assert _written(held) == before


def test_the_attendance_of_approved_minutes_cannot_be_corrected(held):
    drafted = services.meeting_draft_minutes(actor=held.created_by, meeting=held)
    approved = services.meeting_approve_minutes(actor=held.created_by, meeting=drafted, confirm_attendance_gaps=True)
    line = held.attendance.get(agency__agency_type=AgencyType.HOUSING)
    before = _written(held)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_remove_attendee(actor=factories.coordinator(), meeting=approved, attendance=line)
    assert refused.value.errors == {
        "state": ["You cannot record attendance because the meeting is minutes approved and circulated"]
    }
    assert _written(held) == before


OUTSIDERS: dict[str, Callable] = {
    "another area's co-ordinator": lambda: factories.coordinator(
        Area.objects.exclude(slug="northamptonshire").order_by("pk").first()
    ),
    "a police practitioner": lambda: factories.practitioner(AgencyType.POLICE),
    "an SMB member": lambda: factories.smb_member(),
}


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_only_the_areas_coordinators_and_chairs_remove_an_attendee(held, outsider):
    line = held.attendance.get(agency__agency_type=AgencyType.HOUSING)
    before = _written(held)
    with pytest.raises(NotPermitted):
        services.meeting_remove_attendee(actor=OUTSIDERS[outsider](), meeting=held, attendance=line)
    assert _written(held) == before


# --- recording the whole attendance -----------------------------------------------------------------------------


def _present(agency, name: str = "DS Sam Synthetic", seniority: int = Seniority.PRACTITIONER):
    return services.AttendanceEntry(
        status=AttendanceStatus.PRESENT,
        agency=agency,
        name=name,
        role="Officer",
        seniority=seniority,
        confidentiality_acknowledged=True,
    )


def test_recording_attendance_with_no_one_on_it_is_refused(held):
    before = _written(held)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_record_attendance(actor=factories.coordinator(), meeting=held, entries=[])
    assert refused.value.errors == {"attendance": ["Record at least one attendee"]}
    assert _written(held) == before


def test_every_lines_problems_are_shown_at_once_against_that_line_and_nothing_is_saved(held):
    area = held.area
    police, housing = factories.agency(area, AgencyType.POLICE), factories.agency(area, AgencyType.HOUSING)
    elsewhere = factories.agency(Area.objects.exclude(pk=area.pk).order_by("pk").first(), AgencyType.POLICE)
    entries = [
        services.AttendanceEntry(status=AttendanceStatus.PRESENT, agency=police, name="  "),
        services.AttendanceEntry(status="late", name="Someone"),
        services.AttendanceEntry(status=AttendanceStatus.APOLOGIES),
        services.AttendanceEntry(status=AttendanceStatus.PRESENT, agency=elsewhere, name="Sam", seniority=9),
        services.AttendanceEntry(status=AttendanceStatus.OBSERVER, name="Pat Lay", confidentiality_acknowledged=True),
        services.AttendanceEntry(status=AttendanceStatus.ABSENT, agency=housing),
        services.AttendanceEntry(status=AttendanceStatus.OBSERVER, name="Robin"),
    ]
    before = _written(held)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_record_attendance(actor=factories.coordinator(), meeting=held, entries=entries)
    mappa_d = "must acknowledge the confidentiality statement (MAPPA D)"
    assert refused.value.errors == {
        "attendance-1-name": [f"{police.name}: enter the name of the person attending"],
        "attendance-1-confidentiality_acknowledged": [f"{police.name}: the person attending {mappa_d}"],
        "attendance-1-role": [f"{police.name}: enter the role of the person attending"],
        "attendance-1-seniority": [f"{police.name}: select the seniority of the person attending"],
        "attendance-2-status": ["Line 2: select present, apologies, absent or observer"],
        "attendance-3-agency": ["Line 3: select the agency"],
        "attendance-4-agency": [f"{elsewhere.name}: {elsewhere} is not an agency of {area}"],
        "attendance-4-confidentiality_acknowledged": [f"{elsewhere.name}: Sam {mappa_d}"],
        "attendance-4-role": [f"{elsewhere.name}: enter Sam's role"],
        "attendance-4-seniority": [f"{elsewhere.name}: select Sam's seniority"],
        "attendance-7-confidentiality_acknowledged": [f"Line 7: Robin {mappa_d}"],
    }
    assert _written(held) == before


def test_a_new_attendance_record_replaces_the_earlier_one_and_is_audited(held):
    coordinator = factories.coordinator()
    police, housing = factories.agency(held.area, AgencyType.POLICE), factories.agency(held.area, AgencyType.HOUSING)
    entries = [
        services.AttendanceEntry(
            status=AttendanceStatus.PRESENT,
            agency=police,
            name=" DS Sam Synthetic ",
            role=" Detective sergeant ",
            seniority=Seniority.MANAGER,
            confidentiality_acknowledged=True,
        ),
        services.AttendanceEntry(status=AttendanceStatus.APOLOGIES, agency=housing),
    ]
    services.meeting_record_attendance(actor=coordinator, meeting=held, entries=entries)
    rows = {a.agency_id: a for a in held.attendance.all()}
    assert set(rows) == {police.pk, housing.pk}
    present, apologies = rows[police.pk], rows[housing.pk]
    assert (present.status, present.name, present.role, present.seniority) == (
        AttendanceStatus.PRESENT,
        "DS Sam Synthetic",
        "Detective sergeant",
        Seniority.MANAGER,
    )
    assert present.confidentiality_acknowledged_at is not None
    assert (apologies.status, apologies.confidentiality_acknowledged_at) == (AttendanceStatus.APOLOGIES, None)
    event = _last_event(held)
    assert (event.actor, event.reason, list(event.details)) == (coordinator, "Attendance recorded", ["attendance"])
    assert [line[:2] for line in event.details["attendance"]] == [
        [police.pk, AttendanceStatus.PRESENT],
        [housing.pk, AttendanceStatus.APOLOGIES],
    ]


def test_attendance_cannot_be_recorded_before_the_meeting_is_held():
    coordinator = factories.coordinator()
    upcoming = factories.scheduled_meeting("level_2", actor=coordinator)
    before = _written(upcoming)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_record_attendance(
            actor=coordinator, meeting=upcoming, entries=[_present(factories.agency(upcoming.area, "police"))]
        )
    assert refused.value.errors == {"state": ["You cannot record attendance because the meeting is scheduled"]}
    assert _written(upcoming) == before


def test_one_attendee_added_with_problems_is_told_them_against_the_pages_own_fields(held):
    police = factories.agency(held.area, AgencyType.POLICE)
    before = _written(held)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_add_attendee(
            actor=factories.coordinator(),
            meeting=held,
            entry=services.AttendanceEntry(status=AttendanceStatus.PRESENT, agency=police),
        )
    assert refused.value.errors == {
        "name": ["Enter the name of the person attending"],
        "confidentiality_acknowledged": [
            "The person attending must acknowledge the confidentiality statement (MAPPA D)"
        ],
        "role": ["Enter the role of the person attending"],
        "seniority": ["Select the seniority of the person attending"],
    }
    assert _written(held) == before


# --- the required attendance a meeting lacked -------------------------------------------------------------------


def test_a_level_2_panel_without_probation_present_shows_the_gap():
    meeting = factories.held_meeting("level_2")
    area = meeting.area
    services.meeting_record_attendance(
        actor=meeting.created_by,
        meeting=meeting,
        entries=[
            _present(factories.agency(area, AgencyType.POLICE)),
            services.AttendanceEntry(status=AttendanceStatus.APOLOGIES, agency=factories.agency(area, "probation")),
        ],
    )
    assert services.attendance_gaps(meeting) == ["No probation representative present"]


def test_a_level_3_panel_needs_each_agency_at_senior_manager_or_above():
    meeting = factories.held_meeting("level_3")
    area = meeting.area
    services.meeting_record_attendance(
        actor=meeting.created_by,
        meeting=meeting,
        entries=[
            _present(factories.agency(area, AgencyType.POLICE), name="DI Junior", seniority=Seniority.MANAGER),
            _present(factories.agency(area, AgencyType.POLICE), name="PC Other", seniority=Seniority.PRACTITIONER),
            _present(factories.agency(area, AgencyType.PROBATION), name="SPO", seniority=Seniority.SENIOR_MANAGER),
        ],
    )
    assert services.attendance_gaps(meeting) == [
        "No police representative at senior manager (chief inspector equivalent) or above"
    ]


def test_an_areas_own_attendance_rules_replace_the_national_ones():
    meeting = factories.held_meeting("level_2")
    for agency_type in (AgencyType.HOUSING, AgencyType.CHILDRENS_SOCIAL_CARE):
        AttendanceRequirement.objects.create(
            area=meeting.area, meeting_type="level_2", agency_type=agency_type, minimum_seniority=1
        )
    other_area = Area.objects.exclude(pk=meeting.area.pk).order_by("pk").first()
    AttendanceRequirement.objects.create(
        area=other_area, meeting_type="level_2", agency_type=AgencyType.PRISON, minimum_seniority=1
    )
    services.meeting_record_attendance(
        actor=meeting.created_by, meeting=meeting, entries=[_present(factories.agency(meeting.area, "police"))]
    )
    assert sorted(services.attendance_gaps(meeting)) == [
        "No children's social care representative present",
        "No housing authority representative present",
    ]


def test_an_areas_own_rules_for_level_3_leave_its_level_2_panels_to_the_national_rules():
    meeting = factories.held_meeting("level_2")
    AttendanceRequirement.objects.create(
        area=meeting.area, meeting_type="level_3", agency_type=AgencyType.HOUSING, minimum_seniority=1
    )
    other_area = Area.objects.exclude(pk=meeting.area.pk).order_by("pk").first()
    AttendanceRequirement.objects.create(
        area=other_area, meeting_type="level_2", agency_type=AgencyType.PRISON, minimum_seniority=1
    )
    services.meeting_record_attendance(
        actor=meeting.created_by, meeting=meeting, entries=[_present(factories.agency(meeting.area, "police"))]
    )
    assert services.attendance_gaps(meeting) == ["No probation representative present"]
