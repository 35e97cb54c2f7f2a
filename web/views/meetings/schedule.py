"""The meetings list and scheduling a meeting in three steps: type, time, place and chair; the cases
for the agenda; then the check of who is invited and why, and confirming."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from mappa_workflow.audit import audit_list
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, AreaSettings, Role, User
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings import selectors as meeting_selectors
from meetings import services as meeting_services
from meetings.models import (
    Meeting,
    MeetingType,
)
from need_to_know import permissions
from need_to_know import selectors as need_to_know_selectors
from referrals.models import Referral, Registration

from ...access import can_manage_cases, page
from ...forms_meetings import (
    ExtraInvitationForm,
    ScheduleForm,
)

SESSION_KEY = "web.schedule_meeting"


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
    due = need_to_know_selectors.cases_due(user=request.user, area=area, until=until, level=level)
    listed_pks = {str(case.registration.pk) for case in due}
    added = [pk for pk in saved.get("added_cases", []) if pk not in listed_pks]
    extra = (
        need_to_know_selectors.cases_by_registration(user=request.user, area=area, level=level, registration_ids=added)
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
    cases = need_to_know_selectors.cases_by_registration(
        user=request.user, area=area, level=level, registration_ids=ticked
    )
    allowed = {str(case.registration.pk) for case in cases}
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
    agencies = meeting_selectors.area_agencies(area).filter(pk__in=[e["agency"] for e in extras]).in_bulk()
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
    addable = [(str(a.pk), a.name) for a in meeting_selectors.area_agencies(area) if a.pk not in taken]
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
