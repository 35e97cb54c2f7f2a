"""The co-ordinator checks who is invited and why, adds an agency, takes a case off the agenda,
records observers and other attendees, disclosure decisions, and amends draft minutes."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.audit import audit_trail_for
from mappa_workflow.models import AgencyType
from meetings import services as meeting_services
from meetings.models import Attendance, DisclosureDecision, Meeting
from need_to_know.selectors import invitations_as_seen_by
from referrals.models import RegistrationPeriod
from tests import factories

pytestmark = pytest.mark.django_db


def _walk_to_check_page(client, registration, chair):
    day = timezone.localdate() + dt.timedelta(days=7)
    client.post(
        reverse("web:meeting_schedule"),
        {
            "meeting_type": "level_2",
            "meeting_date_day": day.day, "meeting_date_month": day.month, "meeting_date_year": day.year,
            "start_time": "10:00", "duration_minutes": "120", "chair": chair.pk, "venue": "Wootton Hall",
        },
    )  # fmt: skip
    client.post(reverse("web:meeting_schedule_cases"), {"cases": [str(registration.pk)]})
    return reverse("web:meeting_schedule_check")


def test_the_check_step_shows_each_agency_and_why_and_an_added_agency_is_invited(signed_in):
    young = factories.IndividualFactory(
        date_of_birth=timezone.localdate() - dt.timedelta(days=16 * 365 + 100), children_linked=False
    )
    registration = factories.registration_at_level(2, individual=young, decided_on=timezone.localdate())
    client = signed_in(factories.coordinator())
    url = _walk_to_check_page(client, registration, factories.chair())
    check = client.get(url).content.decode()
    assert f"Under 18: {html.escape(str(young))}" in check and "Core panel" in check
    assert "Invite another agency for these cases" in check

    bad = client.post(url, {"add_agency": "1", "invite-agency": "", "invite-reason": ""}).content.decode()
    assert "There is a problem" in bad and "Select the agency to invite" in bad
    dwp = factories.agency(registration.area, AgencyType.DWP)
    response = client.post(url, {"add_agency": "1", "invite-agency": dwp.pk, "invite-reason": "Benefit sanctions"})
    assert response.status_code == 302
    assert "Added by you: Benefit sanctions" in client.get(url).content.decode()
    client.post(url)
    meeting = Meeting.objects.get()
    reasons = {i.agency.pk: i.reason for i in invitations_as_seen_by(meeting, meeting.created_by)}
    assert reasons[dwp.pk] == "Added by the co-ordinator: Benefit sanctions"
    assert reasons[factories.agency(registration.area, AgencyType.YOUTH_JUSTICE).pk] == f"Under 18: {young}"


def test_an_added_agency_can_be_removed_before_confirming(signed_in):
    registration = factories.registration_at_level(2, decided_on=timezone.localdate())
    client = signed_in(factories.coordinator())
    url = _walk_to_check_page(client, registration, factories.chair())
    dwp = factories.agency(registration.area, AgencyType.DWP)
    client.post(url, {"add_agency": "1", "invite-agency": dwp.pk, "invite-reason": "Benefits"})
    client.post(url, {"remove_agency": str(dwp.pk)})
    client.post(url)
    assert not Meeting.objects.get().invitations.filter(agency=dwp).exists()


def test_a_case_is_taken_off_a_scheduled_agenda_with_a_reason(signed_in):
    staying, leaving = factories.registration_at_level(2), factories.registration_at_level(2)
    meeting = factories.scheduled_meeting("level_2", registrations=[staying, leaving])
    client = signed_in(meeting.created_by)
    item = meeting.agenda_items.get(registration=leaving)
    assert (
        reverse("web:meeting_agenda_remove", args=[meeting.pk, item.pk])
        in client.get(reverse("web:meeting_detail", args=[meeting.pk])).content.decode()
    )
    url = reverse("web:meeting_agenda_remove", args=[meeting.pk, item.pk])
    empty = client.post(url, {"reason": ""}).content.decode()
    assert 'href="#id_reason">Enter the reason for taking the case off the agenda' in empty
    assert client.post(url, {"reason": "Moved to another area"}).status_code == 302
    assert [i.registration for i in meeting.agenda_items.all()] == [staying]
    assert "Moved to another area" in audit_trail_for(meeting)[-1].reason


def test_an_observer_and_an_uninvited_agency_are_added_and_kept_when_attendance_is_saved(signed_in):
    meeting = factories.held_meeting("level_2", registrations=[factories.registration_at_level(2)])
    client = signed_in(meeting.created_by)
    add = reverse("web:meeting_attendance_add", args=[meeting.pk])
    missing = client.post(add, {"status": "observer", "agency": "none", "name": "Robin Lay"}).content.decode()
    assert 'href="#id_confidentiality_acknowledged">Robin Lay must acknowledge' in missing
    observer = {"status": "observer", "agency": "none", "name": "Robin Lay", "role": "Lay adviser"}
    assert client.post(add, {**observer, "confidentiality_acknowledged": "on"}).status_code == 302
    dwp = factories.agency(meeting.area, AgencyType.DWP)
    client.post(
        add,
        {"status": "present", "agency": dwp.pk, "name": "Kim Work", "role": "Work coach", "seniority": "1",
         "confidentiality_acknowledged": "on"},
    )  # fmt: skip
    page = client.get(reverse("web:meeting_attendance", args=[meeting.pk])).content.decode()
    assert "Robin Lay" in page and "Kim Work" in page
    # Saving the invited agencies' lines keeps the additional ones.
    invitations = list(meeting.invitations.select_related("agency"))
    police_line = next(n for n, i in enumerate(invitations, 1) if i.agency.agency_type == AgencyType.POLICE)
    client.post(
        reverse("web:meeting_attendance", args=[meeting.pk]),
        {f"attendance-{police_line}-status": "apologies"},
    )
    assert set(meeting.attendance.values_list("name", flat=True)) == {"Robin Lay", "Kim Work", ""}
    line = Attendance.objects.get(name="Kim Work")
    client.post(reverse("web:meeting_attendance_remove", args=[meeting.pk, line.pk]))
    assert not Attendance.objects.filter(name="Kim Work").exists()


def _minuted(decision="down"):
    registration = factories.registration_at_level(3)
    meeting = factories.held_meeting("level_3", registrations=[registration])
    item = meeting.agenda_items.get()
    meeting_services.case_minutes_record(actor=meeting.created_by, item=item, minutes=factories.minutes_input(decision))
    return meeting, item, registration


def test_a_disclosure_decision_is_recorded_and_shown_on_the_meeting_and_case_pages(signed_in):
    meeting, item, registration = _minuted("same")
    client = signed_in(meeting.created_by)
    url = reverse("web:meeting_case_disclosure_add", args=[meeting.pk, item.pk])
    assert url in client.get(reverse("web:meeting_case_minutes", args=[meeting.pk, item.pk])).content.decode()
    answers = {
        "recipient": "New partner",
        "what_is_disclosed": "Index offence",
        "why": "Her children are at risk",
        "recipient_undertaking": "Will not share beyond her social worker",
        "individual_told": "no",
    }
    page = client.post(url, answers).content.decode()
    assert 'href="#id_why_individual_not_told">Enter why the individual was not told' in page
    assert not DisclosureDecision.objects.exists()
    assert client.post(url, {**answers, "why_individual_not_told": "Would put the partner at risk"}).status_code == 302
    assert "Disclosure to New partner" in client.get(reverse("web:meeting_detail", args=[meeting.pk])).content.decode()
    case_page = client.get(reverse("web:case_detail", args=[registration.individual.pk])).content.decode()
    assert "Would put the partner at risk" in case_page and "Will not share beyond her social worker" in case_page


def test_draft_minutes_are_amended_and_the_applied_decision_cannot_change(signed_in):
    meeting, item, registration = _minuted("down")
    client = signed_in(meeting.created_by)
    url = reverse("web:meeting_case_amend", args=[meeting.pk, item.pk])
    page = client.get(url).content.decode()
    assert "was applied to the registration when these minutes were recorded" in page
    assert "does not apply it again" in page
    minutes = item.minutes
    form = {
        "risk_summary": minutes.risk_summary, "decision": "down", "rationale": minutes.rationale,
        "differing_views": "Police dissented", "next_review_date_day": "", "next_review_date_month": "",
        "next_review_date_year": "",
    }  # fmt: skip
    periods = RegistrationPeriod.objects.filter(registration=registration).count()
    refused = client.post(url, {**form, "decision": "same"}).content.decode()
    assert 'href="#id_decision">The decision &#x27;Move down a level&#x27; was applied to the registration' in refused
    assert client.post(url, form).status_code == 302
    minutes.refresh_from_db()
    assert minutes.differing_views == "Police dissented" and minutes.decision == "down"
    assert RegistrationPeriod.objects.filter(registration=registration).count() == periods  # not re-applied
