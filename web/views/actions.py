"""Risk management actions: an agency's list with filters, and updating one action."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from mappa_workflow.audit import audit_view
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AreaSettings
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings import services as meeting_services
from meetings.models import RiskAction, RiskActionState
from need_to_know import permissions

from .. import selectors
from ..access import can_manage_cases, can_see_cases, page
from ..forms import ActionUpdateForm
from ..forms_base import apply_workflow_error
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
            "keep_params": [("show", show)],
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
    can_update = action.is_unfinished and permissions.has_perm(request.user, "meetings.update_risk_action", action)
    form = ActionUpdateForm(request.POST or None) if can_update else None
    if request.method == "POST":
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
    return render(request, "web/actions/detail.html", {"action": action, "form": form, "today": timezone.localdate()})
