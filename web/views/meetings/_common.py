"""What the meeting pages share: the meeting as the user may run or read it, its agenda as they may see it, and the audit of who saw whom."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mappa_workflow.audit import audit_view
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings import selectors as meeting_selectors
from meetings.models import (
    AgendaItem,
    Meeting,
    MeetingState,
)
from need_to_know import permissions

DRAFT_STATES = (MeetingState.HELD, MeetingState.MINUTES_DRAFTED)  # minutes can still change


def _meeting(request: AuthenticatedHttpRequest, pk: Any, *, page: bool = False, manage: bool = True) -> Meeting:
    """The meeting with its agenda, minutes and actions (``page``: only what the meeting page shows).

    ``manage=False`` is for the meeting page alone, which everyone holding ``meetings.view_meeting`` reads
    (the same rule as the API's meeting detail); every other meeting page runs the meeting."""
    try:
        meeting = (meeting_selectors.meeting_page if page else meeting_selectors.meeting_detail)(pk)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc
    if not permissions.has_perm(request.user, "meetings.view_meeting", meeting):
        raise Http404
    if manage and not permissions.has_perm(request.user, "meetings.manage_meeting", meeting):
        raise PermissionDenied("Only the area's co-ordinator or chair can run its meetings")
    return meeting


def _visible_items(request: AuthenticatedHttpRequest, meeting: Meeting) -> list[AgendaItem]:
    """The agenda as this user may see it: a Category 4 case is left out for anyone without
    counter-terrorism clearance (permissions.visible_agenda_items, one query)."""
    visible = set(
        permissions.visible_agenda_items(request.user, AgendaItem.objects.filter(meeting=meeting)).values_list(
            "pk", flat=True
        )
    )
    return [item for item in meeting.agenda_items.all() if item.pk in visible]


def _audit_agenda(request: AuthenticatedHttpRequest, meeting: Meeting, visible: list[AgendaItem], *, what: str) -> None:
    """Record who saw the people on the agenda (one row per person, so "who viewed this case" has it).
    When some cases are hidden from the user, only the cases shown are recorded as seen."""
    if len(visible) == len(meeting.agenda_items.all()):
        audit_view(request, meeting, what=what)
    else:
        for item in visible:
            audit_view(request, item, what=what)


def _agenda_item(request: AuthenticatedHttpRequest, meeting: Meeting, item_id: Any) -> AgendaItem:
    """A case on the agenda the user may see (a Category 4 case without clearance: 404)."""
    for item in _visible_items(request, meeting):
        if str(item.pk) == str(item_id):
            return item
    raise Http404


def _agency_choices(meeting: Meeting) -> list[tuple[str, str]]:
    return [(str(a.pk), a.name) for a in meeting_selectors.area_agencies(meeting.area)]
