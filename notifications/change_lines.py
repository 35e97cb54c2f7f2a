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
