"""A practitioner's meetings: the meetings their agency is invited to, their answer to the invitation, and the
approved minutes of the cases they may see (and nothing else of the meeting's minutes)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from mappa_workflow.audit import audit_view
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings import services_reports
from meetings.models import Meeting, MeetingState
from meetings.models_reports import AttendanceConfirmation
from need_to_know import permissions

from ..access import can_manage_cases, can_see_cases, page
from ..forms_base import apply_workflow_error
from ..forms_meeting_changes import AttendanceIntentionForm
from .agenda import visible_items, visible_meeting


def _my_agency_meetings(request: AuthenticatedHttpRequest) -> Any:
    user = request.user
    if user.agency_id is None:
        return Meeting.objects.none()
    meetings = permissions.visible_meetings(user, Meeting.objects.filter(invitations__agency_id=user.agency_id))
    return meetings.select_related("area", "chair").distinct()


@page(can_see_cases)
def my_meetings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The meetings the user's agency is invited to: coming up (soonest first) and past (latest first)."""
    agency_id = request.user.agency_id
    if agency_id is None:
        if can_manage_cases(request.user):
            return redirect("web:meeting_list")
        agency_id = 0  # no agency: invited to nothing
    meetings = _my_agency_meetings(request)
    now = timezone.now()
    upcoming = list(meetings.filter(state=MeetingState.SCHEDULED, ends_at__gte=now).order_by("starts_at")[:50])
    past = list(meetings.exclude(pk__in=[m.pk for m in upcoming]).order_by("-starts_at")[:50])
    answers = {
        c.meeting_id: c
        for c in AttendanceConfirmation.objects.filter(agency_id=agency_id, meeting__in=[m.pk for m in upcoming])
    }
    return render(
        request,
        "web/meetings/my_meetings.html",
        {"upcoming": [(m, answers.get(m.pk)) for m in upcoming], "past": past},
    )


@page(can_see_cases)
def attendance_confirm(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The agency's answer to the invitation: attending, apologies with a written report, or apologies."""
    meeting = visible_meeting(request, pk)
    agency_id = request.user.agency_id
    if agency_id is None or not any(i.agency_id == agency_id for i in meeting.invitations.all()):
        raise Http404
    if meeting.state != MeetingState.SCHEDULED:
        messages.info(request, "The meeting is no longer open for answers")
        return redirect("web:meeting_detail", pk=meeting.pk)
    existing = AttendanceConfirmation.objects.filter(meeting=meeting, agency_id=agency_id).first()
    initial = (
        {"intention": existing.intention, "name": existing.name} if existing else {"name": request.user.get_full_name()}
    )
    form = AttendanceIntentionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            confirmation = services_reports.attendance_confirm(
                actor=request.user,
                meeting=meeting,
                intention=form.cleaned_data["intention"],
                name=form.cleaned_data["name"],
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, f"Your agency's answer is recorded: {confirmation.get_intention_display()}")
            return redirect("web:meeting_detail", pk=meeting.pk)
    return render(request, "web/meetings/attendance_confirm.html", {"meeting": meeting, "form": form})


@page(can_see_cases)
def case_minutes_read(request: AuthenticatedHttpRequest, pk: Any, item_id: Any) -> HttpResponse:
    """The minutes of one case, read-only: approved minutes for anyone who may see the case; the draft only for
    those who run the meeting (they edit it on the minutes page)."""
    meeting = visible_meeting(request, pk)
    item = next((i for i in visible_items(request, meeting) if str(i.pk) == str(item_id)), None)
    if item is None:
        raise Http404
    manages = permissions.has_perm(request.user, "meetings.manage_meeting", meeting)
    if meeting.state != MeetingState.MINUTES_APPROVED and not manages:
        raise Http404
    from meetings.models import CaseMinutes

    minutes = (
        CaseMinutes.objects.filter(agenda_item=item).prefetch_related("disclosures", "actions__owning_agency").first()
    )
    if minutes is None:
        raise Http404
    audit_view(request, minutes, what="case minutes (read)")
    return render(
        request,
        "web/meetings/case_minutes_read.html",
        {"meeting": meeting, "item": item, "minutes": minutes},
    )
