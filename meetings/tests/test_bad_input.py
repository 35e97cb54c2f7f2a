"""Every mistake the issue names gets a clear message on the field at fault, and nothing is saved."""

import datetime as dt

import pytest
from django.utils import timezone

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AgencyType, AuditEvent, Seniority
from meetings import services
from meetings.models import (
    AgendaItem,
    Attendance,
    CaseMinutes,
    DisclosureDecision,
    Meeting,
    MeetingReschedule,
    MeetingState,
    RiskAction,
)
from referrals.models import ReferralState, RegistrationPeriod
from tests import factories

pytestmark = pytest.mark.django_db

MODELS = [
    Meeting,
    AgendaItem,
    Attendance,
    CaseMinutes,
    DisclosureDecision,
    RiskAction,
    MeetingReschedule,
    AuditEvent,
    RegistrationPeriod,
]


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def _refused(call, field):
    before = _counts()
    with pytest.raises(WorkflowError) as error:
        call()
    assert field in error.value.errors, error.value.errors
    assert all(message.strip() for message in error.value.errors[field])
    assert _counts() == before
    return error.value


def _in_days(days, hour=10):
    return timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(hour)))


def test_a_meeting_cannot_be_scheduled_in_the_past():
    error = _refused(lambda: factories.scheduled_meeting(starts_at=timezone.now() - dt.timedelta(hours=1)), "starts_at")
    assert "future" in error.errors["starts_at"][0]


def test_a_meeting_needs_a_venue_or_a_video_link():
    _refused(lambda: factories.scheduled_meeting(video_link=""), "venue")


def test_a_level_3_panel_needs_a_chair_of_superintendent_equivalent_seniority():
    _refused(
        lambda: factories.scheduled_meeting("level_3", chair_user=factories.chair(seniority=Seniority.SENIOR_MANAGER)),
        "chair",
    )


def test_a_chair_cannot_be_booked_twice_at_the_same_time():
    chair = factories.chair()
    factories.scheduled_meeting(starts_at=_in_days(3), chair_user=chair)
    _refused(lambda: factories.scheduled_meeting("level_3", starts_at=_in_days(3, 11), chair_user=chair), "chair")


def test_a_case_cannot_be_booked_on_two_meetings_at_the_same_time():
    registration = factories.registration_at_level(2)
    factories.scheduled_meeting(starts_at=_in_days(3), registrations=[registration])
    _refused(
        lambda: factories.scheduled_meeting(starts_at=_in_days(3, 11), registrations=[registration]), "registrations"
    )


def test_a_case_cannot_be_put_on_an_agenda_twice():
    registration = factories.registration_at_level(2)
    meeting = factories.scheduled_meeting(registrations=[registration])
    _refused(
        lambda: services.meeting_add_cases(actor=meeting.created_by, meeting=meeting, registrations=[registration]),
        "registrations",
    )
    _refused(
        lambda: factories.scheduled_meeting(starts_at=_in_days(9), registrations=[registration, registration]),
        "registrations",
    )


def test_a_level_3_case_does_not_go_on_a_level_2_panel():
    registration = factories.registration_at_level(3)
    _refused(lambda: factories.scheduled_meeting("level_2", registrations=[registration]), "registrations")


def test_rescheduling_needs_a_reason_and_a_future_time():
    meeting = factories.scheduled_meeting()
    _refused(
        lambda: services.meeting_reschedule(
            actor=meeting.created_by, meeting=meeting, starts_at=_in_days(9), reason=" "
        ),
        "reason",
    )
    _refused(
        lambda: services.meeting_reschedule(
            actor=meeting.created_by, meeting=meeting, starts_at=timezone.now() - dt.timedelta(days=1), reason="Clash"
        ),
        "starts_at",
    )


def test_cancelling_needs_a_reason():
    meeting = factories.scheduled_meeting()
    _refused(lambda: services.meeting_cancel(actor=meeting.created_by, meeting=meeting, reason=""), "reason")
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED


def test_an_attendee_must_acknowledge_the_confidentiality_statement():
    meeting = factories.held_meeting()
    entry = services.AttendanceEntry(
        status="present", agency=factories.agency(meeting.area, AgencyType.POLICE), name="DC Synthetic", role="DC",
        seniority=Seniority.PRACTITIONER, confidentiality_acknowledged=False,
    )  # fmt: skip
    _refused(
        lambda: services.meeting_record_attendance(actor=meeting.created_by, meeting=meeting, entries=[entry]),
        "attendance-1-confidentiality_acknowledged",
    )


