"""Changing a scheduled meeting: add cases, reschedule, cancel, change the chair, venue or video link, and ask
agencies for their missing written reports. Each page calls one service; the invitees are sent an updated
invitation (or the cancellation) saying what changed. Unusual but possible choices (a meeting out of office
hours, a case already booked at another meeting) are warnings the co-ordinator confirms, not refusals.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from mappa_workflow.audit import audit_list
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, Role, User
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings import selectors as meeting_selectors
from meetings import services as meeting_services
from meetings import services_reports
from meetings.models import Meeting, MeetingState, MeetingType
from meetings.warnings import booked_elsewhere, out_of_hours
from need_to_know import permissions
from need_to_know import selectors as need_to_know_selectors

from ..access import can_manage_cases, page
from ..forms_base import apply_workflow_error
from ..forms_meeting_changes import ArrangementsForm, CancelForm, RescheduleForm


def managed_meeting(request: AuthenticatedHttpRequest, pk: Any) -> Meeting:
    """A meeting the user runs (404 if they may not see it, 403 if they may see but not run it)."""
    try:
        meeting = meeting_selectors.meeting_page(pk)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc
    if not permissions.has_perm(request.user, "meetings.view_meeting", meeting):
        raise Http404
    if not permissions.has_perm(request.user, "meetings.manage_meeting", meeting):
        raise PermissionDenied("Only the area's co-ordinator or chair can change its meetings")
    return meeting


def _scheduled_or_back(request: AuthenticatedHttpRequest, meeting: Meeting) -> HttpResponse | None:
    if meeting.state != MeetingState.SCHEDULED:
        messages.info(request, f"The meeting is {meeting.get_state_display().lower()}: it can no longer be changed")
        return redirect("web:meeting_detail", pk=meeting.pk)
    return None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Adding cases
# ---------------------------------------------------------------------------------------------


def _panel_candidates(
    request: AuthenticatedHttpRequest, meeting: Meeting, term: str, ticked: list[str]
) -> list[meeting_selectors.CaseDue]:
    """Cases of the panel's level the user may see: those due by the scheduling window after the meeting,
    those matching the search, and those already ticked; none already on this agenda."""
    area, level = meeting.area, meeting.level
    assert level is not None
    on_agenda = {str(i.registration_id) for i in meeting.agenda_items.all() if i.registration_id}
    until = meeting_selectors.scheduling_window_end(area=area, on=meeting.meeting_date)
    cases = need_to_know_selectors.cases_due(user=request.user, area=area, until=until, level=level)
    if term:
        cases += need_to_know_selectors.cases_at_level_matching(user=request.user, area=area, level=level, term=term)
    listed = {str(c.registration.pk) for c in cases}
    extra = [pk for pk in ticked if pk not in listed]
    if extra:
        cases += need_to_know_selectors.cases_by_registration(
            user=request.user, area=area, level=level, registration_ids=extra
        )
    unique: dict[str, meeting_selectors.CaseDue] = {}
    for case in cases:
        key = str(case.registration.pk)
        if key not in on_agenda:
            unique.setdefault(key, case)
    return list(unique.values())


def _panel_choice(case: meeting_selectors.CaseDue, meeting: Meeting, ticked: list[str]) -> dict[str, Any]:
    timescale = case.timescale
    hint = timescale.label if timescale is not None else "No first meeting or review date set"
    if case.booked_on is not None and case.booked_on.pk != meeting.pk:
        hint += f". Already booked: {case.booked_on}"
    return {
        "record": case.registration,
        "value": str(case.registration.pk),
        "label": str(case.registration.individual),
        "hint": hint,
        "checked": str(case.registration.pk) in ticked,
    }


def _threshold_choices(request: AuthenticatedHttpRequest, meeting: Meeting, ticked: list[str]) -> list[dict[str, Any]]:
    on_agenda = {str(i.referral_id) for i in meeting.agenda_items.all() if i.referral_id}
    return [
        {
            "record": r,
            "value": str(r.pk),
            "label": f"{r.reference}: {r.individual}",
            "hint": f"From {r.referring_agency}",
            "checked": str(r.pk) in ticked,
        }
        for r in permissions.visible_referrals(request.user, meeting_selectors.referrals_to_screen(area=meeting.area))
        if str(r.pk) not in on_agenda
    ]


@page(can_manage_cases)
def meeting_add_cases(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Put more cases on a scheduled meeting's agenda: the cases due, or any case of the panel's level found by
    name or reference (works without JavaScript). A case already booked at another meeting is a warning."""
    meeting = managed_meeting(request, pk)
    if (back := _scheduled_or_back(request, meeting)) is not None:
        return back
    threshold = meeting.meeting_type == MeetingType.THRESHOLD
    data = request.POST if request.method == "POST" else request.GET
    term = data.get("q", "").strip()[:100]
    ticked = list(dict.fromkeys(v for v in data.getlist("cases") if _is_uuid(v)))
    if threshold:
        choices = _threshold_choices(request, meeting, ticked)
    else:
        choices = [_panel_choice(c, meeting, ticked) for c in _panel_candidates(request, meeting, term, ticked)]
    chosen = [c["record"] for c in choices if c["checked"]]
    error_items: list[tuple[str, str]] = []
    warnings: list[str] = []
    adding = request.method == "POST" and "add" in request.POST
    if request.method == "POST" and "search" in request.POST and not term:
        error_items.append(("q", "Enter a name or reference to search for"))
    elif adding and not chosen:
        error_items.append(("cases-0", "Select at least one case to add to the agenda"))
    elif adding:
        registrations = [] if threshold else chosen
        referrals = chosen if threshold else []
        elsewhere = booked_elsewhere(meeting=meeting, registrations=registrations, referrals=referrals)
        warnings = [
            f"{record.individual} is already on the agenda of {elsewhere[str(record.pk)]}"
            for record in chosen
            if str(record.pk) in elsewhere
        ]
        if not warnings or request.POST.get("confirm_booked") == "yes":
            try:
                items = meeting_services.meeting_add_cases(
                    actor=request.user, meeting=meeting, registrations=registrations, referrals=referrals
                )
            except WorkflowError as exc:
                error_items = [("", m) for msgs in exc.errors.values() for m in msgs]
            else:
                messages.success(
                    request,
                    f"{len(items)} case{'s' if len(items) != 1 else ''} added to the agenda: "
                    "the invited agencies are sent an updated invitation",
                )
                return redirect("web:meeting_detail", pk=meeting.pk)
    audit_list(request, what="cases to add to a meeting", shown=[c["record"] for c in choices], search={"q": term})
    return render(
        request,
        "web/meetings/add_cases.html",
        {
            "meeting": meeting,
            "threshold": threshold,
            "choices": choices,
            "q": term,
            "warnings": warnings,
            "error_items": error_items,
            "forms_have_errors": bool(error_items),
            "cases_error": any(f == "cases-0" for f, _ in error_items),
            "q_error": any(f == "q" for f, _ in error_items),
        },
    )


