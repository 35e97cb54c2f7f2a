"""Scheduling, running a meeting and updating actions, through the pages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.models import AgencyType
from meetings.models import Meeting, MeetingState, RiskAction, RiskActionState
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def test_scheduling_walks_type_and_date_then_cases_due_then_check_and_confirm(signed_in):
    registration = factories.registration_at_level(2, decided_on=timezone.localdate() - dt.timedelta(days=3))
    chair = factories.chair()
    client = signed_in(factories.coordinator())
    day = timezone.localdate() + dt.timedelta(days=7)
    bad = client.post(reverse("web:meeting_schedule"), {"meeting_type": "level_2"}).content.decode()
    assert "Enter the date of the meeting" in bad and "Enter the start time" in bad
    response = client.post(
        reverse("web:meeting_schedule"),
        {
            "meeting_type": "level_2",
            "meeting_date_day": day.day, "meeting_date_month": day.month, "meeting_date_year": day.year,
            "start_time": "10:00", "duration_minutes": "120", "chair": chair.pk, "venue": "Wootton Hall",
        },
    )  # fmt: skip
    assert response.url == reverse("web:meeting_schedule_cases")
    cases = client.get(response.url).content.decode()
    assert str(registration.individual) in cases and f'value="{registration.pk}" aria-describedby' in cases
    assert "checked" in cases  # due within the window: preselected
    response = client.post(reverse("web:meeting_schedule_cases"), {"cases": [str(registration.pk)]})
    check = client.get(response.url).content.decode()
    assert "Agencies to be invited" in check and "Wootton Hall" in check
    response = client.post(reverse("web:meeting_schedule_check"))
    meeting = Meeting.objects.get()
    assert response.url == reverse("web:meeting_detail", args=[meeting.pk])
    assert meeting.agenda_items.get().registration == registration
    assert meeting.invitations.filter(agency__agency_type=AgencyType.POLICE).exists()


def test_running_a_meeting_attendance_minutes_actions_and_approval(signed_in):
    registration = factories.registration_at_level(2)
    meeting = factories.held_meeting("level_2", registrations=[registration])
    client = signed_in(meeting.created_by)
    detail = reverse("web:meeting_detail", args=[meeting.pk])
    assert "Record attendance" in client.get(detail).content.decode()

    invitations = list(meeting.invitations.select_related("agency"))
    police_line = next(n for n, i in enumerate(invitations, 1) if i.agency.agency_type == AgencyType.POLICE)
    probation_line = next(n for n, i in enumerate(invitations, 1) if i.agency.agency_type == AgencyType.PROBATION)
    present = {
        f"attendance-{police_line}-status": "present",
        f"attendance-{police_line}-name": "DI Example",
        f"attendance-{police_line}-role": "MOSOVO",
        f"attendance-{police_line}-seniority": "2",
    }
    page = client.post(reverse("web:meeting_attendance", args=[meeting.pk]), present).content.decode()
    assert "must acknowledge the confidentiality statement" in page
    assert not meeting.attendance.exists()
    present[f"attendance-{police_line}-confidentiality_acknowledged"] = "on"
    present.update(
        {
            f"attendance-{probation_line}-status": "present",
            f"attendance-{probation_line}-name": "Alex Example",
            f"attendance-{probation_line}-role": "Probation officer",
            f"attendance-{probation_line}-seniority": "1",
            f"attendance-{probation_line}-confidentiality_acknowledged": "on",
        }
    )
    assert client.post(reverse("web:meeting_attendance", args=[meeting.pk]), present).status_code == 302
    assert meeting.attendance.count() == 2

    item = meeting.agenda_items.get()
    minutes_url = reverse("web:meeting_case_minutes", args=[meeting.pk, item.pk])
    assert "Enter the summary of risk" in client.post(minutes_url, {"decision": "same"}).content.decode()
    response = client.post(
        minutes_url, {"risk_summary": "High risk to a former partner", "decision": "same", "rationale": "Still needed"}
    )
    assert response.status_code == 302
    police = factories.agency(meeting.area, AgencyType.POLICE)
    due = timezone.localdate() + dt.timedelta(days=14)
    for description in ("Home visit within 7 days", "Review licence conditions"):
        response = client.post(
            reverse("web:meeting_case_action_add", args=[meeting.pk, item.pk]),
            {
                "heading": "supervision", "description": description, "owning_agency": police.pk,
                "officer_name": "DC Example", "due_date_day": due.day, "due_date_month": due.month, "due_date_year": due.year,
            },
        )  # fmt: skip
        assert response.status_code == 302
    assert RiskAction.objects.filter(registration=registration).count() == 2

    client.post(reverse("web:meeting_transition", args=[meeting.pk, "draft"]))
    client.post(reverse("web:meeting_transition", args=[meeting.pk, "approve"]))
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.MINUTES_APPROVED


def test_the_owning_agency_completes_an_action_and_others_cannot(signed_in):
    registration = factories.registration_at_level(2)
    meeting = factories.held_meeting("level_2", registrations=[registration])
    from meetings import services as meeting_services

    minutes = meeting_services.case_minutes_record(
        actor=meeting.created_by, item=meeting.agenda_items.get(), minutes=factories.minutes_input()
    )
    police = factories.agency(meeting.area, AgencyType.POLICE)
    action = meeting_services.risk_action_create(
        actor=meeting.created_by, case_minutes=minutes, heading="supervision", description="Home visit",
        owning_agency=police, officer_name="DC Example", due_date=timezone.localdate() + dt.timedelta(days=3),
    )  # fmt: skip
    officer = factories.practitioner(AgencyType.POLICE)
    client = signed_in(officer)
    listing = client.get(reverse("web:action_list"), {"show": "due_soon"}).content.decode()
    assert "Home visit" in listing
    assert "Home visit" not in client.get(reverse("web:action_list"), {"show": "done"}).content.decode()
    empty = client.post(reverse("web:action_detail", args=[action.pk]), {"outcome": "completed"}).content.decode()
    assert "Enter an update" in empty
    client.post(
        reverse("web:action_detail", args=[action.pk]), {"outcome": "completed", "text": "Visited; address confirmed"}
    )
    action.refresh_from_db()
    assert action.state == RiskActionState.COMPLETED
    assert "Home visit" in client.get(reverse("web:action_list"), {"show": "done"}).content.decode()
    # The practitioner's agency now sees the case it owns an action for.
    assert str(registration.individual) in client.get(reverse("web:case_list")).content.decode()

    # Housing sat on the panel: it may read the plan's actions (permissions.visible_risk_actions) but
    # not update another agency's; an agency with no part in the case does not find it at all.
    other = signed_in(factories.practitioner(AgencyType.HOUSING))
    url = reverse("web:action_detail", args=[action.pk])
    assert other.get(url).status_code == 200 and "Save update" not in other.get(url).content.decode()
    assert other.post(url, {"outcome": "in_progress", "text": "x"}).status_code == 403
    other.logout()
    assert signed_in(factories.practitioner(AgencyType.DWP)).get(url).status_code == 404


def test_list_pages_pin_their_queries(signed_in, django_assert_max_num_queries):
    for _ in range(4):
        factories.registration_at_level(2)
    coordinator = factories.coordinator()
    client = signed_in(coordinator)
    with django_assert_max_num_queries(12 + factories.list_audit_queries()):  # the page's audit row (who listed whom)
        assert client.get(reverse("web:case_list")).status_code == 200
    with django_assert_max_num_queries(12 + factories.list_audit_queries()):  # the page's audit row (who listed whom)
        assert client.get(reverse("web:action_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("web:meeting_list")).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("web:dashboard")).status_code == 200


def test_a_page_with_errors_says_error_once_in_its_title(signed_in):
    """Screen readers announce the title first: "Error: Error: ..." was read on five meeting pages."""
    meeting = factories.scheduled_meeting("level_2", registrations=[factories.registration_at_level(2)])
    client = signed_in(meeting.created_by)
    response = client.post(reverse("web:meeting_invite", args=[meeting.pk]), {"reason": ""})
    page = response.content.decode()
    assert "govuk-error-summary" in page
    title = page[page.index("<title>") : page.index("</title>")]
    assert title.startswith("<title>Error: ") and title.count("Error:") == 1


def test_the_dashboard_records_who_was_shown_whom(signed_in):
    """The dashboard names people (referrals to screen, cases due): it is audited like every list."""
    from mappa_workflow.models import AuditEvent

    referral = factories.submitted_referral()
    due = factories.registration_at_level(2, decided_on=timezone.localdate())
    client = signed_in(factories.coordinator())
    page = client.get(reverse("web:dashboard")).content.decode()
    assert str(referral.individual) in page and str(due.individual) in page
    row = AuditEvent.objects.filter(object_type="list", details__what="dashboard").latest("id")
    assert {str(referral.individual_id), str(due.individual_id)} <= set(row.details["individual_ids"])
