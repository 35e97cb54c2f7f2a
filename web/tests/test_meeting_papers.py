"""The agenda and papers of a meeting, and the practitioners' side of it: their meetings, their answer to the
invitation, their written reports (with a document kept privately), the co-ordinator's one-click chase, and
the approved minutes of the cases they may see, and nothing else of the meeting."""

from __future__ import annotations

import datetime as dt
import html
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from mappa_workflow.models import AgencyType
from meetings import services as meeting_services
from meetings.models import AgencyReport, AttendanceConfirmation
from notifications.models import OutboxMessage
from referrals.models import Individual
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _panel(*, cases: int = 1, **kwargs):
    registrations = [factories.registration_at_level(2) for _ in range(cases)]
    meeting = factories.scheduled_meeting("level_2", registrations=registrations, **kwargs)
    return meeting, registrations


def _report_form(**overrides):
    return {
        "current_risk": "High to a former partner.",
        "changes": "Moved to a new address last month.",
        "contribution": "Weekly home visits by the neighbourhood team.",
        **overrides,
    }


def test_a_practitioner_sees_their_agencys_meetings_and_the_invitation_link_works(signed_in):
    meeting, _ = _panel()
    not_invited, _ = _panel()
    not_invited.invitations.filter(agency__agency_type=AgencyType.POLICE).delete()
    police = factories.practitioner(AgencyType.POLICE)
    client = signed_in(police)
    meetings = client.get(reverse("web:meeting_list"))  # was a 403 for practitioners
    assert meetings.status_code == 302 and meetings.url == reverse("web:my_meetings")
    mine = client.get(reverse("web:my_meetings"))
    assert mine.status_code == 200
    text = mine.content.decode()
    assert reverse("web:meeting_detail", args=[meeting.pk]) in text
    assert reverse("web:meeting_detail", args=[not_invited.pk]) not in text
    invitation = OutboxMessage.objects.filter(
        kind="meeting_invitation", recipient_email=factories.agency(meeting.area, AgencyType.POLICE).email
    ).first()
    link = reverse("web:meeting_detail", args=[meeting.pk])
    assert link in invitation.body_text
    assert client.get(link).status_code == 200
    assert client.get(reverse("web:meeting_agenda", args=[meeting.pk])).status_code == 200
    assert "My meetings" in client.get(reverse("web:my_meetings")).content.decode()