# ---------------------------------------------------------------------------------------------
# Rescheduling, cancelling, arrangements
# ---------------------------------------------------------------------------------------------


@page(can_manage_cases)
def meeting_reschedule(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Move the meeting, with the reason (sent to the invitees). Out of office hours is a warning to confirm."""
    meeting = managed_meeting(request, pk)
    if (back := _scheduled_or_back(request, meeting)) is not None:
        return back
    local = timezone.localtime(meeting.starts_at)
    initial = {
        "meeting_date": local.date(),
        "start_time": local.strftime("%H:%M"),
        "duration_minutes": meeting.duration_minutes,
    }
    form = RescheduleForm(request.POST or None, initial=initial)
    warning = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_at = timezone.make_aware(dt.datetime.combine(data["meeting_date"], data["start_time"]))
        warning = out_of_hours(starts_at, data["duration_minutes"])
        if warning and not data["confirm_out_of_hours"]:
            form.add_error(
                "confirm_out_of_hours", f"Confirm the new time: {warning}. Tick the box to hold the meeting then anyway"
            )
        else:
            try:
                meeting_services.meeting_reschedule(
                    actor=request.user,
                    meeting=meeting,
                    starts_at=starts_at,
                    reason=data["reason"],
                    duration_minutes=data["duration_minutes"],
                )
            except WorkflowError as exc:
                apply_workflow_error(form, exc)
            else:
                messages.success(request, "Meeting rescheduled: the invited agencies are sent the new time")
                return redirect("web:meeting_detail", pk=meeting.pk)
    return render(request, "web/meetings/reschedule.html", {"meeting": meeting, "form": form, "out_of_hours": warning})


@page(can_manage_cases)
def meeting_cancel(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    meeting = managed_meeting(request, pk)
    if (back := _scheduled_or_back(request, meeting)) is not None:
        return back
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, "Meeting cancelled: the invited agencies are told, with the reason")
            return redirect("web:meeting_detail", pk=meeting.pk)
    return render(request, "web/meetings/cancel.html", {"meeting": meeting, "form": form})


def _chairs(meeting: Meeting) -> list[tuple[str, str]]:
    chairs = User.objects.filter(area=meeting.area, role_assignments__role=Role.CHAIR, is_active=True).order_by(
        "last_name", "first_name"
    )
    return [(str(c.pk), f"{c.get_full_name() or c.username} ({c.get_seniority_display()})") for c in chairs.distinct()]


@page(can_manage_cases)
def meeting_arrangements(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Change the chair, the venue or the video link."""
    meeting = managed_meeting(request, pk)
    if (back := _scheduled_or_back(request, meeting)) is not None:
        return back
    initial = {"chair": str(meeting.chair_id), "venue": meeting.venue, "video_link": meeting.video_link}
    form = ArrangementsForm(request.POST or None, initial=initial, chairs=_chairs(meeting))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            updated = meeting_services.meeting_update_arrangements(
                actor=request.user,
                meeting=meeting,
                venue=data["venue"],
                video_link=data["video_link"],
                chair=User.objects.filter(area=meeting.area, pk=data["chair"]).first(),
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            changed = updated.ics_sequence != meeting.ics_sequence
            messages.success(
                request,
                "Arrangements changed: the invited agencies are sent an updated invitation"
                if changed
                else "Nothing was changed",
            )
            return redirect("web:meeting_detail", pk=meeting.pk)
    return render(request, "web/meetings/arrangements.html", {"meeting": meeting, "form": form})


@page(can_manage_cases)
def meeting_chase_reports(request: AuthenticatedHttpRequest, pk: Any, agency_id: int) -> HttpResponse:
    """One click: email an invited agency's inbox asking for the written reports it has not sent."""
    if request.method != "POST":
        return redirect("web:meeting_agenda", pk=pk)
    meeting = managed_meeting(request, pk)
    agency = Agency.objects.filter(area=meeting.area, pk=agency_id).first()
    if agency is None:
        raise Http404
    try:
        chase = services_reports.agency_reports_chase(actor=request.user, meeting=meeting, agency=agency)
    except WorkflowError as exc:
        messages.error(request, " ".join(m for msgs in exc.errors.values() for m in msgs))
    else:
        messages.success(
            request,
            f"{agency} asked for {chase.cases_missing} missing report{'s' if chase.cases_missing != 1 else ''}",
        )
    return redirect("web:meeting_agenda", pk=meeting.pk)
