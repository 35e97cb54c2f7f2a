"""The meeting page, its minutes as a PDF, the buttons that move the meeting on (held, minutes drafted,
minutes approved), and the changes to a scheduled meeting's invitations and agenda."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from mappa_workflow.audit import audit_export
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings import pdf as minutes_pdf
from meetings import selectors as meeting_selectors
from meetings import services as meeting_services
from meetings.models import (
    Meeting,
    MeetingState,
)
from need_to_know import permissions
from need_to_know import selectors as need_to_know_selectors

from ...access import can_manage_cases, can_see_cases, page
from ...forms_base import apply_workflow_error
from ...forms_meetings import (
    ExtraInvitationForm,
    RemoveCaseForm,
)
from ._common import DRAFT_STATES, _agenda_item, _audit_agenda, _meeting, _visible_items


def _detail_context(request: AuthenticatedHttpRequest, meeting: Meeting) -> dict[str, Any]:
    items = _visible_items(request, meeting)
    hidden = len(meeting.agenda_items.all()) - len(items)
    can_manage = permissions.has_perm(request.user, "meetings.manage_meeting", meeting)
    return {
        "can_manage": can_manage,
        "can_change_agenda": can_manage and meeting.state == MeetingState.SCHEDULED,
        "minutes_in_draft": meeting.state in DRAFT_STATES,
        "meeting": meeting,
        "agenda": items,
        "hidden_cases": hidden,
        "invitations": [
            (i.agency.name, i.reason) for i in need_to_know_selectors.invitations_as_seen_by(meeting, request.user)
        ],
        "has_minutes": meeting.state in (*DRAFT_STATES, MeetingState.MINUTES_APPROVED),
        "attendance": meeting.attendance.all(),
        "gaps": meeting_services.attendance_gaps(meeting) if meeting.state == MeetingState.MINUTES_DRAFTED else [],
        "has_started": meeting.starts_at <= timezone.now(),
    }


@page(can_see_cases)
def meeting_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The meeting: run by the co-ordinator and chair; read by the practitioners of the agencies invited to
    it (or that attended), as the API's meeting detail is (docs/security.md, "One rule")."""
    meeting = _meeting(request, pk, page=True, manage=False)
    context = _detail_context(request, meeting)
    _audit_agenda(request, meeting, context["agenda"], what="meeting page")
    return render(request, "web/meetings/detail.html", context)


@page(can_manage_cases)
def meeting_minutes_pdf(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The minutes as a PDF: in full for the panel, or ``?variant=executive_summary``. Only the
    cases the user may see are in it; the download is recorded as a view of each and an export."""
    meeting = _meeting(request, pk)
    variant = request.GET.get("variant", minutes_pdf.FULL)
    if variant not in (minutes_pdf.FULL, minutes_pdf.EXECUTIVE_SUMMARY):
        raise Http404("No such version of the minutes")
    if meeting.state not in (*DRAFT_STATES, MeetingState.MINUTES_APPROVED):
        messages.info(request, "There are no minutes until the meeting has taken place")
        return redirect("web:meeting_detail", pk=meeting.pk)
    items = _visible_items(request, meeting)
    shown = {item.pk for item in items}
    context = minutes_pdf.minutes_context(meeting, variant=variant)
    context["items"] = [item for item in context["items"] if item.pk in shown]
    context["invitations"] = need_to_know_selectors.invitations_as_seen_by(meeting, request.user)
    from weasyprint import HTML

    body = HTML(string=render_to_string("meetings/pdf/minutes.html", context)).write_pdf()
    _audit_agenda(request, meeting, items, what=f"minutes PDF ({variant.replace('_', ' ')})")
    audit_export(
        request,
        what=f"minutes-{meeting.pk}",
        area_id=meeting.area_id,
        details={"meeting_id": str(meeting.pk), "variant": variant, "cases": len(items), "path": request.path},
    )
    response = HttpResponse(body, content_type="application/pdf")
    suffix = "" if variant == minutes_pdf.FULL else "-executive-summary"
    response["Content-Disposition"] = (
        f'attachment; filename="minutes-{meeting.meeting_date:%Y-%m-%d}-{meeting.meeting_type}{suffix}.pdf"'
    )
    return response


@page(can_manage_cases)
def meeting_transition(request: AuthenticatedHttpRequest, pk: Any, action: str) -> HttpResponse:
    """The buttons on the meeting page: record as held, mark minutes drafted, approve minutes."""
    if request.method != "POST":
        return redirect("web:meeting_detail", pk=pk)
    meeting = _meeting(request, pk)
    try:
        if action == "held":
            meeting_services.meeting_record_held(actor=request.user, meeting=meeting)
            messages.success(request, "Meeting recorded as held: now record attendance and the minutes")
        elif action == "draft":
            meeting_services.meeting_draft_minutes(actor=request.user, meeting=meeting)
            messages.success(request, "Minutes marked as drafted: they can now be approved")
        elif action == "approve":
            meeting_services.meeting_approve_minutes(
                actor=request.user,
                meeting=meeting,
                confirm_attendance_gaps=request.POST.get("confirm_attendance_gaps") == "yes",
            )
            messages.success(request, "Minutes approved and circulated")
        else:
            raise Http404
    except WorkflowError as exc:
        context = _detail_context(request, _meeting(request, pk))
        context["error_items"] = [
            (field if field == "confirm_attendance_gaps" else "", message)
            for field, field_messages in exc.errors.items()
            for message in field_messages
        ]
        context["forms_have_errors"] = True
        return render(request, "web/meetings/detail.html", context)
    return redirect("web:meeting_detail", pk=meeting.pk)


# ---------------------------------------------------------------------------------------------
# Changes around a meeting: agenda, invitations, attendance beyond the panel, draft minutes
# ---------------------------------------------------------------------------------------------


@page(can_manage_cases)
def meeting_invite(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Invite one more agency to a scheduled meeting, for a reason of this meeting's cases."""
    meeting = _meeting(request, pk)
    if meeting.state != MeetingState.SCHEDULED:
        return redirect("web:meeting_detail", pk=meeting.pk)
    invited = {i.agency_id for i in meeting.invitations.all()}
    addable = [(str(a.pk), a.name) for a in meeting_selectors.area_agencies(meeting.area) if a.pk not in invited]
    form = ExtraInvitationForm(request.POST or None, agencies=addable)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.meeting_invite_agency(
                actor=request.user,
                meeting=meeting,
                agency=meeting_selectors.area_agency(meeting.area, form.cleaned_data["agency"]),
                reason=form.cleaned_data["reason"],
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, "Agency invited: it is sent the invitation")
            return redirect("web:meeting_detail", pk=meeting.pk)
    return render(request, "web/meetings/invite.html", {"meeting": meeting, "form": form})


@page(can_manage_cases)
def agenda_remove(request: AuthenticatedHttpRequest, pk: Any, item_id: Any) -> HttpResponse:
    """Take a case off a scheduled meeting's agenda, saying why."""
    meeting = _meeting(request, pk)
    item = _agenda_item(request, meeting, item_id)
    form = RemoveCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.meeting_remove_case(
                actor=request.user, meeting=meeting, item=item, reason=form.cleaned_data["reason"]
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, f"{item.individual} taken off the agenda: invited agencies are told")
            return redirect("web:meeting_detail", pk=meeting.pk)
    return render(request, "web/meetings/agenda_remove.html", {"meeting": meeting, "item": item, "form": form})
