"""Victims' views on a case: read by the area's co-ordinators and chairs and the VLO's agency; recorded
by a victim liaison officer. The rules are in ``victims.rules``; this page only asks them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from mappa_workflow.audit import audit_view
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings.models import CaseMinutes, Meeting, MeetingState
from need_to_know import permissions
from referrals.models import Registration
from victims import selectors, services
from victims.rules import is_victim_liaison_officer

from ..access import can_see_cases, page
from ..forms_base import apply_workflow_error
from ..forms_transfers import VictimViewForm


@page(can_see_cases)
def case_victim_views(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    user = request.user
    individual = get_object_or_404(permissions.visible_individuals(user), pk=pk)
    registration = (
        Registration.objects.filter(individual=individual, area_id=individual.area_id).order_by("-started_on").first()
    )
    if registration is None:
        raise PermissionDenied("This person has no MAPPA registration in your area")
    can_record = permissions.has_perm(user, "victims.record_victim_view", registration)
    upcoming = Meeting.objects.filter(
        agenda_items__registration=registration, state=MeetingState.SCHEDULED, area_id=registration.area_id
    ).order_by("starts_at")
    form = (
        VictimViewForm(
            request.POST if request.method == "POST" else None, meetings=[(str(m.pk), str(m)) for m in upcoming]
        )
        if can_record
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only a victim liaison officer whose agency works with this case can record views")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.victim_view_record(
                    actor=user,
                    registration=registration,
                    views=data["views"],
                    concerns=data["concerns"],
                    meeting=upcoming.filter(pk=data["meeting"]).first() if data["meeting"] else None,
                )
            except WorkflowError as exc:
                apply_workflow_error(form, exc)
            else:
                messages.success(request, "Victims' views recorded")
                return redirect("web:case_victim_views", pk=individual.pk)
    views = selectors.case_victim_views(user, registration)
    plan = (
        CaseMinutes.objects.filter(agenda_item__registration=registration)
        .select_related("agenda_item__meeting")
        .order_by("-agenda_item__meeting__starts_at")
        .first()
    )
    if plan is not None and not permissions.has_perm(user, "meetings.view_minutes", plan):
        plan = None  # the plan is in minutes this user's agency may not read
    audit_view(request, registration, what="victims' views")
    return render(
        request,
        "web/victims/case.html",
        {
            "individual": individual,
            "views": views,
            "form": form,
            "plan": plan,
            "is_vlo": is_victim_liaison_officer(user),
        },
    )
