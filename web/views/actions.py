"""Risk management actions: an agency's list with filters, and updating one action."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.audit import audit_view
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AreaSettings
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings import services as meeting_services
from meetings.models import RiskAction, RiskActionState
from meetings.services import action_corrections
from need_to_know import permissions

from .. import selectors
from ..access import can_manage_cases, can_see_cases, page
from ..filters import ActionFilter, active_filters, filtered
from ..forms_base import apply_workflow_error
from ..forms_meetings import CORRECT_DATE, ActionCorrectionForm, ActionUpdateForm
from .common import page_links, paginate_people, sort_links, sort_queryset

FILTERS = [("overdue", "Overdue"), ("due_soon", "Due soon"), ("open", "All open"), ("done", "Done"), ("all", "All")]


RELATED = ("registration__individual", "owning_agency", "case_minutes__agenda_item__meeting")


def _listed_actions(user: Any):  # type: ignore[no-untyped-def]
    """The list: every action of the area's cases for a co-ordinator or chair, the agency's own
    for a practitioner; either way only cases the user may see (Category 4 needs clearance)."""
    if can_manage_cases(user):
        return permissions.visible_risk_actions(user).select_related(*RELATED)
    return permissions.my_agency_risk_actions(user).select_related(*RELATED)


@page(can_see_cases)
def action_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    show = request.GET.get("show", "open")
    if show not in dict(FILTERS):
        show = "open"
    assert user.area is not None  # as before, an account without an area cannot list actions (a server error)
    settings = AreaSettings.for_area(user.area)
    qs: QuerySet[RiskAction] = selectors.filter_actions(
        _listed_actions(user), show, today=timezone.localdate(), due_soon_days=settings.due_soon_days
    )
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(registration__individual__family_name__icontains=q) | qs.filter(
            registration__individual__given_names__icontains=q
        )
    action_filter = ActionFilter(request.GET or None, qs, user=user, today=timezone.localdate())
    qs = filtered(action_filter)
    qs, sort = sort_queryset(
        request,
        qs,
        {
            "due": ("due_date", "created_at"),
            "name": ("registration__individual__family_name", "due_date"),
            "agency": ("owning_agency__name", "due_date"),
            "state": ("state", "due_date"),
        },
        "due",
    )
    page_obj = paginate_people(request, qs, what="action list")
    return render(
        request,
        "web/actions/list.html",
        {
            "page_obj": page_obj,
            "pages": page_links(request, page_obj),
            "show": show,
            "filters": FILTERS,
            "q": q,
            "keep_params": [("show", show), ("q", q), ("sort", request.GET.get("sort", ""))],
            "search_keep_params": [
                (k, v) for k, v in request.GET.items() if k in action_filter.filters or k in ("show", "sort")
            ],
            "filter_form": action_filter.form,
            "filtered_by": active_filters(action_filter),
            "clear_href": "?" + urlencode({"show": show, **({"q": q} if q else {})}),
            "today": timezone.localdate(),
            "sort_cells": sort_links(
                request, sort, {"due": "Due", "name": "Person", "agency": "Agency", "state": "Status"}
            ),
            "extra_headers": ["Action"],
            "coordinator_view": can_manage_cases(user),
        },
    )


@page(can_see_cases)
def action_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """An action with its update log: anyone who may see the case reads it; the owning agency
    (or the co-ordinator) updates it here."""
    action = get_object_or_404(
        permissions.visible_risk_actions(request.user).select_related(*RELATED).prefetch_related("updates__written_by"),
        pk=pk,
    )
    may_update = permissions.has_perm(request.user, "meetings.update_risk_action", action)
    can_update = action.is_unfinished and may_update
    form = ActionUpdateForm(request.POST or None) if can_update else None
    completed = action.state == RiskActionState.COMPLETED
    correction = (
        ActionCorrectionForm(request.POST if request.method == "POST" else None, completed=completed)
        if may_update and not action.is_unfinished
        else None
    )
    if request.method == "POST" and correction is not None:
        if correction.is_valid():
            data = correction.cleaned_data
            try:
                if data["change"] == CORRECT_DATE:
                    action_corrections.risk_action_correct_completion(
                        actor=request.user, action=action, completed_on=data["completed_on"], reason=data["reason"]
                    )
                    done = "Completion date corrected"
                else:
                    action_corrections.risk_action_reopen(actor=request.user, action=action, reason=data["reason"])
                    done = "Action reopened"
            except WorkflowError as exc:
                apply_workflow_error(correction, exc)
            else:
                messages.success(request, done)
                return redirect("web:action_detail", pk=action.pk)
    elif request.method == "POST":
        if not can_update:
            raise PermissionDenied("Only the owning agency can update this action")
        assert form is not None
        if form.is_valid():
            data = form.cleaned_data
            outcome, text = data["outcome"], data["text"]
            try:
                if outcome == "completed":
                    meeting_services.risk_action_complete(
                        actor=request.user, action=action, note=text, completed_on=data["completed_on"]
                    )
                elif outcome in (RiskActionState.CLOSED_NOT_POSSIBLE, RiskActionState.CLOSED_NOT_DONE):
                    meeting_services.risk_action_close(actor=request.user, action=action, outcome=outcome, reason=text)
                elif outcome == "in_progress" and action.state == RiskActionState.OPEN:
                    meeting_services.risk_action_start(actor=request.user, action=action, note=text)
                else:
                    meeting_services.risk_action_add_update(actor=request.user, action=action, text=text)
            except WorkflowError as exc:
                apply_workflow_error(form, exc, aliases={"note": "text", "reason": "text"})
            else:
                messages.success(request, "Action updated")
                return redirect("web:action_detail", pk=action.pk)
    audit_view(request, action, what="risk management action")
    meeting = action.case_minutes.agenda_item.meeting
    return render(
        request,
        "web/actions/detail.html",
        {
            "action": action,
            "form": form,
            "correction": correction,
            "today": timezone.localdate(),
            "meeting": meeting,
            "meeting_href": reverse("web:meeting_detail", args=[meeting.pk])
            if permissions.has_perm(request.user, "meetings.view_meeting", meeting)
            else "",
        },
    )
