"""The co-ordinator changes a scheduled meeting in the pages (adds a case found by search, reschedules, cancels,
changes the chair, venue or video link) and every invitee is sent an invitation saying what changed. Unusual
choices are warnings to confirm, not refusals."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from mappa_workflow.models import AgencyType
from meetings.models import Meeting, MeetingState
from notifications.email import Attachment
from notifications.models import OutboxMessage
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def _next_weekday_at(hour: int, days: int = 8) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    from mappa_workflow.working_days import is_working_day

    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _meeting(**kwargs) -> Meeting:
    registration = factories.registration_at_level(2)
    return factories.scheduled_meeting(
        "level_2", registrations=[registration], starts_at=_next_weekday_at(10), **kwargs
    )


def _latest(meeting: Meeting, kind: str) -> list[OutboxMessage]:
    messages = OutboxMessage.objects.filter(kind=kind, payload__meeting_id=str(meeting.pk)).order_by("-id")
    newest = messages.first()
    assert newest is not None, f"no {kind} message"
    return [m for m in messages if m.dedupe_key.split(":")[2] == newest.dedupe_key.split(":")[2]]


def _ics(message: OutboxMessage) -> Calendar:
    attachment = Attachment.from_json(message.payload["attachments"][0])
    return Calendar.from_ical(attachment.content)


def test_the_coordinator_finds_a_case_by_search_and_adds_it_and_the_invitees_are_told(signed_in):
    meeting = _meeting()
    # A name no user can share: a chair whose surname is the person's must not look like the person leaking.
    other = factories.registration_at_level(2, individual=factories.unmistakable_individual(area=meeting.area))
    client = signed_in(meeting.created_by)
    page = client.get(reverse("web:meeting_detail", args=[meeting.pk])).content.decode()
    url = reverse("web:meeting_add_cases", args=[meeting.pk])
    assert url in page
    found = client.get(url, {"q": other.individual.family_name}).content.decode()
    assert html.escape(str(other.individual)) in found
    before = meeting.ics_sequence
    response = client.post(url, {"add": "1", "cases": [str(other.pk)], "q": other.individual.family_name})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.agenda_items.filter(registration=other).exists()
    updates = _latest(meeting, "meeting_update")
    assert {m.recipient_email for m in updates} >= {i.agency.email for i in meeting.invitations.all() if i.agency.email}
    assert all("1 case added to the agenda." in m.body_text for m in updates)
    assert all(str(other.individual.family_name).upper() not in m.body_text.upper() for m in updates)
    event = _ics(updates[0]).walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == meeting.ics_sequence > before
    assert str(_ics(updates[0])["METHOD"]) == "REQUEST"


def test_adding_nothing_or_searching_for_nothing_says_what_to_do(signed_in):
    meeting = _meeting()
    client = signed_in(meeting.created_by)
    url = reverse("web:meeting_add_cases", args=[meeting.pk])
    page = client.post(url, {"add": "1"}).content.decode()
    assert "There is a problem" in page and "Select at least one case to add to the agenda" in page
    page = client.post(url, {"search": "1", "q": ""}).content.decode()
    assert "Enter a name or reference to search for" in page


def test_a_case_already_booked_at_another_meeting_is_a_warning_to_confirm_not_a_refusal(signed_in):
    meeting = _meeting()
    booked = factories.registration_at_level(2)
    elsewhere = factories.scheduled_meeting(
        "level_2", registrations=[booked], starts_at=_next_weekday_at(10, days=20), chair_user=meeting.chair
    )
    client = signed_in(meeting.created_by)
    url = reverse("web:meeting_add_cases", args=[meeting.pk])
    page = client.post(url, {"add": "1", "cases": [str(booked.pk)], "q": booked.individual.family_name})
    text = page.content.decode()
    assert (
        page.status_code == 200 and "Already booked at another meeting" in text and html.escape(str(elsewhere)) in text
    )
    assert not meeting.agenda_items.filter(registration=booked).exists()
    response = client.post(url, {"add": "1", "cases": [str(booked.pk)], "confirm_booked": "yes"})
    assert response.status_code == 302
    assert meeting.agenda_items.filter(registration=booked).exists()


def test_rescheduling_sends_the_new_time_and_the_reason_with_a_higher_sequence(signed_in):
    meeting = _meeting()
    client = signed_in(meeting.created_by)
    url = reverse("web:meeting_reschedule", args=[meeting.pk])
    new = _next_weekday_at(14, days=9)
    form = {
        "meeting_date_day": new.day, "meeting_date_month": new.month, "meeting_date_year": new.year,
        "start_time": "14:00", "duration_minutes": "90", "reason": "The chair is on leave that week.",
    }  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting.refresh_from_db()
    assert meeting.starts_at == new and meeting.duration_minutes == 90
    updates = _latest(meeting, "meeting_update")
    old_text = f"{timezone.localtime(_next_weekday_at(10)):%A %-d %B %Y %H:%M}"
    assert all(
        f"has moved from {old_text} to {timezone.localtime(new):%A %-d %B %Y %H:%M}" in m.body_text for m in updates
    )
    assert all("Reason: The chair is on leave that week." in m.body_text for m in updates)
    assert int(_ics(updates[0]).walk("VEVENT")[0]["SEQUENCE"]) == meeting.ics_sequence >= 1


def test_a_time_out_of_office_hours_is_a_warning_the_coordinator_confirms(signed_in):
    meeting = _meeting()
    client = signed_in(meeting.created_by)
    url = reverse("web:meeting_reschedule", args=[meeting.pk])
    late = _next_weekday_at(19, days=9)
    form = {
        "meeting_date_day": late.day, "meeting_date_month": late.month, "meeting_date_year": late.year,
        "start_time": "19:00", "duration_minutes": "60", "reason": "Only time the panel can meet.",
    }  # fmt: skip
    page = client.post(url, form)
    assert page.status_code == 200
    text = page.content.decode()
    assert "outside office hours" in text and "There is a problem" in text
    meeting.refresh_from_db()
    assert timezone.localtime(meeting.starts_at).hour == 10
    assert client.post(url, {**form, "confirm_out_of_hours": "on"}).status_code == 302
    meeting.refresh_from_db()
    assert timezone.localtime(meeting.starts_at).hour == 19


def test_rescheduling_without_a_reason_or_to_the_past_changes_nothing(signed_in):
    meeting = _meeting()
    client = signed_in(meeting.created_by)
    url = reverse("web:meeting_reschedule", args=[meeting.pk])
    past = timezone.localdate() - dt.timedelta(days=3)
    page = client.post(
        url,
        {"meeting_date_day": past.day, "meeting_date_month": past.month, "meeting_date_year": past.year,
         "start_time": "10:00", "duration_minutes": "60", "reason": ""},
    ).content.decode()  # fmt: skip
    assert "Enter the reason for rescheduling" in page
    page = client.post(
        url,
        {"meeting_date_day": past.day, "meeting_date_month": past.month, "meeting_date_year": past.year,
         "start_time": "10:00", "duration_minutes": "60", "reason": "Moved", "confirm_out_of_hours": "on"},
    ).content.decode()  # fmt: skip
    assert "must be scheduled for a time in the future" in page
    assert Meeting.objects.get(pk=meeting.pk).ics_sequence == meeting.ics_sequence


def test_cancelling_with_a_reason_sends_a_cancel_to_every_invitee(signed_in):
    meeting = _meeting()
    client = signed_in(meeting.created_by)
    url = reverse("web:meeting_cancel", args=[meeting.pk])
    assert "Enter the reason for cancelling the meeting" in client.post(url, {"reason": " "}).content.decode()
    assert client.post(url, {"reason": "The panel's business moved to next month."}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CANCELLED
    cancellations = _latest(meeting, "meeting_cancellation")
    assert all("Reason: The panel's business moved to next month." in m.body_text for m in cancellations)
    calendar = _ics(cancellations[0])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert int(calendar.walk("VEVENT")[0]["SEQUENCE"]) == meeting.ics_sequence
    page = client.get(reverse("web:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Cancelled: The panel&#x27;s business moved to next month." in page
    assert reverse("web:meeting_reschedule", args=[meeting.pk]) not in page


def test_changing_the_chair_and_video_link_tells_the_invitees_what_changed(signed_in):
    meeting = _meeting(venue="")
    other_chair = factories.chair(meeting.area, first_name="Robin", last_name="Replacement")
    client = signed_in(meeting.created_by)
    url = reverse("web:meeting_arrangements", args=[meeting.pk])
    response = client.post(
        url, {"chair": other_chair.pk, "venue": "", "video_link": "https://video.example.invalid/new-room"}
    )
    assert response.status_code == 302
    updates = _latest(meeting, "meeting_update")
    body = updates[0].body_text
    assert f"The chair is now {other_chair}." in body
    assert "The video link is now https://video.example.invalid/new-room." in body
    page = client.post(url, {"chair": other_chair.pk, "venue": "", "video_link": ""}).content.decode()
    assert "Enter a venue or a video link" in page
    page = client.post(url, {"chair": other_chair.pk, "venue": "", "video_link": "not a link"}).content.decode()
    assert "Enter the video link as a full web address" in page


def test_only_the_areas_coordinator_or_chair_can_change_a_meeting(signed_in):
    meeting = _meeting()
    police = factories.practitioner(AgencyType.POLICE)
    client = signed_in(police)
    for name in ("web:meeting_add_cases", "web:meeting_reschedule", "web:meeting_cancel", "web:meeting_arrangements"):
        assert client.get(reverse(name, args=[meeting.pk])).status_code == 403
        assert client.post(reverse(name, args=[meeting.pk]), {"reason": "x"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED and meeting.ics_sequence == 0


def test_the_invitation_links_to_the_meeting_and_its_agenda_not_a_separate_circulation():
    meeting = _meeting()
    invitation = OutboxMessage.objects.filter(kind="meeting_invitation", payload__meeting_id=str(meeting.pk)).first()
    assert reverse("web:meeting_detail", args=[meeting.pk]) in invitation.body_text
    assert reverse("web:meeting_agenda", args=[meeting.pk]) in invitation.body_text
    description = str(_ics(invitation).walk("VEVENT")[0]["DESCRIPTION"])
    assert "circulated separately" not in description
    assert reverse("web:meeting_agenda", args=[meeting.pk]) in description
