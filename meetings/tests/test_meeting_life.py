"""The co-ordinator's story: book the cases that are due, invite the panel, move or cancel the
meeting, hold it, minute every case, and approve and circulate the minutes."""

import datetime as dt

import pytest
from django.utils import timezone

from mappa_workflow.audit import audit_trail_for
from mappa_workflow.models import AgencyType
from meetings import selectors, services
from meetings.models import (
    AgendaItemKind,
    AttendanceStatus,
    CaseDecision,
    MeetingState,
    RiskActionState,
)
from need_to_know import selectors as need_to_know_selectors
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def _in_days(days, hour=10):
    return timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(hour)))


def test_cases_due_for_a_first_meeting_go_onto_a_panel_in_one_step_and_the_core_panel_is_invited(
    django_capture_on_commit_callbacks, received
):
    registration = factories.registration_at_level(2, decided_on=timezone.localdate() - dt.timedelta(days=2))
    due = selectors.cases_due(area=registration.area)
    assert [(c.registration, c.timescale.what, c.booked_on) for c in due] == [(registration, "first meeting", None)]

    meeting = factories.scheduled_meeting("level_2", starts_at=_in_days(5))
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_add_cases(
            actor=meeting.created_by, meeting=meeting, registrations=[c.registration for c in due]
        )

    meeting.refresh_from_db()
    assert meeting.ics_sequence == 1
    item = meeting.agenda_items.get()
    assert item.kind == AgendaItemKind.FIRST_MEETING
    assert selectors.cases_due(area=registration.area)[0].booked_on == meeting
    invited = sorted(str(i.agency) for i in meeting.invitations.all())
    assert invited == ["Adult social care", "NHFT", "NNC housing", "Police", "Probation", "WNC housing"]
    assert received == [("meeting_updated", {"meeting_id": meeting.pk, "actor_id": meeting.created_by.pk})]


def test_case_specific_agencies_are_invited_for_a_child_in_custody_with_children_linked():
    young = factories.IndividualFactory(
        date_of_birth=timezone.localdate() - dt.timedelta(days=16 * 365 + 100), children_linked=True
    )
    registration = factories.registration_at_level(
        2, individual=young, current_location="custody", proposed_release_address="Not yet known"
    )
    meeting = factories.scheduled_meeting("level_2", registrations=[registration])
    reasons = {
        str(i.agency): i.reason for i in need_to_know_selectors.invitations_as_seen_by(meeting, meeting.created_by)
    }
    assert reasons["NYJS"] == f"Under 18: {young}"
    assert reasons["Prison"] == f"In custody: {young}"
    assert reasons["Children's Trust"] == f"Children linked: {young}"
    assert reasons["Police"] == "Core panel"


def test_level_3_panels_always_invite_youth_justice_prison_and_the_childrens_trust():
    meeting = factories.scheduled_meeting("level_3", registrations=[factories.registration_at_level(3)])
    invited = {str(i.agency) for i in meeting.invitations.all()}
    assert {"NYJS", "Prison", "Children's Trust", "Police", "Probation"} <= invited


def test_rescheduling_moves_the_meeting_records_why_and_tells_invitees(django_capture_on_commit_callbacks, received):
    meeting = factories.scheduled_meeting("level_2", starts_at=_in_days(5))
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.meeting_reschedule(
            actor=meeting.created_by, meeting=meeting, starts_at=_in_days(6, 14), reason="Chair on a training course"
        )
    assert moved.state == MeetingState.SCHEDULED
    assert moved.starts_at == _in_days(6, 14)
    assert moved.ics_sequence == 1
    change = moved.reschedules.get()
    assert (change.previous_starts_at, change.reason) == (_in_days(5), "Chair on a training course")
    assert audit_trail_for(moved)[-1].transition == "reschedule"
    assert received == [("meeting_updated", {"meeting_id": meeting.pk, "actor_id": meeting.created_by.pk})]


