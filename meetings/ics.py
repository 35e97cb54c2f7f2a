"""The calendar invitation (.ics, RFC 5545 / iTIP) for a meeting, as Outlook and Google Calendar accept it.

One UID per meeting for its whole life; SEQUENCE rises on every change that invitees should see
(the services raise it); a cancelled meeting gives METHOD:CANCEL with STATUS:CANCELLED. The
invitation names no individual: who is discussed is OFFICIAL-SENSITIVE and travels with the
agenda, not in calendars. Sending is the notifications app's job.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Meeting, MeetingState

PRODID = "-//MAPPA workflow//Meetings//EN"


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def agenda_url(meeting: Meeting) -> str:
    """Where invitees read the agenda: the service's page, behind sign-in and the need-to-know rules."""
    from django.conf import settings
    from django.urls import reverse

    site = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{site}{reverse('web:meeting_agenda', args=[meeting.pk])}"


def meeting_ics(meeting: Meeting) -> bytes:
    """The invitation for ``meeting`` in its current state (REQUEST, or CANCEL once cancelled)."""
    cancelled = meeting.state == MeetingState.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", meeting.ics_uid)
    event.add("sequence", meeting.ics_sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at.astimezone(dt.UTC))
    event.add("dtend", meeting.ends_at.astimezone(dt.UTC))
    event.add("summary", f"MAPPA {meeting.get_meeting_type_display()} ({meeting.area})")
    event.add("location", meeting.venue or meeting.video_link)
    if meeting.video_link:
        event.add("url", meeting.video_link)
    cases = len(meeting.agenda_items.all())
    description = [
        f"{meeting.get_meeting_type_display()} chaired by {meeting.chair}.",
        f"{cases} case{'s' if cases != 1 else ''} on the agenda. Agenda (OFFICIAL-SENSITIVE, sign in): {agenda_url(meeting)}",
    ]
    if meeting.video_link:
        description.append(f"Join by video: {meeting.video_link}")
    if cancelled:
        description.insert(0, f"CANCELLED: {meeting.cancellation_reason}")
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if meeting.chair.email:
        event.add("organizer", _address(meeting.chair.email, str(meeting.chair)))
    for invitation in meeting.invitations.all():
        if invitation.agency.email:
            event.add(
                "attendee",
                _address(
                    invitation.agency.email,
                    invitation.agency.name,
                    ROLE="REQ-PARTICIPANT",
                    PARTSTAT="NEEDS-ACTION",
                    RSVP="TRUE",
                ),
                encode=False,
            )
    calendar.add_component(event)
    return calendar.to_ical()


def ics_filename(meeting: Meeting) -> str:
    return f"mappa-{meeting.meeting_type.replace('_', '-')}-{timezone.localtime(meeting.starts_at):%Y-%m-%d-%H%M}.ics"
