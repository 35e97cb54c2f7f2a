"""The agenda and papers of a meeting, and the agencies' written reports.

The agenda (page and PDF) lists the cases the reader may see, in order with their time slots, what each
case is, what earlier meetings decided, the actions outstanding and which agencies have reported. A written
report is read by the area's co-ordinators and chairs and by the agency that wrote it; its document is served
only from here, after the same check (it is stored outside every published folder).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from mappa_workflow.audit import audit_export, audit_view
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings import selectors as meeting_selectors
from meetings import services_reports
from meetings.models import AgendaItem, Meeting, MeetingState
from meetings.models_reports import ATTACHMENT_TYPES, AgencyReport
from meetings.selectors_agenda import agenda_entries, reporting_by_agency
from need_to_know import permissions

from ..access import can_see_cases, page
from ..forms_base import apply_workflow_error
from ..forms_meeting_changes import AgencyReportForm


def visible_meeting(request: AuthenticatedHttpRequest, pk: Any) -> Meeting:
    """A meeting the user may see (404 otherwise, so its existence is not given away)."""
    try:
        meeting = meeting_selectors.meeting_page(pk)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc
    if not permissions.has_perm(request.user, "meetings.view_meeting", meeting):
        raise Http404
    return meeting


def visible_items(request: AuthenticatedHttpRequest, meeting: Meeting) -> list[AgendaItem]:
    """The agenda as the user may see it (a Category 4 case only with counter-terrorism clearance)."""
    visible = set(
        permissions.visible_agenda_items(request.user, AgendaItem.objects.filter(meeting=meeting)).values_list(
            "pk", flat=True
        )
    )
    return [item for item in meeting.agenda_items.all() if item.pk in visible]


def _audit_items(request: AuthenticatedHttpRequest, meeting: Meeting, items: list[AgendaItem], what: str) -> None:
    if len(items) == len(meeting.agenda_items.all()):
        audit_view(request, meeting, what=what)
    else:
        for item in items:
            audit_view(request, item, what=what)


def can_read_report(user: Any, report: AgencyReport, meeting: Meeting) -> bool:
    """The area's co-ordinators and chairs, and the agency that wrote it, if they may see the case."""
    if not permissions.has_perm(user, "meetings.view_minutes", report.agenda_item):
        return False
    return permissions.has_perm(user, "meetings.manage_meeting", meeting) or (
        user.agency_id is not None and user.agency_id == report.agency_id
    )


def _agenda_context(request: AuthenticatedHttpRequest, meeting: Meeting) -> dict[str, Any]:
    items = visible_items(request, meeting)
    can_manage = permissions.has_perm(request.user, "meetings.manage_meeting", meeting)
    invited = request.user.agency_id is not None and any(
        i.agency_id == request.user.agency_id for i in meeting.invitations.all()
    )
    return {
        "meeting": meeting,
        "entries": agenda_entries(meeting, items),
        "hidden_cases": len(meeting.agenda_items.all()) - len(items),
        "can_manage": can_manage,
        "my_agency_id": request.user.agency_id,
        "can_report": invited and meeting.state == MeetingState.SCHEDULED,
        "reporting": reporting_by_agency(meeting) if can_manage else [],
        "is_scheduled": meeting.state == MeetingState.SCHEDULED,
        "items": items,
    }


