"""Serious further offences and serious case reviews (docs/serious-case-reviews.md): the register, recording an
SFO from a case, and a review's decision, report and action plan. Thin: the rules are in
``need_to_know.permissions`` and the changes in ``oversight.services.reviews``.

SMB members and lay advisers read reviews, never whom they are about: every page here shows the person (name,
references, the SFO's details) only where ``sees_review_subject`` says the reader may, and the report and plan
are written without names (the services refuse text that carries them).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from case_reviews.models import REPORT_SECTIONS, ActionState, ReviewAction, ReviewState, SeriousCaseReview
from mappa_workflow.audit import audit_view
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, Role, User
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from need_to_know import permissions
from need_to_know.permissions import is_chair, is_coordinator, is_lay_adviser, is_smb_member
from oversight.governance.selectors import board_chair_on
from oversight.reviews import selectors
from oversight.services import reviews as services
from referrals.models import Registration

from ..access import can_read_board_governance, page
from ..forms_base import apply_workflow_error
from ..forms_reviews import (
    COMMISSION,
    ReviewActionForm,
    ReviewDecisionForm,
    ReviewReportForm,
    SeriousFurtherOffenceForm,
)

can_read_reviews = is_coordinator | is_chair | is_smb_member | is_lay_adviser
can_keep_reviews = is_coordinator | is_smb_member


def _review(
    request: AuthenticatedHttpRequest, pk: Any, perm: str = "case_reviews.view_case_review"
) -> SeriousCaseReview:
    review = selectors.review_for(request.user, pk)
    if review is None:
        raise Http404("No such review")
    if not permissions.has_perm(request.user, perm, review):
        raise PermissionDenied("Your role cannot do this to the review")
    return review


@page(can_read_reviews)
def review_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "web/reviews/register.html",
        {"register": selectors.register(request.user), "today": timezone.localdate(), "due": ReviewState.DECISION_DUE},
    )


@page(is_coordinator)
def case_serious_further_offence(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Record that the case was charged with a serious further offence (the registration in force, or the last)."""
    individual = get_object_or_404(permissions.visible_individuals(request.user), pk=pk)
    registration = Registration.objects.filter(individual=individual).order_by("-started_on").first()
    if registration is None:
        raise Http404("This person has no MAPPA registration")
    if not permissions.has_perm(request.user, "case_reviews.record_serious_further_offence", registration):
        raise PermissionDenied("Only the area's co-ordinators record a serious further offence")
    form = SeriousFurtherOffenceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sfo = services.sfo_record(
                actor=request.user,
                registration=registration,
                offence_date=data["offence_date"],
                charged_on=data["charged_on"],
                offence=data["offence"],
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            review = sfo.review
            messages.success(
                request,
                f"Serious further offence recorded. The SMB has been told its decision on review {review.reference} "
                f"is due by {review.decision_due:%-d %B %Y}",
            )
            return redirect("web:review_detail", pk=review.pk)
    return render(request, "web/reviews/record.html", {"form": form, "individual": individual})


@page(can_read_reviews)
def review_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    review = _review(request, pk)
    user = request.user
    with_subject = permissions.has_perm(user, "case_reviews.view_case_review_subject", review)
    if with_subject:
        audit_view(request, review.serious_further_offence, what="serious further offence and review")
    actions = list(review.actions.all())
    state = review.state
    can_decide = state == ReviewState.DECISION_DUE and permissions.has_perm(
        user, "case_reviews.decide_case_review", review
    )
    return render(
        request,
        "web/reviews/detail.html",
        {
            "review": review,
            "with_subject": with_subject,
            "sfo": review.serious_further_offence if with_subject else None,
            "criteria": selectors.criteria_labels(review),
            "sections": [(label, getattr(review, key)) for key, label in REPORT_SECTIONS],
            "actions": actions,
            "can_decide": can_decide,
            "who_decides": _who_decides(user, review) if state == ReviewState.DECISION_DUE and not can_decide else None,
            "can_write": state in (ReviewState.COMMISSIONED, ReviewState.REPORT_DRAFTED)
            and permissions.has_perm(user, "case_reviews.write_case_review_report", review),
            "can_approve": state == ReviewState.REPORT_DRAFTED
            and permissions.has_perm(user, "case_reviews.approve_case_review_report", review),
            "can_close": state == ReviewState.REPORT_APPROVED
            and permissions.has_perm(user, "case_reviews.close_case_review", review),
            "can_plan": state in services.PLAN_STATES
            and permissions.has_perm(user, "case_reviews.manage_case_review_actions", review),
            "can_complete": state != ReviewState.CLOSED
            and permissions.has_perm(user, "case_reviews.manage_case_review_actions", review),
            "open_state": ActionState.OPEN,
        },
    )


def _who_decides(user: User, review: SeriousCaseReview) -> dict[str, Any]:
    """Why the reader has no button to record the decision: who records it, or what stops anyone from doing so and
    how to put it right (the chair's account is recorded on the SMB governance page)."""
    chair = board_chair_on(area_id=review.area_id)
    if chair is None:
        problem = "no_chair"
    elif chair.user is None:
        problem = "no_account"
    elif not permissions.has_perm(chair.user, "case_reviews.decide_case_review", review):
        problem = "account_cannot"
    else:
        problem = ""
    return {
        "chair": chair,
        "problem": problem,
        "is_chair": chair is not None and chair.user_id == user.pk,
        "governance_href": reverse("web:smb_governance") + "#account" if can_read_board_governance(user) else "",
    }


def _lay_advisers(review: SeriousCaseReview) -> list[tuple[str, str]]:
    people = User.objects.filter(
        area_id=review.area_id, is_active=True, role_assignments__role=Role.LAY_ADVISER
    ).order_by("last_name", "first_name")
    return [(str(u.pk), u.get_full_name() or u.username) for u in people.distinct()]


@page(is_smb_member)
def review_decide(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    review = _review(request, pk, "case_reviews.decide_case_review")
    choices = _lay_advisers(review)
    form = ReviewDecisionForm(request.POST if request.method == "POST" else None, lay_advisers=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["outcome"] == COMMISSION:
                lay = User.objects.filter(pk=data["lay_adviser"]).first() if data["lay_adviser"] else None
                services.scr_commission(
                    actor=request.user,
                    review=review,
                    criteria_met=data["criteria_met"],
                    reasons=data["reasons"],
                    remit=data["remit"],
                    lay_adviser=lay,
                    decided_on=data["decided_on"],
                )
            else:
                services.scr_decide_not_to_review(
                    actor=request.user,
                    review=review,
                    criteria_met=data["criteria_met"],
                    reasons=data["reasons"],
                    decided_on=data["decided_on"],
                )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, f"Decision on review {review.reference} recorded")
            return redirect("web:review_detail", pk=review.pk)
    return render(request, "web/reviews/decide.html", {"form": form, "review": review})


@page(can_keep_reviews)
def review_report(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    review = _review(request, pk, "case_reviews.write_case_review_report")
    initial = {key: getattr(review, key) for key, _ in REPORT_SECTIONS}
    form = ReviewReportForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.scr_report_write(actor=request.user, review=review, **form.cleaned_data)
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, f"Report for review {review.reference} saved")
            return redirect("web:review_detail", pk=review.pk)
    return render(request, "web/reviews/report.html", {"form": form, "review": review})


def _flash(request: AuthenticatedHttpRequest, error: WorkflowError) -> None:
    """A refused button (no form to show the error on): each message at the top of the review's page."""
    for errors in error.errors.values():
        for message in errors:
            messages.error(request, message)


def _step(request: AuthenticatedHttpRequest, pk: Any, *, perm: str, service: Any, done: str) -> HttpResponse:
    review = _review(request, pk, perm)
    try:
        service(actor=request.user, review=review)
    except WorkflowError as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"Review {review.reference} {done}")
    return redirect("web:review_detail", pk=review.pk)


@require_POST
@page(is_smb_member)
def review_approve(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    return _step(
        request,
        pk,
        perm="case_reviews.approve_case_review_report",
        service=services.scr_report_approve,
        done="report approved",
    )


@require_POST
@page(is_smb_member)
def review_close(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    return _step(request, pk, perm="case_reviews.close_case_review", service=services.scr_close, done="closed")


@page(can_keep_reviews)
def review_plan_add(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    review = _review(request, pk, "case_reviews.manage_case_review_actions")
    agencies = Agency.objects.filter(area_id=review.area_id).order_by("name")
    form = ReviewActionForm(
        request.POST if request.method == "POST" else None, agencies=[(str(a.pk), a.name) for a in agencies]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.scr_action_add(
                actor=request.user,
                review=review,
                description=data["description"],
                owning_agency=agencies.filter(pk=data["owning_agency"]).first(),
                due_date=data["due_date"],
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, f"Action added to the plan of review {review.reference}")
            return redirect("web:review_detail", pk=review.pk)
    return render(request, "web/reviews/action.html", {"form": form, "review": review})


@require_POST
@page(can_keep_reviews)
def review_plan_item_complete(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    action = get_object_or_404(
        ReviewAction.objects.select_related("review").filter(review__in=permissions.visible_case_reviews(request.user)),
        pk=pk,
    )
    if not permissions.has_perm(request.user, "case_reviews.manage_case_review_actions", action):
        raise PermissionDenied("Your role cannot change this review's plan")
    try:
        services.scr_action_complete(actor=request.user, action=action)
    except WorkflowError as exc:
        _flash(request, exc)
    else:
        messages.success(request, "Action marked completed")
    return redirect("web:review_detail", pk=action.review_id)
