"""Release planning pages: the upcoming releases, a plan with its checklist, and the forms that change it;
third-party notifications and requests to share minutes. Thin: each form calls one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.audit import audit_list, audit_view
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from need_to_know import permissions
from release_planning import selectors, services
from release_planning.models import ChecklistItemKind, RecipientType, ReleasePlan, SharingRequest

from ..access import can_see_cases, page
from ..forms_base import GovukForm, apply_workflow_error
from ..forms_between_meetings import (
    AcknowledgeForm,
    ChecklistItemForm,
    ReleaseDateChangeForm,
    ReleaseLevelForm,
    ReleasePlanCloseForm,
    ReleasePlanStartForm,
    SharingDecisionForm,
    SharingRequestForm,
    ThirdPartyNotificationForm,
    yes_no,
)

MANAGE = "release_planning.manage_release_plan"
# Items that are a notification to a third party: recording them records the notification too.
ITEM_RECIPIENT = {
    ChecklistItemKind.MAPPA_J: RecipientType.DWP,
    ChecklistItemKind.CHILDRENS_SERVICES: RecipientType.CHILDRENS_SERVICES,
}


def _visible_individual(request: AuthenticatedHttpRequest, pk: Any) -> Any:
    return get_object_or_404(permissions.visible_individuals(request.user), pk=pk)


def _plan(request: AuthenticatedHttpRequest, pk: Any) -> ReleasePlan:
    return get_object_or_404(selectors.visible_release_plans(request.user, selectors.plan_detail_queryset()), pk=pk)


def _form_page(
    request: AuthenticatedHttpRequest,
    form: GovukForm,
    *,
    call: Callable[[dict[str, Any]], Any],
    success: str,
    redirect_to: Any,
    context: dict[str, Any],
) -> HttpResponse:
    """Validate, call the service, show its refusal against the fields; on success go back with a message."""
    if request.method == "POST" and form.is_valid():
        try:
            call(form.cleaned_data)
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, success)
            return redirect_to
    return render_form(request, form, context)


def render_form(request: AuthenticatedHttpRequest, form: GovukForm, context: dict[str, Any]) -> HttpResponse:
    """The one form page of these views; ``back`` is the (url name, *args) the back link goes to."""
    back = context.pop("back")
    return render(
        request,
        "web/between_meetings/form.html",
        {"form": form, "back_url": reverse(back[0], args=back[1:]), **context},
    )


@page(can_see_cases)
def release_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if user.area is None:
        raise PermissionDenied("Your account is not linked to a MAPPA area")
    today = timezone.localdate()
    weeks = selectors.horizon_weeks(user.area)
    rows = selectors.upcoming_releases(user, area=user.area, today=today, weeks=weeks)
    audit_list(request, what="upcoming releases", shown=[row.plan for row in rows])
    return render(
        request,
        "web/between_meetings/release_list.html",
        {"rows": rows, "today": today, "horizon_weeks": weeks},
    )


@page(can_see_cases)
def release_plan_start(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    individual = _visible_individual(request, pk)
    registration = individual.registrations.active().first()
    if registration is None or not permissions.has_perm(request.user, MANAGE, registration):
        raise PermissionDenied("Only the area's co-ordinators and chairs, or the lead agency, can plan a release")
    form = ReleasePlanStartForm(request.POST or None)
    created: dict[str, Any] = {}

    def call(data: dict[str, Any]) -> None:
        created["plan"] = services.release_plan_create(
            actor=request.user, individual=individual, expected_date=data["expected_date"]
        )

    if request.method == "POST" and form.is_valid():
        try:
            call(form.cleaned_data)
        except WorkflowError as exc:
            apply_workflow_error(form, exc, aliases={"individual": "expected_date"})
        else:
            messages.success(request, "Release plan started")
            return redirect("web:release_plan", pk=created["plan"].pk)
    return render_form(
        request,
        form,
        {
            "individual": individual,
            "title": "Plan a release or discharge",
            "button": "Start the plan",
            "back": ("web:case_detail", individual.pk),
        },
    )


@page(can_see_cases)
def release_plan(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    plan = _plan(request, pk)
    audit_view(request, plan, what="release plan")
    today = timezone.localdate()
    return render(
        request,
        "web/between_meetings/release_plan.html",
        {
            "plan": plan,
            "individual": plan.individual,
            "items": list(plan.items.all()),
            "today": today,
            "can_manage": plan.state == "planning" and permissions.has_perm(request.user, MANAGE, plan),
            "notification_items": {str(kind) for kind in ITEM_RECIPIENT},
        },
    )


def _managed_plan(request: AuthenticatedHttpRequest, pk: Any) -> ReleasePlan:
    plan = _plan(request, pk)
    if not permissions.has_perm(request.user, MANAGE, plan):
        raise PermissionDenied("Only the area's co-ordinators and chairs, or the lead agency, can change this plan")
    return plan


@page(can_see_cases)
def release_plan_date(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    plan = _managed_plan(request, pk)
    form = ReleaseDateChangeForm(request.POST or None, initial={"expected_date": plan.expected_date})
    return _form_page(
        request,
        form,
        call=lambda data: services.release_plan_change_date(actor=request.user, plan=plan, **data),
        success="Expected date changed; the checklist's due dates moved with it",
        redirect_to=redirect("web:release_plan", pk=plan.pk),
        context={
            "individual": plan.individual,
            "title": "Change the expected date",
            "button": "Save the new date",
            "back": ("web:release_plan", plan.pk),
        },
    )


@page(can_see_cases)
def release_plan_level(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    plan = _managed_plan(request, pk)
    form = ReleaseLevelForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    return _form_page(
        request,
        form,
        call=lambda data: services.release_plan_decide_level(
            actor=request.user,
            plan=plan,
            level=int(data["level"]),
            rationale=data["rationale"],
            decided_on=data["decided_on"],
        ),
        success="Level for release recorded",
        redirect_to=redirect("web:release_plan", pk=plan.pk),
        context={
            "individual": plan.individual,
            "title": "Record the level decided for release",
            "button": "Record the level",
            "back": ("web:release_plan", plan.pk),
        },
    )


@page(can_see_cases)
def release_plan_item(request: AuthenticatedHttpRequest, pk: Any, item: str) -> HttpResponse:
    plan = _managed_plan(request, pk)
    checklist_item = next((i for i in plan.items.all() if i.kind == item), None)
    if checklist_item is None:
        raise PermissionDenied("This plan has no such item")
    if item in ITEM_RECIPIENT:  # a notification to a third party: recorded as one, which ticks the item
        return third_party_notification_add(request, pk=plan.individual_id, plan=plan, item=item)
    form = ChecklistItemForm(request.POST or None, initial={"completed_on": timezone.localdate()})
    return _form_page(
        request,
        form,
        call=lambda data: services.checklist_item_complete(actor=request.user, plan=plan, kind=item, **data),
        success=f"{checklist_item} recorded",
        redirect_to=redirect("web:release_plan", pk=plan.pk),
        context={
            "individual": plan.individual,
            "title": f"Record: {checklist_item}",
            "button": "Record it",
            "back": ("web:release_plan", plan.pk),
            "due": checklist_item.due_date,
        },
    )


@page(can_see_cases)
def release_plan_close(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    plan = _managed_plan(request, pk)
    form = ReleasePlanCloseForm(request.POST or None, initial={"closed_on": timezone.localdate()})
    return _form_page(
        request,
        form,
        call=lambda data: services.release_plan_close(actor=request.user, plan=plan, **data),
        success="Release plan closed",
        redirect_to=redirect("web:case_detail", pk=plan.individual_id),
        context={
            "individual": plan.individual,
            "title": "Close the release plan",
            "button": "Close the plan",
            "back": ("web:release_plan", plan.pk),
        },
    )


@page(can_see_cases)
def third_party_notification_add(
    request: AuthenticatedHttpRequest, pk: Any, plan: ReleasePlan | None = None, item: str = ""
) -> HttpResponse:
    individual = _visible_individual(request, pk)
    if not permissions.has_perm(request.user, "release_planning.record_notification", individual):
        raise PermissionDenied("You may not record notifications for this person")
    initial: dict[str, Any] = {"sent_on": timezone.localdate()}
    if item:
        initial["recipient_type"] = ITEM_RECIPIENT[item]  # type: ignore[index]
    form = ThirdPartyNotificationForm(request.POST or None, initial=initial)

    def call(data: dict[str, Any]) -> None:
        data = dict(data)
        data["individual_told"] = yes_no(data["individual_told"])
        services.third_party_notification_record(
            actor=request.user, individual=individual, release_plan=plan, completes_item=item, **data
        )

    back = ("web:release_plan", plan.pk) if plan else ("web:case_detail", individual.pk)
    title = f"Record: {ChecklistItemKind(item).label}" if item else "Record a third-party notification"
    return _form_page(
        request,
        form,
        call=call,
        success="Notification recorded" + (f"; '{ChecklistItemKind(item).label}' is done" if item else ""),
        redirect_to=redirect(*back),
        context={"individual": individual, "title": title, "button": "Record the notification", "back": back},
    )


@page(can_see_cases)
def third_party_notification_acknowledge(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    notification = get_object_or_404(selectors.visible_notifications(request.user).select_related("individual"), pk=pk)
    if not permissions.has_perm(request.user, "release_planning.acknowledge_notification", notification):
        raise PermissionDenied("Only the sending agency, or the area's co-ordinators and chairs, can record this")
    form = AcknowledgeForm(request.POST or None, initial={"acknowledged_on": timezone.localdate()})
    return _form_page(
        request,
        form,
        call=lambda data: services.third_party_notification_acknowledge(
            actor=request.user, notification=notification, **data
        ),
        success="Acknowledgement recorded",
        redirect_to=redirect("web:case_detail", pk=notification.individual_id),
        context={
            "individual": notification.individual,
            "title": f"Acknowledgement from {notification.recipient}",
            "button": "Record the acknowledgement",
            "back": ("web:case_detail", notification.individual_id),
        },
    )


@page(can_see_cases)
def sharing_request_add(request: AuthenticatedHttpRequest, pk: Any, item_id: int) -> HttpResponse:
    item = get_object_or_404(
        permissions.visible_agenda_items(request.user).select_related(
            "registration__individual", "referral__individual"
        ),
        meeting_id=pk,
        pk=item_id,
    )
    individual = item.registration.individual if item.registration else item.referral.individual  # type: ignore[union-attr]
    if not permissions.has_perm(request.user, "release_planning.record_sharing_request", individual):
        raise PermissionDenied("You may not log requests for these minutes")
    form = SharingRequestForm(request.POST or None, initial={"requested_on": timezone.localdate()})
    return _form_page(
        request,
        form,
        call=lambda data: services.sharing_request_record(actor=request.user, agenda_item=item, **data),
        success="Request logged: the chair has been asked to decide",
        redirect_to=redirect("web:case_detail", pk=individual.pk),
        context={
            "individual": individual,
            "title": "Log a request to share these minutes",
            "button": "Log the request",
            "back": ("web:meeting_case_minutes", pk, item_id),
        },
    )


@page(can_see_cases)
def sharing_request_decide(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    sharing: SharingRequest = get_object_or_404(
        selectors.visible_sharing_requests(request.user).select_related("individual", "agenda_item__meeting"), pk=pk
    )
    if not permissions.has_perm(request.user, "release_planning.decide_sharing_request", sharing):
        raise PermissionDenied("Only a chair of the area can decide a request to share minutes")
    form = SharingDecisionForm(request.POST or None)
    return _form_page(
        request,
        form,
        call=lambda data: services.sharing_request_decide(actor=request.user, request=sharing, **data),
        success="Decision recorded; whoever logged the request has been told",
        redirect_to=redirect("web:case_detail", pk=sharing.individual_id),
        context={
            "individual": sharing.individual,
            "title": "Decide a request to share minutes",
            "button": "Record the decision",
            "back": ("web:case_detail", sharing.individual_id),
            "sharing": sharing,
        },
    )
