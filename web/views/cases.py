"""Cases: the list of people a user may see, and the case page with its timeline."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from level_one import selectors as level_one_selectors
from mappa_workflow.audit import audit_view, case_viewer_summary
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from need_to_know import permissions
from referrals import services
from referrals.models import Registration
from release_planning import selectors as release_selectors
from victims.rules import is_victim_liaison_officer

from .. import selectors
from ..access import can_manage_cases, can_see_cases, page
from ..filters import CaseFilter, active_filters, filtered
from ..forms import LevelChangeForm, LifeEventForm
from ..forms_base import apply_workflow_error
from .common import page_links, paginate_people, sort_links, sort_queryset


def _active_registrations() -> Prefetch:
    return Prefetch("registrations", queryset=Registration.objects.active(), to_attr="active_registrations")


@page(can_see_cases)
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = permissions.visible_individuals(request.user).prefetch_related(_active_registrations())
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(
            Q(family_name__icontains=q)
            | Q(given_names__icontains=q)
            | Q(aliases__name__icontains=q)
            | Q(visor_reference__iexact=q)
            | Q(pnc_reference__iexact=q)
            | Q(ndelius_reference__iexact=q)
            | Q(referrals__reference__iexact=q)
        ).distinct()
    case_filter = CaseFilter(request.GET or None, qs, user=request.user, today=timezone.localdate())
    qs = filtered(case_filter).annotate(
        review_due=Subquery(
            Registration.objects.filter(individual=OuterRef("pk"), ended_on__isnull=True).values("next_review_due")[:1]
        )
    )
    qs, sort = sort_queryset(
        request,
        qs,
        {
            "name": ("family_name", "given_names", "pk"),
            "born": ("date_of_birth", "pk"),
            "added": ("created_at", "pk"),
            "review": ("review_due", "family_name", "pk"),
        },
        "name",
    )
    page_obj = paginate_people(request, qs, what="case list")
    return render(
        request,
        "web/cases/list.html",
        {
            "page_obj": page_obj,
            "pages": page_links(request, page_obj),
            "q": q,
            "filter_form": case_filter.form,
            "filtered_by": active_filters(case_filter),
            "keep_params": [("q", q), ("sort", request.GET.get("sort", ""))],
            "search_keep_params": [(k, v) for k, v in request.GET.items() if k in case_filter.filters or k == "sort"],
            "clear_href": "?" + urlencode({"q": q}) if q else "?",
            "sort_cells": sort_links(
                request,
                sort,
                {"name": "Name", "born": "Date of birth", "added": "Added", "review": "Next review due"},
            ),
            "extra_headers": ["MAPPA status"],
        },
    )


def _case(request: AuthenticatedHttpRequest, pk: Any):  # type: ignore[no-untyped-def]
    individual = get_object_or_404(
        permissions.visible_individuals(request.user).prefetch_related("aliases", _active_registrations()), pk=pk
    )
    # Read through the user's visible people, so that query has answered "may they see the person?" and
    # passed the Category 4 barrier: the page's permission checks and lists need not ask again.
    permissions.individual_read_as_visible(request.user, individual)
    return individual


@page(can_see_cases)
def case_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    individual = _case(request, pk)
    registration = individual.active_registrations[0] if individual.active_registrations else None
    current_period = (
        registration.periods.filter(end_date__isnull=True).select_related("lead_agency").first()
        if registration
        else None
    )
    user = request.user
    actions = selectors.case_actions(individual)
    agenda_items = selectors.case_agenda_items(individual, user)
    # Recorded before the viewers are read, so this view is among them.
    audit_view(request, individual, what="case page")
    can_see_viewers = permissions.has_perm(user, "mappa_workflow.view_case_viewers", individual)
    release_work = release_selectors.case_release_work(user, individual)
    return render(
        request,
        "web/cases/detail.html",
        {
            "individual": individual,
            "registration": registration,
            "current_period": current_period,
            "timeline": selectors.case_timeline(individual, actions=actions, agenda_items=agenda_items),
            "actions": actions,
            "disclosures": selectors.case_disclosures(agenda_items),
            "can_manage": registration is not None
            and permissions.has_perm(user, "referrals.manage_registration", registration),
            "can_record_event": permissions.has_perm(user, "referrals.record_life_event", individual),
            "viewers": case_viewer_summary(individual) if can_see_viewers else None,
            "can_record_sfo": registration is not None
            and permissions.is_coordinator(user)
            and permissions.has_perm(user, "case_reviews.record_serious_further_offence", registration),
            "can_request_transfer": registration is not None
            and permissions.has_perm(user, "transfers.request_transfer", registration),
            "can_see_victim_views": can_manage_cases(user) or is_victim_liaison_officer(user),
            **release_work,
            "level_one_reviews": level_one_selectors.case_reviews(user, individual),
            "can_plan_release": registration is not None
            and current_period is not None
            and current_period.location in ("custody", "hospital")
            and not any(plan.state == "planning" for plan in release_work["release_plans"])
            and permissions.has_perm(user, "release_planning.manage_release_plan", registration),
            "can_record_notification": permissions.has_perm(user, "release_planning.record_notification", individual),
            "can_review_level_one": registration is not None
            and registration.status == "level_1"
            and permissions.has_perm(user, "level_one.review_case", registration),
        },
    )


@page(can_see_cases)
def case_change_level(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    individual = _case(request, pk)
    registration = individual.active_registrations[0] if individual.active_registrations else None
    if registration is None or not permissions.has_perm(request.user, "referrals.manage_registration", registration):
        raise PermissionDenied("Only the area's co-ordinator or chair can change a case's level")
    form = LevelChangeForm(request.POST or None, initial={"level": str(registration.level)})
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_change_level(
                actor=request.user,
                registration=registration,
                level=int(form.cleaned_data["level"]),
                effective_date=form.cleaned_data["effective_date"],
                reason=form.cleaned_data["reason"],
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, f"{individual} is now managed at Level {form.cleaned_data['level']}")
            return redirect("web:case_detail", pk=individual.pk)
    return render(
        request, "web/cases/change_level.html", {"individual": individual, "registration": registration, "form": form}
    )


@page(can_see_cases)
def case_record_event(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    individual = _case(request, pk)
    if not permissions.has_perm(request.user, "referrals.record_life_event", individual):
        raise PermissionDenied("You may not record events for this person")
    form = LifeEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.life_event_record(actor=request.user, individual=individual, **form.cleaned_data)
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, "Event recorded")
            return redirect("web:case_detail", pk=individual.pk)
    return render(request, "web/cases/record_event.html", {"individual": individual, "form": form})
