"""What a co-ordinator changes around a meeting: who is invited and why (checked before it is
sent), a case taken off the agenda, observers and agencies nobody invited, and draft minutes
corrected without applying a level decision twice."""

import datetime as dt

import pytest
from django.utils import timezone

from mappa_workflow.audit import audit_trail_for
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AgencyType, Seniority
from meetings import selectors, services
from meetings.models import AttendanceStatus, CaseMinutes, MeetingState
from referrals.models import RegistrationPeriod
from tests import factories

pytestmark = pytest.mark.django_db


def _in_days(days, hour=10):
    return timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(hour)))


def _young_person_in_custody():
    young = factories.IndividualFactory(
        date_of_birth=timezone.localdate() - dt.timedelta(days=16 * 365 + 100), children_linked=True
    )
    return factories.registration_at_level(
        2, individual=young, current_location="custody", proposed_release_address="Not yet known"
    )


# ---------------------------------------------------------------------------------------------
# Invitations: the preview is what is sent
# ---------------------------------------------------------------------------------------------


def test_the_preview_names_each_agency_and_why_and_is_exactly_what_scheduling_invites():
    registration = _young_person_in_custody()
    person = str(registration.individual)
    preview = selectors.invitations_preview("level_2", registration.area, [registration], on=timezone.localdate())
    reasons = {str(p.agency): p.reason for p in preview}
    assert reasons["Police"] == "Core panel"
    assert reasons["NYJS"] == f"Under 18: {person}"
    assert reasons["Prison"] == f"In custody: {person}"
    assert reasons["Children's Trust"] == f"Children linked: {person}"

    meeting = factories.scheduled_meeting("level_2", registrations=[registration])
    sent = {(i.agency_id, i.reason, i.need) for i in meeting.invitations.all()}
    assert sent == {(p.agency.pk, p.stored_reason, p.need) for p in preview}
    assert not any(person in reason for _, reason, _ in sent)  # names are composed when read, never stored


def test_an_adult_in_the_community_gets_the_core_panel_only():
    registration = factories.registration_at_level(2)
    preview = selectors.invitations_preview("level_2", registration.area, [registration])
    assert {p.reason for p in preview} == {"Core panel"}


def test_the_coordinator_adds_a_case_specific_agency_when_scheduling(django_capture_on_commit_callbacks):
    registration = factories.registration_at_level(2)
    dwp = factories.agency(registration.area, AgencyType.DWP)
    police = factories.agency(registration.area, AgencyType.POLICE)
    meeting = factories.scheduled_meeting(
        "level_2",
        registrations=[registration],
        extra_invitations=[(dwp, "Benefit sanctions affect the tenancy"), (police, "Already core")],
    )
    reasons = {i.agency_id: i.reason for i in meeting.invitations.all()}
    assert reasons[dwp.pk] == "Added by the co-ordinator: Benefit sanctions affect the tenancy"
    assert reasons[police.pk] == "Core panel"  # an agency the panel invites keeps its reason


def test_an_extra_invitation_needs_a_reason_and_an_agency_of_the_area():
    registration = factories.registration_at_level(2)
    dwp = factories.agency(registration.area, AgencyType.DWP)
    with pytest.raises(WorkflowError) as error:
        factories.scheduled_meeting("level_2", registrations=[registration], extra_invitations=[(dwp, " ")])
    assert "reason" in error.value.errors
    from meetings.models import Meeting

    assert not Meeting.objects.exists()


def test_inviting_another_agency_to_a_scheduled_meeting_tells_invitees(django_capture_on_commit_callbacks, received):
    meeting = factories.scheduled_meeting("level_2", registrations=[factories.registration_at_level(2)])
    dwp = factories.agency(meeting.area, AgencyType.DWP)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_invite_agency(actor=meeting.created_by, meeting=meeting, agency=dwp, reason="Benefits")
    meeting.refresh_from_db()
    assert meeting.ics_sequence == 1
    assert meeting.invitations.filter(agency=dwp).exists()
    assert received == [("meeting_updated", {"meeting_id": meeting.pk, "actor_id": meeting.created_by.pk})]
    with pytest.raises(WorkflowError) as error:
        services.meeting_invite_agency(actor=meeting.created_by, meeting=meeting, agency=dwp, reason="Again")
    assert "already invited" in error.value.errors["agency"][0]