def test_the_agenda_lists_each_case_with_its_slot_registration_decisions_actions_and_reports(signed_in):
    registration = factories.registration_at_level(2)
    held = factories.held_meeting("level_2", registrations=[registration], days_ago=30)
    factories.full_attendance(held)
    item = held.agenda_items.get()
    minutes = meeting_services.case_minutes_record(actor=held.created_by, item=item, minutes=factories.minutes_input())
    action = meeting_services.risk_action_create(
        actor=held.created_by,
        case_minutes=minutes,
        heading="supervision",
        description="Check the new tenancy with the landlord.",
        owning_agency=factories.agency(held.area, AgencyType.POLICE),
        officer_name="DC Synthetic",
        due_date=timezone.localdate() + dt.timedelta(days=10),
    )
    held = meeting_services.meeting_draft_minutes(actor=held.created_by, meeting=held)
    meeting_services.meeting_approve_minutes(actor=held.created_by, meeting=held)
    registration.refresh_from_db()
    second = factories.registration_at_level(2)
    meeting = factories.scheduled_meeting(
        "level_2", registrations=[registration, second], duration_minutes=120, chair_user=held.chair
    )
    police = factories.practitioner(AgencyType.POLICE)
    signed_in(police).post(
        reverse("web:meeting_agency_report", args=[meeting.pk, meeting.agenda_items.get(registration=registration).pk]),
        _report_form(),
    )
    client = signed_in(meeting.created_by)
    page = client.get(reverse("web:meeting_agenda", args=[meeting.pk])).content.decode()
    start = timezone.localtime(meeting.starts_at)
    assert f"{start:%H:%M} to {(start + dt.timedelta(hours=1)):%H:%M}" in page  # two cases share two hours
    period = registration.periods.get(end_date__isnull=True)
    for expected in (
        period.get_category_display(),
        "Level 2",
        period.get_location_display(),
        str(period.lead_agency),
        f"{held.starts_at:%-d %B %Y}: Remain at the same level",
        action.description,
        "Police",
    ):
        assert html.escape(expected) in page, expected
    assert "None: this is the first meeting about the case" in page  # the second case

    pdf = client.get(reverse("web:meeting_agenda_pdf", args=[meeting.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "<" not in text and "_Invitation(" not in text
    assert period.get_category_display() in text and action.description in text
    assert registration.individual.family_name.upper() in text.upper()


def test_an_agency_sends_a_written_report_with_a_document_stored_privately(signed_in):
    meeting, _ = _panel()
    item = meeting.agenda_items.get()
    police = factories.practitioner(AgencyType.POLICE)
    client = signed_in(police)
    url = reverse("web:meeting_agency_report", args=[meeting.pk, item.pk])
    assert url in client.get(reverse("web:meeting_detail", args=[meeting.pk])).content.decode()
    bad = client.post(url, _report_form(current_risk="", attachment=SimpleUploadedFile("notes.exe", b"MZ")))
    text = bad.content.decode()
    assert "Enter the current risk" in text
    fake = client.post(url, _report_form(attachment=SimpleUploadedFile("report.pdf", b"not really a pdf")))
    assert "The document is not a real PDF file" in fake.content.decode()
    wrong_type = client.post(url, _report_form(attachment=SimpleUploadedFile("report.txt", b"hello")))
    assert "must be a PDF, Word (DOCX) or OpenDocument (ODT) file" in wrong_type.content.decode()
    assert not AgencyReport.objects.exists()

    docx = _docx()
    response = client.post(url, _report_form(attachment=SimpleUploadedFile("Police report.docx", docx)))
    assert response.status_code == 302
    report = AgencyReport.objects.get()
    stored = Path(report.attachment.path)
    assert stored.is_file() and stored.is_relative_to(Path(settings.PRIVATE_FILES_ROOT))
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT)) and not stored.is_relative_to(
        settings.BASE_DIR / "static"
    )
    with pytest.raises(ValueError):
        report.attachment.url  # noqa: B018 - a private file has no public address

    document = reverse("web:meeting_report_attachment", args=[meeting.pk, report.pk])
    download = client.get(document)
    assert download.status_code == 200 and b"".join(download.streaming_content) == docx
    assert signed_in(meeting.created_by).get(document).status_code == 200
    probation = factories.practitioner(AgencyType.PROBATION)  # invited too, but not its report
    assert signed_in(probation).get(document).status_code == 404
    assert (
        signed_in(probation).get(reverse("web:meeting_report_detail", args=[meeting.pk, report.pk])).status_code == 404
    )
    assert signed_in(factories.practitioner(AgencyType.DWP)).get(document).status_code == 404


def test_apologies_with_a_report_need_the_report_first_and_the_answer_is_recorded(signed_in):
    meeting, _ = _panel()
    police = factories.practitioner(AgencyType.POLICE, first_name="Pat", last_name="Constable")
    client = signed_in(police)
    url = reverse("web:meeting_confirm_attendance", args=[meeting.pk])
    page = client.post(url, {"intention": "apologies_with_report", "name": "Pat Constable"}).content.decode()
    assert "Send your agency&#x27;s written report on the cases first" in page
    assert not AttendanceConfirmation.objects.exists()
    assert client.post(url, {"intention": "", "name": ""}).status_code == 200
    client.post(reverse("web:meeting_agency_report", args=[meeting.pk, meeting.agenda_items.get().pk]), _report_form())
    assert client.post(url, {"intention": "apologies_with_report", "name": "Pat Constable"}).status_code == 302
    answer = AttendanceConfirmation.objects.get()
    assert answer.intention == "apologies_with_report" and answer.agency == police.agency
    coordinator_view = signed_in(meeting.created_by).get(reverse("web:meeting_agenda", args=[meeting.pk]))
    assert "Apologies, written report sent (Pat Constable)" in coordinator_view.content.decode()


def test_the_coordinator_sees_who_has_not_reported_and_chases_with_one_click(signed_in):
    meeting, _ = _panel(cases=2)
    # Names no user can share: a chair called Glenn Roberts must not look like the person Roberts leaking.
    for item in meeting.agenda_items.select_related("registration__individual"):
        Individual.objects.filter(pk=item.registration.individual_id).update(
            family_name=factories.unmistakable_family_name()
        )
    client = signed_in(meeting.created_by)
    page = client.get(reverse("web:meeting_agenda", args=[meeting.pk])).content.decode()
    assert "2 missing" in page
    police = factories.agency(meeting.area, AgencyType.POLICE)
    chase = reverse("web:meeting_chase_reports", args=[meeting.pk, police.pk])
    assert chase in page
    assert client.post(chase).status_code == 302
    message = OutboxMessage.objects.get(kind="reports_requested")
    assert message.recipient_email == police.email
    assert "not yet sent a report on 2 cases" in message.body_text
    assert reverse("web:meeting_detail", args=[meeting.pk]) in message.body_text
    for registration in meeting.agenda_items.values_list("registration__individual__family_name", flat=True):
        assert registration.upper() not in message.body_text.upper()
    assert "Asked on" in client.get(reverse("web:meeting_agenda", args=[meeting.pk])).content.decode()
    assert signed_in(factories.practitioner(AgencyType.POLICE)).post(chase).status_code == 403


def _approved_panel():
    visible = factories.registration_at_level(2)
    meeting = factories.held_meeting("level_2", registrations=[visible])
    factories.full_attendance(meeting)
    for item in meeting.agenda_items.all():
        meeting_services.case_minutes_record(actor=meeting.created_by, item=item, minutes=factories.minutes_input())
    meeting = meeting_services.meeting_draft_minutes(actor=meeting.created_by, meeting=meeting)
    return meeting, visible


def test_a_practitioner_reads_the_approved_minutes_of_their_cases_and_not_the_draft(signed_in):
    meeting, visible = _approved_panel()
    item = meeting.agenda_items.get(registration=visible)
    police = factories.practitioner(AgencyType.POLICE)
    client = signed_in(police)
    url = reverse("web:meeting_case_minutes_read", args=[meeting.pk, item.pk])
    assert client.get(url).status_code == 404  # still a draft
    meeting_services.meeting_approve_minutes(actor=meeting.created_by, meeting=meeting)
    detail = client.get(reverse("web:meeting_detail", args=[meeting.pk])).content.decode()
    assert url in detail
    assert reverse("web:meeting_minutes_pdf", args=[meeting.pk]) not in detail
    minutes = client.get(url).content.decode()
    for heading in ("Supervision", "Monitoring and control", "Interventions and treatment", "Victim safety planning"):
        assert heading in minutes
    assert "Curfew 19:00-07:00" in minutes
    assert client.get(reverse("web:meeting_case_minutes", args=[meeting.pk, item.pk])).status_code == 403
    assert signed_in(factories.practitioner(AgencyType.DWP)).get(url).status_code == 404


def test_the_invited_agencies_are_told_when_the_minutes_are_approved(signed_in):
    meeting, _ = _approved_panel()
    meeting_services.meeting_approve_minutes(actor=meeting.created_by, meeting=meeting)
    told = OutboxMessage.objects.filter(kind="minutes_circulated", payload__meeting_id=str(meeting.pk))
    invited = {i.agency.email.lower() for i in meeting.invitations.select_related("agency") if i.agency.email}
    assert invited and invited <= {m.recipient_email for m in told}
    assert all(reverse("web:meeting_detail", args=[meeting.pk]) in m.body_text for m in told)


def test_the_minutes_pdf_names_agencies_not_program_output_and_shows_the_video_link_and_plan(signed_in):
    meeting, _ = _approved_panel()
    client = signed_in(meeting.created_by)
    response = client.get(reverse("web:meeting_minutes_pdf", args=[meeting.pk]))
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "<" not in text and "_Invitation(" not in text and "InvitationAsSeen(" not in text
    assert "Core panel" in text and "Police" in text
    assert meeting.video_link in text.replace("\n", "")
    for heading in ("Supervision", "Monitoring and control", "Interventions and treatment", "Victim safety planning"):
        assert heading in text
    page = client.get(reverse("web:meeting_detail", args=[meeting.pk])).content.decode()
    assert f'href="{meeting.video_link}"' in page


def test_the_case_minutes_page_shows_the_risk_management_plan(signed_in):
    meeting, visible = _approved_panel()
    item = meeting.agenda_items.get(registration=visible)
    page = signed_in(meeting.created_by).get(reverse("web:meeting_case_minutes", args=[meeting.pk, item.pk]))
    text = page.content.decode()
    assert "Risk management plan" in text
    assert "Curfew 19:00-07:00 with electronic monitoring; exclusion zone." in text
    assert "Victim liaison officer to update the victim on licence conditions." in text


def test_the_agenda_costs_the_same_queries_for_one_case_or_many(signed_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small, _ = _panel(cases=1)
    large, _ = _panel(cases=4, starts_at=small.starts_at + dt.timedelta(days=1))
    client = signed_in(small.created_by)
    counts = []
    for meeting in (small, large):
        client.get(reverse("web:meeting_agenda", args=[meeting.pk]))  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("web:meeting_agenda", args=[meeting.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