def test_cancelling_frees_the_cases_to_be_booked_again_at_the_same_time(django_capture_on_commit_callbacks, received):
    registration = factories.registration_at_level(2)
    meeting = factories.scheduled_meeting("level_2", starts_at=_in_days(5), registrations=[registration])
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.meeting_cancel(actor=meeting.created_by, meeting=meeting, reason="Venue flooded")
    assert (cancelled.state, cancelled.cancellation_reason) == (MeetingState.CANCELLED, "Venue flooded")
    assert received == [("meeting_cancelled", {"meeting_id": meeting.pk, "actor_id": meeting.created_by.pk})]
    assert selectors.cases_due(area=registration.area)[0].booked_on is None
    again = factories.scheduled_meeting("level_2", starts_at=_in_days(5), registrations=[registration])
    assert again.agenda_items.get().registration == registration


def test_the_whole_life_of_a_level_3_panel(django_capture_on_commit_callbacks, received):
    registration = factories.registration_at_level(3)
    meeting = factories.held_meeting("level_3", registrations=[registration])
    assert meeting.state == MeetingState.HELD

    # Attendance: police present but below the seniority a Level 3 panel needs.
    factories.full_attendance(meeting, senior=False)
    assert meeting.attendance.filter(status=AttendanceStatus.OBSERVER).get().name == "Pat Lay"

    item = meeting.agenda_items.get()
    minutes = services.case_minutes_record(
        actor=meeting.created_by, item=item, minutes=factories.minutes_input(differing_views="Housing disagreed.")
    )
    services.disclosure_decision_record(
        actor=meeting.created_by,
        case_minutes=minutes,
        recipient="New partner",
        what_is_disclosed="Index offence and licence conditions",
        why="Her children are at risk; disclosure is necessary and proportionate to protect them.",
        recipient_undertaking="Will not share beyond her social worker.",
        individual_told=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        action = services.risk_action_create(
            actor=meeting.created_by,
            case_minutes=minutes,
            heading="monitoring_and_control",
            description="Apply for an exclusion zone around the victim's address",
            owning_agency=factories.agency(meeting.area, AgencyType.PROBATION),
            officer_name="Alex Example",
            due_date=timezone.localdate() + dt.timedelta(days=14),
        )
    assert received == [("action_assigned", {"action_id": action.pk})]
    assert action.state == RiskActionState.OPEN

    meeting = services.meeting_draft_minutes(actor=meeting.created_by, meeting=meeting)
    assert meeting.state == MeetingState.MINUTES_DRAFTED

    gaps = services.attendance_gaps(meeting)
    assert gaps == [
        "No police representative at senior manager (chief inspector equivalent) or above",
        "No probation representative at senior manager (chief inspector equivalent) or above",
    ]
    approver = factories.chair()
    meeting = services.meeting_approve_minutes(actor=approver, meeting=meeting, confirm_attendance_gaps=True)
    assert meeting.state == MeetingState.MINUTES_APPROVED
    assert meeting.attendance_gaps.splitlines() == gaps
    assert meeting.attendance_gaps_confirmed_by == approver

    registration.refresh_from_db()
    assert registration.next_review_due == meeting.meeting_date + dt.timedelta(weeks=8)
    assert minutes.decision == CaseDecision.SAME_LEVEL
    trail = [e.transition or e.action for e in audit_trail_for(meeting)]
    assert trail == ["create", "hold", "change", "draft_minutes", "approve_minutes"]


def test_minutes_are_approved_without_confirmation_when_the_required_agencies_were_there():
    meeting = factories.held_meeting("level_2", registrations=[factories.registration_at_level(2)])
    factories.full_attendance(meeting)
    services.case_minutes_record(
        actor=meeting.created_by, item=meeting.agenda_items.get(), minutes=factories.minutes_input()
    )
    meeting = services.meeting_draft_minutes(actor=meeting.created_by, meeting=meeting)
    meeting = services.meeting_approve_minutes(actor=meeting.created_by, meeting=meeting)
    assert (meeting.state, meeting.attendance_gaps, meeting.attendance_gaps_confirmed_by) == (
        MeetingState.MINUTES_APPROVED,
        "",
        None,
    )


def test_changing_the_venue_or_chair_updates_the_invitation(django_capture_on_commit_callbacks, received):
    meeting = factories.scheduled_meeting("level_2")
    new_chair = factories.chair()
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.meeting_update_arrangements(
            actor=meeting.created_by, meeting=meeting, venue="Wootton Hall", chair=new_chair
        )
    assert (changed.venue, changed.chair, changed.ics_sequence) == ("Wootton Hall", new_chair, 1)
    assert [name for name, _ in received] == ["meeting_updated"]
