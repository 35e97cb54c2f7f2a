"""What invitees receive (.ics) and what the panel circulates (the minutes PDF)."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from mappa_workflow.models import Agency
from meetings import services
from meetings.ics import meeting_ics
from meetings.pdf import EXECUTIVE_SUMMARY, minutes_pdf
from tests import factories

pytestmark = pytest.mark.django_db


def _event(meeting):
    calendar = Calendar.from_ical(meeting_ics(meeting))
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_the_invitation_keeps_its_uid_and_raises_its_sequence_on_every_change_then_cancels():
    Agency.objects.filter(area=factories.northamptonshire()).update(email="mappa@agency.example.invalid")
    registration = factories.registration_at_level(2)
    meeting = factories.scheduled_meeting("level_2")
    calendar, event = _event(meeting)
    uid = str(event["UID"])
    assert (str(calendar["METHOD"]), int(event["SEQUENCE"]), str(event["STATUS"])) == ("REQUEST", 0, "CONFIRMED")
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=120)
    assert len(event["ATTENDEE"]) == meeting.invitations.count()
    assert str(event["ORGANIZER"]) == f"mailto:{meeting.chair.email}"

    services.meeting_add_cases(actor=meeting.created_by, meeting=meeting, registrations=[registration])
    meeting.refresh_from_db()
    _, event = _event(meeting)
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (uid, 1)
    ics_text = meeting_ics(meeting).decode()
    # No names in calendars (the full name: a surname alone may match an agency or the chair).
    assert str(registration.individual) not in ics_text and registration.individual.full_name not in ics_text

    meeting = services.meeting_reschedule(
        actor=meeting.created_by, meeting=meeting, starts_at=meeting.starts_at + dt.timedelta(days=1), reason="Clash"
    )
    _, event = _event(meeting)
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (uid, 2)
    assert event.decoded("DTSTART") == meeting.starts_at

    meeting = services.meeting_cancel(actor=meeting.created_by, meeting=meeting, reason="Chair unwell")
    calendar, event = _event(meeting)
    assert (str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (
        "CANCEL",
        uid,
        3,
        "CANCELLED",
    )


def _approved_minutes():
    registration = factories.registration_at_level(3)
    meeting = factories.held_meeting("level_3", registrations=[registration])
    factories.full_attendance(meeting, senior=False)
    minutes = services.case_minutes_record(
        actor=meeting.created_by,
        item=meeting.agenda_items.get(),
        minutes=factories.minutes_input("down", differing_views="Police wished to stay at Level 3."),
    )
    services.disclosure_decision_record(
        actor=meeting.created_by,
        case_minutes=minutes,
        recipient="Employer",
        what_is_disclosed="Conviction for wounding",
        why="Works alone with vulnerable adults",
        recipient_undertaking="Keep confidential within HR",
        individual_told=False,
        why_individual_not_told="Telling him first would put the victim at risk",
    )
    meeting = services.meeting_draft_minutes(actor=meeting.created_by, meeting=meeting)
    meeting = services.meeting_approve_minutes(actor=meeting.created_by, meeting=meeting, confirm_attendance_gaps=True)
    return meeting, registration


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_minutes_pdf_is_marked_and_shows_attendance_and_each_decision():
    meeting, registration = _approved_minutes()
    text = _text(minutes_pdf(meeting))
    assert text.count("OFFICIAL-SENSITIVE") >= 3  # banner, page header and footer
    assert "Who may see these minutes" in text
    assert "DI Sam Synthetic" in text and "MOSOVO detective inspector" in text
    assert "Pat Lay" in text and "Apologies, written report sent" in text
    assert "Confidentiality statement (MAPPA D) acknowledged" in text
    assert str(registration.individual) in text
    assert "Move down a level" in text
    assert "Police wished to stay at Level 3." in text
    assert "Disclosure to Employer" in text and "Telling him first would put the victim at risk" in text
    assert "Required attendance missing" in text
    next_review = (meeting.meeting_date + dt.timedelta(weeks=16)).strftime("%-d %B %Y")
    assert f"By {next_review}" in text


def test_the_executive_summary_gives_decisions_without_risk_detail_or_disclosures():
    meeting, _ = _approved_minutes()
    text = _text(minutes_pdf(meeting, variant=EXECUTIVE_SUMMARY))
    assert "OFFICIAL-SENSITIVE" in text and "Executive summary" in text
    assert "Move down a level" in text
    assert "Police, Probation" in text  # agencies present, not people
    assert "DI Sam Synthetic" not in text
    assert "Police wished to stay" not in text
    assert "Disclosure to Employer" not in text
    assert "Very high risk to a known adult" not in text


def test_minutes_are_due_a_set_number_of_working_days_after_the_meeting():
    from mappa_workflow.models import AreaSettings
    from meetings.timescales import Timeliness, meeting_timescale

    meeting = factories.held_meeting("level_2", days_ago=1)
    settings = AreaSettings.for_area(meeting.area)
    on_time = meeting_timescale(meeting, settings, today=meeting.meeting_date)
    assert on_time.what == "minutes" and on_time.status in (Timeliness.ON_TIME, Timeliness.DUE_SOON)
    late = meeting_timescale(meeting, settings, today=on_time.due + dt.timedelta(days=3))
    assert (late.status, late.since) == (Timeliness.OVERDUE, on_time.due + dt.timedelta(days=1))
    assert late.label == f"Minutes overdue since {late.since:%-d %B %Y}"
    assert timezone.localdate() >= meeting.meeting_date
