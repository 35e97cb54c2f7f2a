"""Meetings: scheduling, running a meeting (attendance, minutes per case, actions) and approving minutes.

Every change goes through meetings.services; every read through meetings.selectors.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from mappa_workflow.audit import audit_export, audit_list, audit_view
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, AreaSettings, Role, User
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings import pdf as minutes_pdf
from meetings import selectors as meeting_selectors
from meetings import services as meeting_services
from meetings.models import (
    LEVEL_DECISIONS,
    SCREENING_DECISIONS,
    AgendaItem,
    AgendaItemKind,
    Attendance,
    CaseDecision,
    CaseMinutes,
    Meeting,
    MeetingState,
    MeetingType,
)
from need_to_know import permissions
from need_to_know import selectors as need_to_know_selectors
from referrals.models import Referral, Registration

from ..access import can_manage_cases, can_see_cases, page
from ..forms import (
    OBSERVER_NO_AGENCY,
    AttendanceRowForm,
    CaseMinutesForm,
    DisclosureForm,
    ExtraAttendeeForm,
    ExtraInvitationForm,
    RemoveCaseForm,
    RiskActionForm,
    ScheduleForm,
)
from ..forms_base import GovukForm, apply_workflow_error
from .common import page_links, paginate

SESSION_KEY = "web.schedule_meeting"
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


@page(can_see_cases)
def meeting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_manage_cases(request.user):  # a practitioner's meetings are their agency's invitations
        return redirect("web:my_meetings")
    show = request.GET.get("show", "upcoming")
    area = request.user.area
    # An account without an area has no meetings to list.
    meetings = (
        meeting_selectors.meeting_list(area=area, upcoming=show != "past")
        if area is not None
        else Meeting.objects.none()
    )
    page_obj = paginate(request, meetings)
    return render(
        request,
        "web/meetings/list.html",
        {"page_obj": page_obj, "pages": page_links(request, page_obj), "show": show},
    )


def _chairs(area: Any) -> list[tuple[str, str]]:
    chairs = User.objects.filter(area=area, role_assignments__role=Role.CHAIR, is_active=True).order_by("last_name")
    return [(str(c.pk), f"{c.get_full_name() or c.username} ({c.get_seniority_display()})") for c in chairs]


@page(can_manage_cases)
def schedule_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 1: type, date, time, place and chair."""
    saved = request.session.get(SESSION_KEY, {})
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        form.set_chairs(_chairs(request.user.area))
        if form.is_valid():
            data = form.cleaned_data
            starts_at = timezone.make_aware(dt.datetime.combine(data["meeting_date"], data["start_time"]))
            if starts_at <= timezone.now():
                form.add_error("meeting_date", "The meeting must be scheduled for a time in the future")
            else:
                request.session[SESSION_KEY] = {
                    "meeting_type": data["meeting_type"],
                    "starts_at": starts_at.isoformat(),
                    "duration_minutes": data["duration_minutes"],
                    "venue": data["venue"],
                    "video_link": data["video_link"],
                    "chair": data["chair"],
                }
                return redirect("web:meeting_schedule_cases")
    else:
        initial: dict[str, Any] = {"duration_minutes": 120}
        if saved:
            starts = dt.datetime.fromisoformat(saved["starts_at"])
            initial.update(saved, meeting_date=starts.date(), start_time=starts.strftime("%H:%M"))
        form = ScheduleForm(initial=initial)
        form.set_chairs(_chairs(request.user.area))
    return render(request, "web/meetings/schedule_start.html", {"form": form})


