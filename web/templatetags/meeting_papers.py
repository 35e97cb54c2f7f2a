"""What the meeting page shows a practitioner of their own agency's side of a meeting (two queries)."""

from __future__ import annotations

from typing import Any

from django import template

from meetings.models_reports import AgencyReport, AttendanceConfirmation

register = template.Library()


@register.simple_tag
def my_agency_papers(meeting: Any, user: Any) -> dict[str, Any]:
    """Whether the user's agency is invited, its answer to the invitation, and the agenda items it has reported on."""
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None or not any(i.agency_id == agency_id for i in meeting.invitations.all()):
        return {"invited": False, "answer": None, "reported": set()}
    return {
        "invited": True,
        "answer": AttendanceConfirmation.objects.filter(meeting=meeting, agency_id=agency_id).first(),
        "reported": set(
            AgencyReport.objects.filter(agenda_item__meeting=meeting, agency_id=agency_id).values_list(
                "agenda_item_id", flat=True
            )
        ),
    }