@pytest.fixture
def minuted():
    meeting = factories.held_meeting(registrations=[factories.registration_at_level(2)])
    factories.full_attendance(meeting)
    minutes = services.case_minutes_record(
        actor=meeting.created_by, item=meeting.agenda_items.get(), minutes=factories.minutes_input()
    )
    return meeting, minutes


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ({"owning_agency": None}, "owning_agency"),
        ({"due_date": None}, "due_date"),
        ({"officer_name": ""}, "officer_name"),
    ],
    ids=["without_owner", "without_due_date", "without_named_officer"],
)
def test_an_action_needs_an_owner_a_named_officer_and_a_due_date(minuted, missing, field):
    meeting, minutes = minuted
    answers = {
        "heading": "supervision",
        "description": "Weekly visits",
        "owning_agency": factories.agency(meeting.area, AgencyType.POLICE),
        "officer_name": "DC Synthetic",
        "due_date": timezone.localdate() + dt.timedelta(days=7),
        **missing,
    }
    _refused(lambda: services.risk_action_create(actor=meeting.created_by, case_minutes=minutes, **answers), field)


def test_approving_minutes_with_required_attendance_missing_needs_a_recorded_confirmation():
    meeting = factories.held_meeting("level_3", registrations=[factories.registration_at_level(3)])
    factories.full_attendance(meeting, senior=False)
    services.case_minutes_record(
        actor=meeting.created_by, item=meeting.agenda_items.get(), minutes=factories.minutes_input()
    )
    meeting = services.meeting_draft_minutes(actor=meeting.created_by, meeting=meeting)
    error = _refused(
        lambda: services.meeting_approve_minutes(actor=meeting.created_by, meeting=meeting), "confirm_attendance_gaps"
    )
    assert "No police representative at senior manager" in error.errors["confirm_attendance_gaps"][0]
    meeting.refresh_from_db()
    assert (meeting.state, meeting.attendance_gaps) == (MeetingState.MINUTES_DRAFTED, "")


def test_a_disclosure_the_individual_was_not_told_about_must_say_why(minuted):
    meeting, minutes = minuted
    _refused(
        lambda: services.disclosure_decision_record(
            actor=meeting.created_by, case_minutes=minutes, recipient="Employer", what_is_disclosed="Conviction",
            why="Safeguarding", recipient_undertaking="Confidential", individual_told=False,
        ),
        "why_individual_not_told",
    )  # fmt: skip


def test_minutes_need_a_rationale_and_a_review_within_the_cadence():
    registration = factories.registration_at_level(2)
    meeting = factories.held_meeting(registrations=[registration])
    item = meeting.agenda_items.get()
    _refused(
        lambda: services.case_minutes_record(
            actor=meeting.created_by, item=item, minutes=factories.minutes_input(rationale="")
        ),
        "rationale",
    )
    too_late = meeting.meeting_date + dt.timedelta(weeks=20)
    _refused(
        lambda: services.case_minutes_record(
            actor=meeting.created_by, item=item, minutes=factories.minutes_input(next_review_date=too_late)
        ),
        "next_review_date",
    )


def test_a_refused_level_decision_saves_no_minutes_and_leaves_the_periods_alone():
    registration = factories.registration_at_level(2, category=3)
    meeting = factories.held_meeting(registrations=[registration])
    error = _refused(
        lambda: services.case_minutes_record(
            actor=meeting.created_by, item=meeting.agenda_items.get(), minutes=factories.minutes_input("down")
        ),
        "decision",
    )
    assert "Category 3" in error.errors["decision"][0]


def test_a_refused_screening_decision_leaves_the_referral_waiting():
    referral = factories.submitted_referral(submitted_on=timezone.localdate() - dt.timedelta(days=4))
    threshold = factories.held_meeting("threshold", referrals=[referral])
    _refused(
        lambda: services.case_minutes_record(
            actor=threshold.created_by,
            item=threshold.agenda_items.get(),
            minutes=factories.minutes_input("accept_level_3"),
        ),
        "why_level_2_cannot_manage",
    )
    referral.refresh_from_db()
    assert referral.state == ReferralState.SUBMITTED


def test_a_meeting_in_a_far_future_year_is_refused_on_its_date():
    from meetings.services._checks import _check_time

    with pytest.raises(WorkflowError) as refused:
        _check_time(timezone.make_aware(dt.datetime(9999, 12, 31, 10, 0)), 60, allow_past=False)
    assert "starts_at" in refused.value.errors