# ---------------------------------------------------------------------------------------------
# Taking a case off the agenda
# ---------------------------------------------------------------------------------------------


def test_a_case_taken_off_the_agenda_is_audited_with_the_reason_and_invitees_are_told(
    django_capture_on_commit_callbacks, received
):
    staying, leaving = factories.registration_at_level(2), factories.registration_at_level(2)
    meeting = factories.scheduled_meeting("level_2", registrations=[staying, leaving], starts_at=_in_days(5))
    item = meeting.agenda_items.get(registration=leaving)
    with pytest.raises(WorkflowError) as error:
        services.meeting_remove_case(actor=meeting.created_by, meeting=meeting, item=item, reason="")
    assert "reason" in error.value.errors
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_remove_case(
            actor=meeting.created_by, meeting=meeting, item=item, reason="Recalled to prison; review next month"
        )
    meeting.refresh_from_db()
    assert [i.registration for i in meeting.agenda_items.all()] == [staying]
    assert meeting.ics_sequence == 1
    assert received == [("meeting_updated", {"meeting_id": meeting.pk, "actor_id": meeting.created_by.pk})]
    event = audit_trail_for(meeting)[-1]
    # The row says which case by id, never by name: the audit trail's readers may not be cleared to see it.
    assert "Recalled to prison" in event.reason and str(leaving.individual) not in event.reason
    assert event.details["registration"] == str(leaving.pk)
    # The case is free to book again at the same time.
    services.meeting_add_cases(actor=meeting.created_by, meeting=meeting, registrations=[leaving])


def test_a_held_meetings_agenda_cannot_lose_a_case():
    meeting = factories.held_meeting("level_2", registrations=[factories.registration_at_level(2)])
    with pytest.raises(WorkflowError) as error:
        services.meeting_remove_case(
            actor=meeting.created_by, meeting=meeting, item=meeting.agenda_items.get(), reason="Too late"
        )
    assert "because the meeting is held" in error.value.errors["state"][0]
    assert meeting.agenda_items.exists()


# ---------------------------------------------------------------------------------------------
# Attendance beyond the invited agencies
# ---------------------------------------------------------------------------------------------


def test_a_lay_adviser_observes_and_an_uninvited_agency_attends_without_touching_the_rest():
    meeting = factories.held_meeting("level_2", registrations=[factories.registration_at_level(2)])
    factories.full_attendance(meeting)
    before = meeting.attendance.count()
    dwp = factories.agency(meeting.area, AgencyType.DWP)
    assert not meeting.invitations.filter(agency=dwp).exists()
    services.meeting_add_attendee(
        actor=meeting.created_by,
        meeting=meeting,
        entry=services.AttendanceEntry(
            status=AttendanceStatus.OBSERVER, name="Robin Lay", role="Lay adviser (quality assurance)",
            confidentiality_acknowledged=True,
        ),
    )  # fmt: skip
    row = services.meeting_add_attendee(
        actor=meeting.created_by,
        meeting=meeting,
        entry=services.AttendanceEntry(
            status=AttendanceStatus.PRESENT, agency=dwp, name="Kim Work", role="Work coach",
            seniority=Seniority.PRACTITIONER, confidentiality_acknowledged=True,
        ),
    )  # fmt: skip
    assert meeting.attendance.count() == before + 2
    assert row.confidentiality_acknowledged_at is not None
    services.meeting_remove_attendee(actor=meeting.created_by, meeting=meeting, attendance=row)
    assert meeting.attendance.count() == before + 1


def test_an_extra_attendee_must_acknowledge_mappa_d_and_errors_name_the_field():
    meeting = factories.held_meeting("level_2", registrations=[factories.registration_at_level(2)])
    with pytest.raises(WorkflowError) as error:
        services.meeting_add_attendee(
            actor=meeting.created_by,
            meeting=meeting,
            entry=services.AttendanceEntry(status=AttendanceStatus.OBSERVER, name="Robin Lay"),
        )
    assert error.value.errors == {
        "confidentiality_acknowledged": ["Robin Lay must acknowledge the confidentiality statement (MAPPA D)"]
    }
    with pytest.raises(WorkflowError) as error:
        services.meeting_add_attendee(
            actor=meeting.created_by, meeting=meeting, entry=services.AttendanceEntry(status=AttendanceStatus.PRESENT)
        )
    assert error.value.errors == {  # every problem at once, not the first alone
        "agency": ["Select the agency"],
        "name": ["Enter the name of the person attending"],
        "confidentiality_acknowledged": [
            "The person attending must acknowledge the confidentiality statement (MAPPA D)"
        ],
        "role": ["Enter the role of the person attending"],
        "seniority": ["Select the seniority of the person attending"],
    }
    assert not meeting.attendance.exists()


