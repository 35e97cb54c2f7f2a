"""What an updated invitation tells the invitees changed, in words that name no one.

A meeting's change is recorded by its service as an audit row in the same transaction that writes the
invitees' messages, so the newest audit row of the meeting, read while the messages are written, is the
change being announced. Nothing here names a person on the agenda: an agency inbox is read by people no
one has vetted for a Category 4 case, so cases are counted, never named, and a case taken off the agenda
is not given its (free-text) reason.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mappa_workflow.models import Agency, AuditEvent


def _local(moment: Any) -> str:
    return f"{timezone.localtime(moment):%A %-d %B %Y %H:%M}"


def _cases(count: int) -> str:
    return f"{count} case{'s' if count != 1 else ''}"


def what_changed(meeting: Any) -> list[str]:
    """One line per change in the meeting's latest update, as its invitees should read it."""
    event = (
        AuditEvent.objects.filter(object_type=meeting._meta.label, object_id=str(meeting.pk))
        .order_by("-id")
        .only("transition", "reason", "details")
        .first()
    )
    if event is None:
        return []
    details = event.details or {}
    if event.transition == "reschedule":
        moved = meeting.reschedules.order_by("-rescheduled_at", "-id").first()
        if moved is None:
            return [f"The meeting now starts at {_local(meeting.starts_at)}."]
        return [
            f"The meeting has moved from {_local(moved.previous_starts_at)} to {_local(moved.new_starts_at)}.",
            f"Reason: {moved.reason}",
        ]
    if "fields" in details:
        lines = []
        for name in details["fields"]:
            if name == "chair":
                lines.append(f"The chair is now {meeting.chair}.")
            elif name == "venue":
                lines.append(f"The venue is now {meeting.venue}." if meeting.venue else "There is no longer a venue.")
            elif name == "video_link":
                lines.append(
                    f"The video link is now {meeting.video_link}."
                    if meeting.video_link
                    else "There is no longer a video link."
                )
        return lines
    if "invited_agency" in details:
        agency = Agency.objects.filter(pk=details["invited_agency"]).first()
        return [f"{agency} is now invited as well."] if agency else []
    if event.reason == "Cases added to the agenda":
        added = len(details.get("registrations", [])) + len(details.get("referrals", []))
        return [f"{_cases(added)} added to the agenda."]
    if event.reason.startswith("Case taken off the agenda"):
        return ["A case was taken off the agenda."]
    return []


def report_chase_notify(*, chase_id: Any) -> int:
    """The co-ordinator's reminder to one agency's inbox: how many written reports the meeting still
    needs from it, and where to send them. Counts the cases, names none. Returns messages added."""
    from meetings.models import ReportChase

    from .email import render_email
    from .models import MessageKind
    from .outbox import outbox_add

    chase = ReportChase.objects.select_related("agency", "meeting__area", "meeting__chair").get(pk=chase_id)
    return int(
        outbox_add(
            kind=MessageKind.REPORTS_REQUESTED,
            recipient_email=chase.agency.email,
            dedupe_key=f"reports-requested:{chase.pk}:{chase.agency.email}",
            email=render_email("reports_requested", {"chase": chase, "meeting": chase.meeting}),
            payload={"meeting_id": str(chase.meeting_id), "agency_id": chase.agency_id},
        )
        is not None
    )


def minutes_circulated_notify(*, meeting_id: Any) -> int:
    """When a meeting's minutes are approved, each invited agency's inbox (and the chair) is told they can
    read the minutes of the cases they may see, in the service. Names no one. Returns messages added."""
    from meetings.models import Meeting

    from .email import render_email
    from .models import MessageKind
    from .outbox import outbox_add
    from .services import meeting_recipients

    meeting = Meeting.objects.select_related("area", "chair").prefetch_related("invitations__agency").get(pk=meeting_id)
    email = render_email("minutes_circulated", {"meeting": meeting})
    added = 0
    for address, user_id in meeting_recipients(meeting):
        added += bool(
            outbox_add(
                kind=MessageKind.MINUTES_CIRCULATED,
                recipient_email=address,
                recipient_id=user_id,
                dedupe_key=f"minutes-circulated:{meeting.pk}:{address}",
                email=email,
                payload={"meeting_id": str(meeting.pk)},
            )
        )
    return added