def _saved_schedule(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    return request.session.get(SESSION_KEY)


def _case_choice(case: meeting_selectors.CaseDue, meeting_day: dt.date, *, checked: bool) -> dict[str, Any]:
    """One Level 2/3 case as a checkbox: what is due, whether it will be overdue by the meeting, and
    where it is already booked."""
    registration, timescale = case.registration, case.timescale
    individual = registration.individual
    if timescale is None:
        hint = "No first meeting or review date set"
    elif timescale.due < meeting_day:
        hint = f"{timescale.what.capitalize()} due {timescale.due:%-d %B %Y}: overdue by the meeting"
    else:
        hint = timescale.label
    if case.booked_on:
        hint += f". Already booked: {case.booked_on}"
    return {
        "record": registration,
        "value": str(registration.pk),
        "label": str(individual),
        "hint": hint,
        "overdue": timescale is not None and timescale.due < meeting_day,
        "checked": checked,
    }


def _threshold_choices(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """A threshold meeting's candidates: the referrals awaiting screening, all preselected."""
    area = request.user.area
    return [
        {
            "record": r,
            "value": str(r.pk),
            "label": f"{r.reference}: {r.individual}",
            "hint": f"From {r.referring_agency}",
            "checked": True,
        }
        for r in permissions.visible_referrals(
            request.user,
            meeting_selectors.referrals_to_screen(area=area) if area is not None else Referral.objects.none(),
        )
    ]


def _visible_cases(
    request: AuthenticatedHttpRequest, cases: list[meeting_selectors.CaseDue]
) -> list[meeting_selectors.CaseDue]:
    """Only the cases the user may see: a Category 4 case needs counter-terrorism clearance."""
    visible = set(
        permissions.visible_registrations(
            request.user, Registration.objects.filter(pk__in=[case.registration.pk for case in cases])
        ).values_list("pk", flat=True)
    )
    return [case for case in cases if case.registration.pk in visible]


def _panel_choices(
    request: AuthenticatedHttpRequest, saved: dict[str, Any], *, term: str = ""
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A panel's candidates: every case of the area at its level due up to the area's scheduling
    window after the meeting (working days, like the timescales), overdue ones included and marked;
    then the cases added by search, and the matches for ``term``. Returns (listed, found)."""
    area = request.user.area
    assert area is not None  # as before, an account without an area cannot list cases due (a server error)
    level = _panel_level(saved)
    meeting_day = timezone.localtime(dt.datetime.fromisoformat(saved["starts_at"])).date()
    until = meeting_selectors.scheduling_window_end(area=area, on=meeting_day)
    due = _visible_cases(request, meeting_selectors.cases_due(area=area, until=until, level=level))
    listed_pks = {str(case.registration.pk) for case in due}
    added = [pk for pk in saved.get("added_cases", []) if pk not in listed_pks]
    extra = (
        _visible_cases(request, meeting_selectors.cases_by_registration(area=area, level=level, registration_ids=added))
        if added
        else []
    )
    listed_pks |= {str(case.registration.pk) for case in extra}
    found = (
        [
            case
            for case in need_to_know_selectors.cases_at_level_matching(
                user=request.user, area=area, level=level, term=term
            )
            if str(case.registration.pk) not in listed_pks
        ]
        if term
        else []
    )
    if "cases" in saved:
        chosen = set(saved["cases"])
    else:  # first visit: the cases due and not already booked are preselected
        chosen = {str(case.registration.pk) for case in due if case.booked_on is None}
    listed = [_case_choice(case, meeting_day, checked=str(case.registration.pk) in chosen) for case in [*due, *extra]]
    return listed, [_case_choice(case, meeting_day, checked=False) for case in found]


def _ticked_panel_cases(request: AuthenticatedHttpRequest, saved: dict[str, Any]) -> list[str]:
    """The ticked cases that really are cases of the area at the panel's level the user may see."""
    area = request.user.area
    assert area is not None  # can_manage_cases: a co-ordinator always has an area
    level = _panel_level(saved)
    ticked = list(dict.fromkeys(value for value in request.POST.getlist("cases") if _is_uuid(value)))
    cases = meeting_selectors.cases_by_registration(area=area, level=level, registration_ids=ticked)
    allowed = {str(case.registration.pk) for case in _visible_cases(request, cases)}
    return [value for value in ticked if value in allowed]


def _panel_level(saved: dict[str, Any]) -> int:
    level = MeetingType(saved["meeting_type"]).level
    assert level is not None  # only panels (Level 2 and 3 meetings) come here
    return level


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@page(can_manage_cases)
def schedule_cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 2: the cases due, preselected, to put on the agenda; for a panel, any other case of the
    area at its level can be found by name or reference and added (works without JavaScript)."""
    saved = _saved_schedule(request)
    if not saved:
        return redirect("web:meeting_schedule")
    threshold = saved["meeting_type"] == MeetingType.THRESHOLD
    searching = request.method == "POST" and "search" in request.POST
    term = request.POST.get("q", "").strip()[:100] if searching else ""
    error_items: list[tuple[str, str]] = []
    found: list[dict[str, Any]] = []
    if threshold:
        choices = _threshold_choices(request)
        if request.method == "POST" or "cases" in saved:
            picked = request.POST.getlist("cases") if request.method == "POST" else saved["cases"]
            for choice in choices:
                choice["checked"] = choice["value"] in picked
    else:
        if request.method == "POST":
            # What is ticked survives a search: the agenda being built is kept in the session.
            saved["cases"] = _ticked_panel_cases(request, saved)
            saved["added_cases"] = list(dict.fromkeys([*saved.get("added_cases", []), *saved["cases"]]))
            request.session[SESSION_KEY] = saved
        choices, found = _panel_choices(request, saved, term=term)
    chosen = [c["value"] for c in choices if c["checked"]]
    if searching and not term:
        error_items.append(("q", "Enter a name or reference to search for"))
    elif request.method == "POST" and not searching:
        if not chosen:
            error_items.append(("cases-0", "Select at least one case for the agenda"))
        else:
            saved["cases"] = chosen
            request.session[SESSION_KEY] = saved
            return redirect("web:meeting_schedule_check")
    # The page lists people (and a search finds them): who was shown whom is audited, as on every list.
    audit_list(
        request, what="cases for the agenda", shown=[c["record"] for c in [*choices, *found]], search={"q": term}
    )
    area = request.user.area
    return render(
        request,
        "web/meetings/schedule_cases.html",
        {
            "choices": choices,
            "found": found,
            "q": term,
            "searched": bool(term),
            "threshold": threshold,
            "saved": saved,
            "error_items": error_items,
            "cases_error": any(field == "cases-0" for field, _ in error_items),
            "q_error": any(field == "q" for field, _ in error_items),
            "forms_have_errors": bool(error_items),
            "meeting_type_label": MeetingType(saved["meeting_type"]).label,
            "window_working_days": (
                AreaSettings.for_area(area).scheduling_window_working_days if area is not None else None
            ),
        },
    )


def _extra_invitations(saved: dict[str, Any], area: Any) -> list[tuple[Agency, str]]:
    """The agencies the co-ordinator added on the check page (kept in the session until confirmed)."""
    extras = saved.get("extra_invitations", [])
    agencies = Agency.objects.filter(area=area, pk__in=[e["agency"] for e in extras]).in_bulk()
    return [(agencies[e["agency"]], e["reason"]) for e in extras if e["agency"] in agencies]


@page(can_manage_cases)
def schedule_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 3: check the meeting and exactly which agencies will be invited and why (the same
    selector the service invites from), add a case-specific agency, then confirm."""
    saved = _saved_schedule(request)
    if not saved or not saved.get("cases"):
        return redirect("web:meeting_schedule")
    area = request.user.area
    meeting_type = saved["meeting_type"]
    starts_at = dt.datetime.fromisoformat(saved["starts_at"])
    threshold = meeting_type == MeetingType.THRESHOLD
    user = request.user
    referrals = (
        list(
            permissions.visible_referrals(
                user, Referral.objects.filter(area=area, pk__in=saved["cases"])
            ).select_related("individual")
        )
        if threshold
        else []
    )
    registrations = (
        []
        if threshold
        else list(
            permissions.visible_registrations(
                user, Registration.objects.filter(area=area, pk__in=saved["cases"])
            ).select_related("individual")
        )
    )
    chair = User.objects.filter(area=area, pk=saved["chair"]).first()
    # An account without an area invites nobody (and may not schedule: meeting_schedule's check, below).
    preview = (
        meeting_selectors.invitations_preview(
            meeting_type, area, registrations, referrals, on=timezone.localtime(starts_at).date()
        )
        if area is not None
        else []
    )
    extras = _extra_invitations(saved, area)
    taken = {p.agency.pk for p in preview} | {agency.pk for agency, _ in extras}
    addable = [(str(a.pk), a.name) for a in Agency.objects.filter(area=area).order_by("name") if a.pk not in taken]
    error_items: list[tuple[str, str]] = []
    invite_form = ExtraInvitationForm(agencies=addable, prefix="invite")
    if request.method == "POST" and request.POST.get("add_agency"):
        invite_form = ExtraInvitationForm(request.POST, agencies=addable, prefix="invite")
        if invite_form.is_valid():
            saved.setdefault("extra_invitations", []).append(
                {"agency": int(invite_form.cleaned_data["agency"]), "reason": invite_form.cleaned_data["reason"]}
            )
            request.session[SESSION_KEY] = saved
            return redirect("web:meeting_schedule_check")
    elif request.method == "POST" and request.POST.get("remove_agency"):
        saved["extra_invitations"] = [
            e for e in saved.get("extra_invitations", []) if str(e["agency"]) != request.POST["remove_agency"]
        ]
        request.session[SESSION_KEY] = saved
        return redirect("web:meeting_schedule_check")
    elif request.method == "POST":
        if area is None:  # an account without an area: refused as meeting_schedule's first check refuses it
            permissions.require(user, "meetings.manage_meeting", Meeting())
            raise PermissionDenied("Your account has no MAPPA area")
        try:
            meeting = meeting_services.meeting_schedule(
                actor=request.user,
                area=area,
                meeting_type=meeting_type,
                starts_at=starts_at,
                chair=chair,
                duration_minutes=saved["duration_minutes"],
                venue=saved["venue"],
                video_link=saved["video_link"],
                registrations=registrations,
                referrals=referrals,
                extra_invitations=extras,
            )
        except WorkflowError as exc:
            error_items = [("", m) for msgs in exc.errors.values() for m in msgs]
        else:
            del request.session[SESSION_KEY]
            messages.success(request, f"{meeting} scheduled: invitations sent")
            return redirect("web:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "web/meetings/schedule_check.html",
        {
            "saved": saved,
            "starts_at": starts_at,
            "meeting_type_label": MeetingType(meeting_type).label,
            "chair": chair,
            "cases": [str(r.individual) for r in registrations] + [f"{r.reference}: {r.individual}" for r in referrals],
            "preview": preview,
            "extras": extras,
            "invite_form": invite_form,
            "error_items": error_items + invite_form.summary_errors(),
            "forms_have_errors": bool(error_items) or bool(invite_form.errors),
        },
    )


def _additional_attendance(meeting: Meeting) -> list[Attendance]:
    """Lines beyond the first for each invited agency: observers, agencies not invited, second officers."""
    invited = {i.agency_id for i in meeting.invitations.all()}
    seen: set[int] = set()
    extra = []
    for line in meeting.attendance.all():
        if line.agency_id in invited and line.agency_id not in seen:
            seen.add(line.agency_id)
        else:
            extra.append(line)
    return extra


def _attendance_forms(meeting: Meeting, data: Any = None) -> list[tuple[Agency, AttendanceRowForm]]:
    """One attendance line per invited agency, filled from what is recorded."""
    additional = {line.pk for line in _additional_attendance(meeting)}
    recorded = {a.agency_id: a for a in meeting.attendance.all() if a.pk not in additional}
    rows = []
    for number, invitation in enumerate(meeting.invitations.all(), start=1):
        existing = recorded.get(invitation.agency_id)
        initial = (
            {
                "status": existing.status,
                "name": existing.name,
                "role": existing.role,
                "seniority": str(existing.seniority or ""),
                "confidentiality_acknowledged": existing.confidentiality_acknowledged_at is not None,
            }
            if existing
            else {}
        )
        rows.append((invitation.agency, AttendanceRowForm(data, prefix=f"attendance-{number}", initial=initial)))
    return rows


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


@page(can_manage_cases)
def meeting_attendance(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    meeting = _meeting(request, pk)
    rows = _attendance_forms(meeting, request.POST if request.method == "POST" else None)
    error_items: list[tuple[str, str]] = []
    if request.method == "POST":
        if all(form.is_valid() for _, form in rows):
            entries, line_for_entry = [], {}
            for agency, form in rows:
                data = form.cleaned_data
                if not data["status"]:
                    continue
                entries.append(
                    meeting_services.AttendanceEntry(
                        status=data["status"],
                        agency=agency,
                        name=data["name"],
                        role=data["role"],
                        seniority=int(data["seniority"]) if data["seniority"] else None,
                        confidentiality_acknowledged=data["confidentiality_acknowledged"],
                    )
                )
                line_for_entry[len(entries)] = form
            # Observers and agencies not invited are kept as they are (changed on their own page).
            entries += [
                meeting_services.AttendanceEntry(
                    status=line.status,
                    agency=line.agency,
                    name=line.name,
                    role=line.role,
                    seniority=line.seniority,
                    confidentiality_acknowledged=line.confidentiality_acknowledged_at is not None,
                )
                for line in _additional_attendance(meeting)
            ]
            try:
                meeting_services.meeting_record_attendance(actor=request.user, meeting=meeting, entries=entries)
            except WorkflowError as exc:
                for key, msgs in exc.errors.items():
                    parts = key.split("-")
                    line_form = line_for_entry.get(int(parts[1])) if len(parts) == 3 and parts[1].isdigit() else None
                    if line_form is not None and parts[2] in line_form.fields:
                        for message in msgs:
                            line_form.add_error(parts[2], message)
                    else:
                        error_items += [("", m) for m in msgs]
            else:
                messages.success(request, "Attendance recorded")
                return redirect("web:meeting_detail", pk=meeting.pk)
        for _, form in rows:
            error_items += form.summary_errors()
    return render(
        request,
        "web/meetings/attendance.html",
        {
            "meeting": meeting,
            "rows": rows,
            "additional": _additional_attendance(meeting),
            "error_items": error_items,
            "forms_have_errors": bool(error_items),
        },
    )


def _agenda_item(request: AuthenticatedHttpRequest, meeting: Meeting, item_id: Any) -> AgendaItem:
    """A case on the agenda the user may see (a Category 4 case without clearance: 404)."""
    for item in _visible_items(request, meeting):
        if str(item.pk) == str(item_id):
            return item
    raise Http404


def _agency_choices(meeting: Meeting) -> list[tuple[str, str]]:
    return [(str(a.pk), a.name) for a in Agency.objects.filter(area=meeting.area).order_by("name")]


def _minutes_input(data: dict[str, Any]) -> meeting_services.MinutesInput:
    return meeting_services.MinutesInput(
        risk_summary=data["risk_summary"],
        decision=data["decision"],
        rationale=data["rationale"],
        differing_views=data["differing_views"],
        exit_reason=data["exit_reason"],
        why_level_2_cannot_manage=data["why_level_2_cannot_manage"],
        plan=meeting_services.RiskManagementPlan(
            supervision=data["rmp_supervision"],
            monitoring_and_control=data["rmp_monitoring_and_control"],
            interventions_and_treatment=data["rmp_interventions_and_treatment"],
            victim_safety_planning=data["rmp_victim_safety_planning"],
            contingency=data["contingency"],
        ),
        next_review_date=data["next_review_date"],
    )


def _decision_choices(item: AgendaItem) -> list[tuple[str, str]]:
    allowed = SCREENING_DECISIONS if item.kind == AgendaItemKind.SCREENING else LEVEL_DECISIONS
    return [("", "Select a decision"), *((d, CaseDecision(d).label) for d in allowed)]


@page(can_manage_cases)
def case_minutes(request: AuthenticatedHttpRequest, pk: Any, item_id: Any) -> HttpResponse:
    """Minutes for one case on the agenda, then its actions."""
    meeting = _meeting(request, pk)
    item = _agenda_item(request, meeting, item_id)
    minutes = getattr(item, "minutes", None)
    form: GovukForm | None = None
    if minutes is None:
        form = CaseMinutesForm(request.POST if request.method == "POST" else None)
        form.choice_field("decision").choices = _decision_choices(item)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                meeting_services.case_minutes_record(actor=request.user, item=item, minutes=_minutes_input(data))
            except WorkflowError as exc:
                apply_workflow_error(form, exc)
            else:
                messages.success(request, f"Minutes recorded for {item.individual}")
                return redirect("web:meeting_case_minutes", pk=meeting.pk, item_id=item.pk)
    action_form = None
    if (
        minutes is not None
        and item.registration_id
        and meeting.state in (MeetingState.HELD, MeetingState.MINUTES_DRAFTED)
    ):
        action_form = RiskActionForm(agencies=_agency_choices(meeting))
    audit_view(request, minutes or item, what="case minutes")
    return render(
        request,
        "web/meetings/case_minutes.html",
        {
            "meeting": meeting,
            "item": item,
            "minutes": minutes,
            "form": form,
            "action_form": action_form,
            "minutes_in_draft": meeting.state in DRAFT_STATES,
        },
    )


@page(can_manage_cases)
def case_action_add(request: AuthenticatedHttpRequest, pk: Any, item_id: Any) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = _agenda_item(request, meeting, item_id)
    minutes = getattr(item, "minutes", None)
    if minutes is None:
        return redirect("web:meeting_case_minutes", pk=meeting.pk, item_id=item.pk)
    action_form = RiskActionForm(request.POST or None, agencies=_agency_choices(meeting))
    if request.method == "POST" and action_form.is_valid():
        data = action_form.cleaned_data
        try:
            meeting_services.risk_action_create(
                actor=request.user,
                case_minutes=minutes,
                heading=data["heading"],
                description=data["description"],
                owning_agency=Agency.objects.filter(area=meeting.area, pk=data["owning_agency"]).first(),
                officer_name=data["officer_name"],
                due_date=data["due_date"],
            )
        except WorkflowError as exc:
            apply_workflow_error(action_form, exc)
        else:
            messages.success(request, "Action added to the risk management plan")
            return redirect("web:meeting_case_minutes", pk=meeting.pk, item_id=item.pk)
    audit_view(request, minutes, what="case minutes")
    return render(
        request,
        "web/meetings/case_minutes.html",
        {
            "meeting": meeting,
            "item": item,
            "minutes": minutes,
            "form": None,
            "action_form": action_form,
            "minutes_in_draft": meeting.state in DRAFT_STATES,
        },
    )


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
    addable = [
        (str(a.pk), a.name) for a in Agency.objects.filter(area=meeting.area).order_by("name") if a.pk not in invited
    ]
    form = ExtraInvitationForm(request.POST or None, agencies=addable)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.meeting_invite_agency(
                actor=request.user,
                meeting=meeting,
                agency=Agency.objects.filter(area=meeting.area, pk=form.cleaned_data["agency"]).first(),
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


def _attending_agency_choices(meeting: Meeting) -> list[tuple[str, str]]:
    return [(str(a.pk), a.name) for a in Agency.objects.filter(area=meeting.area).order_by("name")]


@page(can_manage_cases)
def attendance_add(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Add an observer (a lay adviser, say) or someone from an agency that was not invited."""
    meeting = _meeting(request, pk)
    form = ExtraAttendeeForm(request.POST or None, agencies=_attending_agency_choices(meeting))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency_id = data["agency"] if data["agency"] != OBSERVER_NO_AGENCY else None
        try:
            meeting_services.meeting_add_attendee(
                actor=request.user,
                meeting=meeting,
                entry=meeting_services.AttendanceEntry(
                    status=data["status"],
                    agency=Agency.objects.filter(area=meeting.area, pk=agency_id).first() if agency_id else None,
                    name=data["name"],
                    role=data["role"],
                    seniority=int(data["seniority"]) if data["seniority"] else None,
                    confidentiality_acknowledged=data["confidentiality_acknowledged"],
                ),
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, f"{data['name']} added to the attendance")
            return redirect("web:meeting_attendance", pk=meeting.pk)
    return render(request, "web/meetings/attendance_add.html", {"meeting": meeting, "form": form})


@page(can_manage_cases)
def attendance_remove(request: AuthenticatedHttpRequest, pk: Any, attendance_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:meeting_attendance", pk=pk)
    meeting = _meeting(request, pk)
    line = next((a for a in meeting.attendance.all() if a.pk == attendance_id), None)
    if line is None:
        raise Http404
    try:
        meeting_services.meeting_remove_attendee(actor=request.user, meeting=meeting, attendance=line)
    except WorkflowError as exc:
        messages.error(request, " ".join(m for msgs in exc.errors.values() for m in msgs))
    else:
        messages.success(request, f"{line.name or line.agency} removed from the attendance")
    return redirect("web:meeting_attendance", pk=meeting.pk)


def _minutes_initial(minutes: CaseMinutes) -> dict[str, Any]:
    return {name: getattr(minutes, name) for name in CaseMinutesForm.base_fields}


@page(can_manage_cases)
def case_minutes_amend(request: AuthenticatedHttpRequest, pk: Any, item_id: Any) -> HttpResponse:
    """Correct a case's minutes while they are a draft. The decision was applied when they were
    recorded and is not applied again, so the page says so and the service refuses a change to it."""
    meeting = _meeting(request, pk)
    item = _agenda_item(request, meeting, item_id)
    minutes = getattr(item, "minutes", None)
    if minutes is None or meeting.state not in DRAFT_STATES:
        return redirect("web:meeting_case_minutes", pk=meeting.pk, item_id=item.pk)
    form = CaseMinutesForm(request.POST if request.method == "POST" else None, initial=_minutes_initial(minutes))
    form.choice_field("decision").choices = _decision_choices(item)
    form.fields["decision"].help_text = "Already applied: it cannot be changed here"
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.case_minutes_amend(
                actor=request.user, case_minutes=minutes, minutes=_minutes_input(form.cleaned_data)
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, f"Minutes amended for {item.individual}")
            return redirect("web:meeting_case_minutes", pk=meeting.pk, item_id=item.pk)
    audit_view(request, minutes, what="amending the minutes")
    return render(
        request,
        "web/meetings/case_minutes_amend.html",
        {"meeting": meeting, "item": item, "minutes": minutes, "form": form},
    )


@page(can_manage_cases)
def disclosure_add(request: AuthenticatedHttpRequest, pk: Any, item_id: Any) -> HttpResponse:
    """Record a decision to disclose to a third party (MAPPA C): to whom, what, why, the
    recipient's undertaking, and whether the individual was told or why not."""
    meeting = _meeting(request, pk)
    item = _agenda_item(request, meeting, item_id)
    minutes = getattr(item, "minutes", None)
    if minutes is None:
        messages.info(request, "Record the case's minutes before its disclosure decisions")
        return redirect("web:meeting_case_minutes", pk=meeting.pk, item_id=item.pk)
    form = DisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting_services.disclosure_decision_record(
                actor=request.user,
                case_minutes=minutes,
                recipient=data["recipient"],
                what_is_disclosed=data["what_is_disclosed"],
                why=data["why"],
                recipient_undertaking=data["recipient_undertaking"],
                individual_told=form.told(),
                why_individual_not_told=data["why_individual_not_told"],
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, f"Disclosure decision recorded for {item.individual}")
            return redirect("web:meeting_case_minutes", pk=meeting.pk, item_id=item.pk)
    return render(request, "web/meetings/disclosure_add.html", {"meeting": meeting, "item": item, "form": form})
