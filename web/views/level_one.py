"""Level 1 oversight pages: the register (per lead agency, with the overdue list) and the review form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from level_one import selectors, services
from mappa_workflow.audit import audit_list
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from need_to_know import permissions

from ..access import can_manage_cases, can_see_cases, page
from ..forms_base import apply_workflow_error
from ..forms_between_meetings import LevelOneReviewForm, yes_no
from .common import page_links, paginate
from .release_planning import render_form


@page(can_see_cases)
def level_one_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Co-ordinators and chairs see the area's register and may pick a lead agency; a practitioner sees
    the cases their own agency leads. ``show=overdue`` is the overdue list."""
    user = request.user
    if user.area is None:
        raise PermissionDenied("Your account is not linked to a MAPPA area")
    agencies = list(Agency.objects.filter(area=user.area).order_by("name")) if can_manage_cases(user) else []
    if can_manage_cases(user):
        chosen = request.GET.get("agency", "")
        agency_id = int(chosen) if chosen.isdigit() and any(a.pk == int(chosen) for a in agencies) else None
    else:
        agency_id = user.agency_id or -1
    overdue_only = request.GET.get("show") == "overdue"
    today = timezone.localdate()
    rows = selectors.level_one_register(
        user, area=user.area, today=today, agency_id=agency_id, overdue_only=overdue_only
    )
    page_obj = paginate(request, rows)
    audit_list(
        request, what="level 1 register", shown=[row.registration for row in page_obj.object_list], search=request.GET
    )
    return render(
        request,
        "web/between_meetings/level_one_register.html",
        {
            "page_obj": page_obj,
            "pages": page_links(request, page_obj),
            "agencies": agencies,
            "agency_id": agency_id,
            "overdue_only": overdue_only,
            "overdue_count": sum(1 for row in rows if row.overdue),
            "today": today,
        },
    )


@page(can_see_cases)
def level_one_review(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    individual = get_object_or_404(permissions.visible_individuals(request.user), pk=pk)
    registration = individual.registrations.active().first()
    if registration is None or not permissions.has_perm(request.user, "level_one.review_case", registration):
        raise PermissionDenied("Only the lead agency, or the area's co-ordinators and chairs, review a Level 1 case")
    form = LevelOneReviewForm(request.POST or None, initial={"reviewed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.level_one_review_record(
                actor=request.user,
                registration=registration,
                reviewed_on=data["reviewed_on"],
                risk_changed=yes_no(data["risk_changed"]),
                plan_robust=yes_no(data["plan_robust"]),
                refer_to_level_2=yes_no(data["refer_to_level_2"]),
                notes=data["notes"],
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            if review.referral is not None:
                messages.success(
                    request, f"Review recorded; referral {review.referral.reference} sent to the co-ordinator"
                )
            else:
                messages.success(request, f"Review recorded; next review due {review.next_review_due:%d %B %Y}")
            return redirect("web:case_detail", pk=individual.pk)
    return render_form(
        request,
        form,
        {
            "individual": individual,
            "title": "Review a Level 1 case",
            "button": "Record the review",
            "back": ("web:case_detail", individual.pk),
        },
    )