# ---------------------------------------------------------------------------------------------
# Amending draft minutes
# ---------------------------------------------------------------------------------------------


def _minuted(decision="down"):
    registration = factories.registration_at_level(3)
    meeting = factories.held_meeting("level_3", registrations=[registration])
    item = meeting.agenda_items.get()
    minutes = services.case_minutes_record(
        actor=meeting.created_by, item=item, minutes=factories.minutes_input(decision)
    )
    return meeting, registration, minutes


def test_draft_minutes_are_corrected_and_the_level_decision_is_not_applied_again():
    meeting, registration, minutes = _minuted("down")
    periods = list(RegistrationPeriod.objects.filter(registration=registration).values_list("level", "end_date"))
    amended = services.case_minutes_amend(
        actor=meeting.created_by,
        case_minutes=minutes,
        minutes=factories.minutes_input("down", differing_views="Police wanted Level 3 to continue."),
    )
    assert amended.differing_views == "Police wanted Level 3 to continue."
    assert (
        list(RegistrationPeriod.objects.filter(registration=registration).values_list("level", "end_date")) == periods
    )
    registration.refresh_from_db()
    assert registration.level == 2
    assert audit_trail_for(minutes)[-1].details["fields"] == ["differing_views"]


def test_changing_an_applied_decision_is_refused_on_the_decision_field():
    meeting, _registration, minutes = _minuted("down")
    with pytest.raises(WorkflowError) as error:
        services.case_minutes_amend(
            actor=meeting.created_by, case_minutes=minutes, minutes=factories.minutes_input("same", rationale="Changed")
        )
    assert "was applied to the registration" in error.value.errors["decision"][0]
    minutes.refresh_from_db()
    assert minutes.decision == "down" and minutes.rationale != "Changed"


def test_a_new_review_date_in_the_draft_moves_the_registrations_review():
    meeting, registration, minutes = _minuted("same")
    earlier = meeting.meeting_date + dt.timedelta(days=14)
    services.case_minutes_amend(
        actor=meeting.created_by,
        case_minutes=minutes,
        minutes=factories.minutes_input("same", next_review_date=earlier),
    )
    registration.refresh_from_db()
    assert registration.next_review_due == earlier
    with pytest.raises(WorkflowError) as error:
        services.case_minutes_amend(
            actor=meeting.created_by,
            case_minutes=minutes,
            minutes=factories.minutes_input("same", next_review_date=meeting.meeting_date + dt.timedelta(days=400)),
        )
    assert "must be reviewed by" in error.value.errors["next_review_date"][0]


def test_approved_minutes_cannot_be_amended():
    meeting, _registration, minutes = _minuted("same")
    factories.full_attendance(meeting)
    meeting = services.meeting_draft_minutes(actor=meeting.created_by, meeting=meeting)
    services.case_minutes_amend(  # still a draft: allowed
        actor=meeting.created_by,
        case_minutes=CaseMinutes.objects.get(pk=minutes.pk),
        minutes=factories.minutes_input("same", rationale="Clearer"),
    )
    services.meeting_approve_minutes(actor=meeting.created_by, meeting=meeting, confirm_attendance_gaps=True)
    reloaded = CaseMinutes.objects.select_related("agenda_item__meeting").get(pk=minutes.pk)
    assert reloaded.agenda_item.meeting.state == MeetingState.MINUTES_APPROVED
    with pytest.raises(WorkflowError) as error:
        services.case_minutes_amend(
            actor=meeting.created_by, case_minutes=reloaded, minutes=factories.minutes_input("same", rationale="Later")
        )
    assert "minutes approved" in error.value.errors["state"][0]
