"""The SMB's own governance page: the year's board meetings against "at least three a year", the members and lay
advisers with their tenures (and the account each signs in with), vacancies and tenures ending soon (docs/smb.md).

Read by the area's SMB members, lay advisers, co-ordinators and administrators; the forms are for those who
keep the records (co-ordinators and administrators of the area). The page names board members only, never
a person managed under MAPPA.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, Role, User
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from need_to_know import permissions
from oversight import services
from oversight.governance.models import BoardTenure
from oversight.governance.selectors import MEETINGS_A_YEAR, MeetingsStatus, board_governance
from reporting import statistics

from ..access import can_read_board_governance, page
from ..forms_base import GovukForm, apply_workflow_error
from ..forms_governance import AccountForm, AppointForm, BoardMeetingForm, EndTenureForm
from .statistics import recent_years, year_label


def _year(request: AuthenticatedHttpRequest) -> int:
    raw = request.GET.get("year", "")
    if not raw:
        return statistics.current_reporting_year()
    try:
        year = int(raw)
        statistics.check_year(year)
    except (ValueError, statistics.UnknownReportingYear) as exc:
        raise Http404("No such reporting year") from exc
    return year


def _open_tenures(area: Any) -> list[BoardTenure]:
    """Tenures that can still be ended: not yet past their last day."""
    today = timezone.localdate()
    return list(
        BoardTenure.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today), area=area)
        .select_related("area")
        .order_by("name", "starts_on")
    )


def _tenure_label(tenure: BoardTenure) -> str:
    until = f" to {tenure.ends_on:%-d %B %Y}" if tenure.ends_on else ""
    return f"{tenure.name}, {tenure.get_role_display().lower()} from {tenure.starts_on:%-d %B %Y}{until}"


def _accounts(area: Any) -> dict[str, User]:
    """The accounts of the area that may hold a tenure: SMB members (chair, member) and lay advisers (the service
    checks which role fits which tenure)."""
    people = (
        User.objects.filter(area=area, is_active=True, role_assignments__role__in=[Role.SMB_MEMBER, Role.LAY_ADVISER])
        .prefetch_related("role_assignments")
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
    return {str(user.pk): user for user in people}


def _account_label(user: User) -> str:
    roles = sorted(
        str(Role(a.role).label) for a in user.role_assignments.all() if a.role in (Role.SMB_MEMBER, Role.LAY_ADVISER)
    )
    return f"{user.get_full_name() or user.username} ({user.username}), {', '.join(roles).lower()}"


def _tenure(tenures: list[BoardTenure], chosen: str, message: str) -> BoardTenure:
    tenure = next((t for t in tenures if str(t.pk) == chosen), None)
    if tenure is None:
        raise WorkflowError({"tenure": message})
    return tenure


def _submit(
    request: AuthenticatedHttpRequest,
    which: str,
    form: GovukForm,
    area: Any,
    tenures: list[BoardTenure],
    accounts: dict[str, User],
) -> bool:
    """Call the service for the posted form; False (errors on ``form``) when the input or the rules refuse."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        if which == "meeting":
            services.board_meeting_record(actor=request.user, area=area, **data)
        elif which == "appoint":
            chosen = data.pop("agency")
            agency = Agency.objects.filter(area=area, pk=chosen).first() if chosen else None
            user = accounts.get(data.pop("user") or "")
            services.board_member_appoint(actor=request.user, area=area, agency=agency, user=user, **data)
        elif which == "account":
            tenure = _tenure(tenures, data["tenure"], "Choose whose tenure it is")
            services.board_tenure_link_account(actor=request.user, tenure=tenure, user=accounts.get(data["user"] or ""))
        else:
            tenure = _tenure(tenures, data["tenure"], "Choose whose tenure to end")
            services.board_tenure_end(actor=request.user, tenure=tenure, ends_on=data["ends_on"], reason=data["reason"])
    except WorkflowError as exc:
        apply_workflow_error(form, exc)
        return False
    return True


SAVED = {
    "meeting": "Board meeting recorded",
    "appoint": "Appointment recorded",
    "account": "Account recorded",
    "end": "Tenure ended",
}


@page(can_read_board_governance)
def smb_governance(request: AuthenticatedHttpRequest) -> HttpResponse:
    area = request.user.area
    if area is None:
        raise Http404("Your account has no area")
    permissions.require(request.user, "oversight.view_board_governance", area)
    year = _year(request)
    manager = permissions.has_perm(request.user, "oversight.manage_board_governance", area)
    forms_: dict[str, GovukForm] = {}
    tenures: list[BoardTenure] = []
    accounts: dict[str, User] = {}
    if manager:
        agencies = [(str(a.pk), a.name) for a in Agency.objects.filter(area=area).order_by("name")]
        tenures = _open_tenures(area)
        choices = [(str(t.pk), _tenure_label(t)) for t in tenures]
        accounts = _accounts(area)
        people = [(pk, _account_label(user)) for pk, user in accounts.items()]
        data = request.POST if request.method == "POST" else None
        which = request.POST.get("form", "") if data is not None else ""
        forms_ = {
            "meeting": BoardMeetingForm(data if which == "meeting" else None, prefix="meeting"),
            "appoint": AppointForm(
                data if which == "appoint" else None, prefix="appoint", agencies=agencies, accounts=people
            ),
            "account": AccountForm(
                data if which == "account" else None, prefix="account", tenures=choices, accounts=people
            ),
            "end": EndTenureForm(data if which == "end" else None, prefix="end", tenures=choices),
        }
    if request.method == "POST":
        if not manager:
            raise PermissionDenied("Only the area's MAPPA co-ordinators and administrators keep the SMB's records")
        which = request.POST.get("form", "")
        if which not in forms_:
            raise Http404("No such form")
        if _submit(request, which, forms_[which], area, tenures, accounts):
            messages.success(request, SAVED[which])
            return redirect(reverse("web:smb_governance") + f"?year={year}")
    found = board_governance(area=area, year=year)
    return render(
        request,
        "web/smb/governance.html",
        {
            "area": area,
            "year": year,
            "year_label": year_label(year),
            "years": recent_years(),
            "board": found,
            "required": MEETINGS_A_YEAR,
            "short": found.status == MeetingsStatus.SHORT,
            "met": found.status == MeetingsStatus.MET,
            "manager": manager,
            "meeting_form": forms_.get("meeting"),
            "appoint_form": forms_.get("appoint"),
            "account_form": forms_.get("account"),
            "end_form": forms_.get("end"),
        },
    )