@page(can_see_cases)
def meeting_agenda(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    meeting = visible_meeting(request, pk)
    context = _agenda_context(request, meeting)
    _audit_items(request, meeting, context["items"], "agenda")
    return render(request, "web/meetings/agenda.html", context)


@page(can_see_cases)
def meeting_agenda_pdf(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The agenda as a PDF paper (OFFICIAL-SENSITIVE), with only the cases the reader may see."""
    meeting = visible_meeting(request, pk)
    context = _agenda_context(request, meeting)
    context["generated_at"] = timezone.localtime()
    from weasyprint import HTML

    body = HTML(string=render_to_string("web/meetings/agenda_pdf.html", context)).write_pdf()
    _audit_items(request, meeting, context["items"], "agenda PDF")
    audit_export(
        request,
        what=f"agenda-{meeting.pk}",
        area_id=meeting.area_id,
        details={"meeting_id": str(meeting.pk), "cases": len(context["items"]), "path": request.path},
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="agenda-{meeting.meeting_date:%Y-%m-%d}-{meeting.meeting_type}.pdf"'
    )
    return response


def _item(request: AuthenticatedHttpRequest, meeting: Meeting, item_id: Any) -> AgendaItem:
    for item in visible_items(request, meeting):
        if str(item.pk) == str(item_id):
            return item
    raise Http404


@page(can_see_cases)
def agency_report(request: AuthenticatedHttpRequest, pk: Any, item_id: Any) -> HttpResponse:
    """An invited agency's written report on one case: sent, or replaced, before the meeting."""
    meeting = visible_meeting(request, pk)
    item = _item(request, meeting, item_id)
    agency_id = request.user.agency_id
    if agency_id is None or not any(i.agency_id == agency_id for i in meeting.invitations.all()):
        raise Http404
    existing = AgencyReport.objects.filter(agenda_item=item, agency_id=agency_id).first()
    initial = (
        {"current_risk": existing.current_risk, "changes": existing.changes, "contribution": existing.contribution}
        if existing
        else {}
    )
    if request.method == "POST" and meeting.state == MeetingState.SCHEDULED:
        form = AgencyReportForm(request.POST, request.FILES, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services_reports.agency_report_submit(
                    actor=request.user,
                    item=item,
                    current_risk=data["current_risk"],
                    changes=data["changes"],
                    contribution=data["contribution"],
                    attachment=data["attachment"] or None,
                )
            except WorkflowError as exc:
                apply_workflow_error(form, exc)
            else:
                messages.success(request, f"Your agency's written report on {item.individual} is sent")
                return redirect("web:meeting_detail", pk=meeting.pk)
    else:
        form = AgencyReportForm(initial=initial)
    audit_view(request, item, what="written report form")
    return render(
        request,
        "web/meetings/agency_report.html",
        {
            "meeting": meeting,
            "item": item,
            "form": form,
            "existing": existing,
            "open": meeting.state == MeetingState.SCHEDULED,
        },
    )


def _report(request: AuthenticatedHttpRequest, meeting: Meeting, report_id: Any) -> AgencyReport:
    report = (
        AgencyReport.objects.select_related("agency", "agenda_item__meeting", "agenda_item__registration__individual")
        .select_related("agenda_item__referral__individual")
        .filter(pk=report_id, agenda_item__meeting=meeting)
        .first()
    )
    if report is None or not can_read_report(request.user, report, meeting):
        raise Http404
    return report


@page(can_see_cases)
def agency_report_detail(request: AuthenticatedHttpRequest, pk: Any, report_id: Any) -> HttpResponse:
    meeting = visible_meeting(request, pk)
    report = _report(request, meeting, report_id)
    audit_view(request, report.agenda_item, what="written report")
    return render(request, "web/meetings/agency_report_detail.html", {"meeting": meeting, "report": report})


@page(can_see_cases)
def agency_report_attachment(request: AuthenticatedHttpRequest, pk: Any, report_id: Any) -> FileResponse:
    """The report's document, after the same check as the report (never a public address)."""
    meeting = visible_meeting(request, pk)
    report = _report(request, meeting, report_id)
    if not report.attachment:
        raise Http404
    extension = (report.attachment.name or "").rsplit(".", 1)[-1].lower()
    content_type = ATTACHMENT_TYPES.get(extension, ("", "application/octet-stream"))[1]
    audit_export(
        request,
        what=f"written-report-{report.pk}",
        area_id=meeting.area_id,
        details={"meeting_id": str(meeting.pk), "agenda_item": report.agenda_item_id, "path": request.path},
    )
    response = FileResponse(
        report.attachment.open("rb"),
        as_attachment=True,
        filename=report.attachment_name or f"report.{extension}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
