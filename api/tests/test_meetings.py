"""Meetings through the API: list, read, schedule, reschedule, cancel, and record attendance."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from mappa_workflow.audit import audit_trail_for
from mappa_workflow.models import AgencyType, Area, Seniority
from meetings import services as meeting_services
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingState
from tests import factories

from .helpers import assert_problem

pytestmark = pytest.mark.django_db


def url(meeting: Meeting | None = None, verb: str = "") -> str:
    if meeting is None:
        return "/api/v1/meetings/"
    return f"/api/v1/meetings/{meeting.pk}/" + (f"{verb}/" if verb else "")


def in_days_at(days: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(hour)))


def next_week_at_ten() -> str:
    return in_days_at(7).isoformat()


def other_area() -> Area:
    return Area.objects.exclude(slug="northamptonshire").order_by("slug").first()


def police_agency_id() -> int:
    return factories.agency(factories.northamptonshire(), AgencyType.POLICE).pk


# ---------------------------------------------------------------------------------------------
# List and read
# ---------------------------------------------------------------------------------------------


def test_list_needs_credentials(api):
    assert_problem(api().get(url()), 401)


@pytest.mark.parametrize("role", ["smb_member", "lay_adviser"])
def test_statistics_only_roles_may_not_list_meetings(api, role):
    assert_problem(api(getattr(factories, role)()).get(url()), 403)


def test_a_coordinator_lists_the_area_meetings_and_filters_them(api):
    panel = factories.scheduled_meeting("level_2", registrations=[factories.registration_at_level(2)])
    held = factories.held_meeting("level_2", days_ago=3)
    client = api(factories.coordinator())
    body = client.get(url()).json()
    assert {m["id"] for m in body["results"]} == {str(panel.pk), str(held.pk)}
    assert {m["id"]: m["case_count"] for m in body["results"]}[str(panel.pk)] == 1
    scheduled = client.get(url(), {"state": "scheduled"}).json()
    assert [m["id"] for m in scheduled["results"]] == [str(panel.pk)]
    assert api(factories.coordinator(area=other_area())).get(url()).json()["count"] == 0


def test_a_practitioner_lists_the_meetings_their_agency_is_invited_to(api):
    meeting = factories.scheduled_meeting("level_2", registrations=[factories.registration_at_level(2)])
    invited = set(meeting.invitations.values_list("agency__agency_type", flat=True))
    assert AgencyType.POLICE in invited
    assert [m["id"] for m in api(factories.practitioner(AgencyType.POLICE)).get(url()).json()["results"]] == [
        str(meeting.pk)
    ]
    not_invited = next(t for t in AgencyType.values if t not in invited and factories.agency(meeting.area, t))
    assert api(factories.practitioner(not_invited)).get(url()).json()["count"] == 0


def test_a_bad_filter_value_is_a_400(api):
    assert_problem(api(factories.coordinator()).get(url(), {"starts_after": "tomorrow"}), 400, "starts_after")


def test_meeting_list_costs_the_same_queries_for_one_or_many(api, django_assert_num_queries):
    client = api(factories.coordinator())
    factories.scheduled_meeting("level_2")
    client.get(url())
    # token + user, roles, area, count, page (chair joined, cases counted)
    with django_assert_num_queries(5):
        assert client.get(url()).json()["count"] == 1
    for days in (2, 3, 4):
        factories.held_meeting("level_2", days_ago=days)
    with django_assert_num_queries(5):
        assert client.get(url()).json()["count"] == 4


def test_read_needs_credentials(api):
    assert_problem(api().get(url(factories.scheduled_meeting())), 401)


def test_read_is_refused_to_statistics_roles_and_hidden_from_other_areas(api):
    meeting = factories.scheduled_meeting()
    assert_problem(api(factories.lay_adviser()).get(url(meeting)), 403)
    assert_problem(api(factories.coordinator(area=other_area())).get(url(meeting)), 404)
    assert_problem(api(factories.coordinator()).get(f"/api/v1/meetings/{uuid.uuid4()}/"), 404)


def test_a_meeting_shows_its_agenda_invitations_and_attendance(api):
    registration = factories.registration_at_level(2)
    meeting = factories.held_meeting("level_2", registrations=[registration])
    factories.full_attendance(meeting)
    body = api(factories.coordinator()).get(url(meeting)).json()
    assert [item["individual"]["id"] for item in body["agenda"]] == [str(registration.individual_id)]
    assert body["agenda"][0]["registration"] == str(registration.pk)
    assert body["invitations"]
    assert {a["status"] for a in body["attendance"]} == {"present", "apologies_with_report", "observer"}


# ---------------------------------------------------------------------------------------------
# Schedule
# ---------------------------------------------------------------------------------------------


def schedule_payload(**overrides):
    return {
        "meeting_type": "level_2",
        "starts_at": next_week_at_ten(),
        "chair": str(factories.chair().uuid),
        "video_link": "https://video.example.invalid/panel",
        **overrides,
    }


def test_schedule_needs_credentials(api):
    assert_problem(api().post(url(), {}, format="json"), 401)


@pytest.mark.parametrize("role", ["smb_member", "lay_adviser", "practitioner"])
def test_only_coordinators_and_chairs_schedule(api, role):
    response = api(getattr(factories, role)()).post(url(), schedule_payload(), format="json")
    assert_problem(response, 403)
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"meeting_type": "picnic"}, "meeting_type"),
        ({"starts_at": "next tuesday"}, "starts_at"),
        ({"starts_at": "2020-01-06T10:00:00Z"}, "starts_at"),
        ({"starts_at": "2150-01-06T10:00:00Z"}, "starts_at"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"video_link": "", "venue": ""}, "venue"),
        ({"chair": "00000000-0000-0000-0000-000000000000"}, "chair"),
        ({"registrations": ["00000000-0000-0000-0000-000000000000"]}, "registrations-1"),
    ],
)
def test_schedule_with_bad_input_is_a_400_naming_the_field(api, overrides, field):
    response = api(factories.coordinator()).post(url(), schedule_payload(**overrides), format="json")
    assert_problem(response, 400, field)
    assert not Meeting.objects.exists()


def test_a_level_3_panel_needs_a_senior_chair(api):
    junior = factories.chair(seniority=Seniority.SENIOR_MANAGER)
    payload = schedule_payload(meeting_type="level_3", chair=str(junior.uuid))
    assert_problem(api(factories.coordinator()).post(url(), payload, format="json"), 400, "chair")


def test_a_case_of_another_area_cannot_be_put_on_the_agenda(api):
    outsider = factories.coordinator(area=other_area())
    theirs = factories.registration_at_level(
        2, referrer=outsider, individual=factories.IndividualFactory(area=outsider.area)
    )
    payload = schedule_payload(registrations=[str(theirs.pk)])
    assert_problem(api(factories.coordinator()).post(url(), payload, format="json"), 400, "registrations-1")


def test_the_coordinator_schedules_a_level_2_panel(api):
    registration = factories.registration_at_level(2)
    response = api(factories.coordinator()).post(
        url(), schedule_payload(registrations=[str(registration.pk)]), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "scheduled"
    assert [item["registration"] for item in body["agenda"]] == [str(registration.pk)]
    assert body["invitations"]
    assert Meeting.objects.get(pk=body["id"]).state == MeetingState.SCHEDULED


# ---------------------------------------------------------------------------------------------
# Reschedule and cancel
# ---------------------------------------------------------------------------------------------

CHANGES = ["reschedule", "cancel"]


def change_payload(**overrides):
    """A body both changes accept: a new time for a reschedule, and a reason for either."""
    return {"starts_at": in_days_at(8, 14).isoformat(), "reason": "The chair is on a training course", **overrides}


@pytest.mark.parametrize("verb", CHANGES)
def test_changes_need_credentials(api, verb):
    meeting = factories.scheduled_meeting()
    assert_problem(api().post(url(meeting, verb), change_payload(), format="json"), 401)


@pytest.mark.parametrize("verb", CHANGES)
def test_changes_are_refused_to_statistics_roles_and_to_practitioners(api, verb):
    meeting = factories.scheduled_meeting(registrations=[factories.registration_at_level(2)])
    for user in (factories.smb_member(), factories.lay_adviser()):
        assert_problem(api(user).post(url(meeting, verb), change_payload(), format="json"), 403)
    # The police are invited, so a police practitioner sees the meeting but may not move or cancel it.
    police = factories.practitioner(AgencyType.POLICE)
    assert api(police).get(url(meeting)).status_code == 200
    assert_problem(api(police).post(url(meeting, verb), change_payload(), format="json"), 403)
    unchanged = Meeting.objects.get(pk=meeting.pk)
    assert (unchanged.state, unchanged.starts_at) == (MeetingState.SCHEDULED, meeting.starts_at)


@pytest.mark.parametrize("verb", CHANGES)
def test_changes_to_an_unknown_or_hidden_meeting_are_not_found(api, verb):
    missing = f"/api/v1/meetings/{uuid.uuid4()}/{verb}/"
    assert_problem(api(factories.coordinator()).post(missing, change_payload(), format="json"), 404)
    meeting = factories.scheduled_meeting()
    outsider = api(factories.coordinator(area=other_area()))
    assert_problem(outsider.post(url(meeting, verb), change_payload(), format="json"), 404)
    assert Meeting.objects.get(pk=meeting.pk).state == MeetingState.SCHEDULED


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"starts_at": None}, "starts_at"),
        ({"starts_at": "next tuesday"}, "starts_at"),
        ({"starts_at": "2020-01-06T10:00:00Z"}, "starts_at"),
        ({"starts_at": "2150-01-06T10:00:00Z"}, "starts_at"),
        ({"starts_at": next_week_at_ten()}, "starts_at"),  # the time it already has
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes"),
    ],
)
def test_reschedule_with_bad_input_is_a_400_naming_the_field(api, payload, field):
    meeting = factories.scheduled_meeting()
    body = {key: value for key, value in change_payload(**payload).items() if value is not None}
    assert_problem(api(factories.coordinator()).post(url(meeting, "reschedule"), body, format="json"), 400, field)
    unchanged = Meeting.objects.get(pk=meeting.pk)
    assert (unchanged.starts_at, unchanged.duration_minutes, unchanged.ics_sequence) == (
        meeting.starts_at,
        meeting.duration_minutes,
        meeting.ics_sequence,
    )
    assert not unchanged.reschedules.exists()


def test_a_meeting_cannot_be_moved_onto_the_chair_s_other_panel(api):
    chair = factories.chair()
    factories.scheduled_meeting(starts_at=in_days_at(8, 14), chair_user=chair)
    meeting = factories.scheduled_meeting(chair_user=chair)
    response = api(factories.coordinator()).post(url(meeting, "reschedule"), change_payload(), format="json")
    assert_problem(response, 400, "chair")
    assert Meeting.objects.get(pk=meeting.pk).starts_at == meeting.starts_at


@pytest.mark.parametrize("verb", CHANGES)
def test_a_cancelled_or_held_meeting_cannot_be_changed(api, verb):
    cancelled = factories.scheduled_meeting()
    meeting_services.meeting_cancel(actor=cancelled.created_by, meeting=cancelled, reason="Chair unwell")
    held = factories.held_meeting()
    client = api(factories.coordinator())
    for meeting in (cancelled, held):
        before = Meeting.objects.get(pk=meeting.pk)
        assert_problem(client.post(url(meeting, verb), change_payload(), format="json"), 400, "state")
        after = Meeting.objects.get(pk=meeting.pk)
        assert (after.state, after.starts_at, after.cancellation_reason) == (
            before.state,
            before.starts_at,
            before.cancellation_reason,
        )


def test_cancel_needs_a_reason(api):
    meeting = factories.scheduled_meeting()
    client = api(factories.coordinator())
    assert_problem(client.post(url(meeting, "cancel"), {}, format="json"), 400, "reason")
    assert_problem(client.post(url(meeting, "cancel"), {"reason": "  "}, format="json"), 400, "reason")
    assert Meeting.objects.get(pk=meeting.pk).state == MeetingState.SCHEDULED


def test_the_coordinator_reschedules_a_meeting(api):
    meeting = factories.scheduled_meeting(registrations=[factories.registration_at_level(2)])
    coordinator = factories.coordinator()
    response = api(coordinator).post(url(meeting, "reschedule"), change_payload(duration_minutes=90), format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "scheduled"
    assert dt.datetime.fromisoformat(body["starts_at"]) == in_days_at(8, 14)
    assert body["duration_minutes"] == 90
    moved = Meeting.objects.get(pk=meeting.pk)
    assert (moved.starts_at, moved.ends_at, moved.ics_sequence) == (
        in_days_at(8, 14),
        in_days_at(8, 14) + dt.timedelta(minutes=90),
        meeting.ics_sequence + 1,
    )
    change = moved.reschedules.get()
    assert (change.previous_starts_at, change.reason) == (meeting.starts_at, "The chair is on a training course")
    event = audit_trail_for(moved)[-1]
    assert (event.actor, event.transition, event.reason) == (
        coordinator,
        "reschedule",
        "The chair is on a training course",
    )


def test_rescheduling_keeps_the_length_when_none_is_given(api):
    meeting = factories.scheduled_meeting(duration_minutes=60)
    payload = {"starts_at": in_days_at(9).isoformat(), "reason": "Venue unavailable"}
    response = api(factories.chair()).post(url(meeting, "reschedule"), payload, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["duration_minutes"] == 60


def test_the_coordinator_cancels_a_meeting(api):
    meeting = factories.scheduled_meeting()
    coordinator = factories.coordinator()
    response = api(coordinator).post(url(meeting, "cancel"), {"reason": "Both cases transferred"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["state"], body["cancellation_reason"]) == ("cancelled", "Both cases transferred")
    cancelled = Meeting.objects.get(pk=meeting.pk)
    assert cancelled.state == MeetingState.CANCELLED
    event = audit_trail_for(cancelled)[-1]
    assert (event.actor, event.transition, event.from_state, event.to_state, event.reason) == (
        coordinator,
        "cancel",
        "scheduled",
        "cancelled",
        "Both cases transferred",
    )


# ---------------------------------------------------------------------------------------------
# Attendance
# ---------------------------------------------------------------------------------------------


def present(**overrides):
    return {
        "status": "present",
        "agency": police_agency_id(),
        "name": "DS Sam Synthetic",
        "role": "MOSOVO detective sergeant",
        "seniority": Seniority.MANAGER,
        "confidentiality_acknowledged": True,
        **overrides,
    }


def test_attendance_needs_credentials(api):
    meeting = factories.held_meeting()
    assert_problem(api().put(url(meeting, "attendance"), {"attendance": [present()]}, format="json"), 401)


def test_attendance_is_refused_to_statistics_roles_and_to_practitioners(api):
    meeting = factories.held_meeting()
    for user in (factories.smb_member(), factories.lay_adviser()):
        assert_problem(api(user).put(url(meeting, "attendance"), {"attendance": [present()]}, format="json"), 403)
    # The police are invited, so a police practitioner sees the meeting but may not keep its record.
    police = factories.practitioner(AgencyType.POLICE)
    assert api(police).get(url(meeting)).status_code == 200
    assert_problem(api(police).put(url(meeting, "attendance"), {"attendance": [present()]}, format="json"), 403)
    assert not Attendance.objects.exists()


def test_attendance_of_an_unknown_or_hidden_meeting_is_not_found(api):
    payload = {"attendance": [present()]}
    missing = f"/api/v1/meetings/{uuid.uuid4()}/attendance/"
    assert_problem(api(factories.coordinator()).put(missing, payload, format="json"), 404)
    meeting = factories.held_meeting()
    assert_problem(
        api(factories.coordinator(area=other_area())).put(url(meeting, "attendance"), payload, format="json"), 404
    )


def test_attendance_cannot_be_recorded_before_the_meeting_is_held(api):
    meeting = factories.scheduled_meeting()
    response = api(factories.coordinator()).put(url(meeting, "attendance"), {"attendance": [present()]}, format="json")
    assert_problem(response, 400, "state")


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        (lambda: [], "attendance"),
        (lambda: [{"status": "late"}], "attendance-1-status"),
        (lambda: [present(), present(name="")], "attendance-2-name"),
        (lambda: [present(confidentiality_acknowledged=False)], "attendance-1-confidentiality_acknowledged"),
        (lambda: [present(agency=999999)], "attendance-1-agency"),
        (lambda: [present(role="")], "attendance-1-role"),
    ],
)
def test_attendance_with_bad_lines_is_a_400_naming_the_line(api, lines, field):
    meeting = factories.held_meeting()
    response = api(factories.coordinator()).put(url(meeting, "attendance"), {"attendance": lines()}, format="json")
    assert_problem(response, 400, field)
    assert not Attendance.objects.exists()


def test_the_coordinator_records_attendance(api):
    meeting = factories.held_meeting()
    lines = [
        present(),
        {"status": "apologies_with_report", "agency": factories.agency(meeting.area, AgencyType.HOUSING).pk},
    ]
    response = api(factories.coordinator()).put(url(meeting, "attendance"), {"attendance": lines}, format="json")
    assert response.status_code == 200, response.json()
    assert [a["status"] for a in response.json()["attendance"]] == ["present", "apologies_with_report"]
    assert set(meeting.attendance.values_list("status", flat=True)) == {
        AttendanceStatus.PRESENT,
        AttendanceStatus.APOLOGIES_WITH_REPORT,
    }
