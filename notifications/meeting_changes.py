"""The messages about an agency's papers and a meeting's minutes: a co-ordinator's request for missing written
reports, and the news that minutes are approved. Both go to agency inboxes and name no one."""

from __future__ import annotations

from typing import Any


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
