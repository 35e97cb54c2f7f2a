"""Reads of SFOs and serious case reviews for the register and a review's page, as one reader may see them.

A co-ordinator or chair of the area reads the SFOs and the reviews with whom they are about; an SMB member or
lay adviser reads the reviews only: reference, dates, state, criteria, the report and the plan, never the
person or the SFO record (``need_to_know.permissions.visible_case_reviews`` and ``sees_review_subject``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from case_reviews.models import (
    ActionState,
    ReviewAction,
    ReviewCriterion,
    ReviewState,
    SeriousCaseReview,
    SeriousFurtherOffence,
)
from need_to_know import permissions


@dataclass(frozen=True)
class Register:
    reviews: list[SeriousCaseReview]
    offences: list[SeriousFurtherOffence]  # empty for readers who may not see whom a review is about
    with_subject: bool


def register(user: Any) -> Register:
    """The area's reviews (open first, by due date), with their open and overdue action counts; and, for the
    co-ordinators and chairs, the SFOs with the person."""
    with_subject = permissions.sees_review_subject(user)
    reviews = (
        permissions.visible_case_reviews(user)
        .annotate(
            open_actions=Count("actions", filter=Q(actions__state=ActionState.OPEN)),
        )
        .order_by("state", "decision_due")
    )
    if with_subject:
        reviews = reviews.select_related("serious_further_offence", "individual")
    ordered = sorted(reviews, key=lambda r: (r.state in (ReviewState.CLOSED, ReviewState.NOT_REVIEWED), r.decision_due))
    offences: list[SeriousFurtherOffence] = []
    if with_subject:
        offences = list(
            permissions.visible_serious_further_offences(user).select_related("individual", "review", "recorded_by")
        )
    return Register(reviews=ordered, offences=offences, with_subject=with_subject)


def review_for(user: Any, pk: Any) -> SeriousCaseReview | None:
    """One review the user may read, with its plan and the people named on it (never the subject's record
    unless the user may see it: the page asks ``sees_review_subject``)."""
    qs: QuerySet[SeriousCaseReview] = permissions.visible_case_reviews(user).select_related(
        "area", "decided_by", "lay_adviser", "report_approved_by"
    )
    if permissions.sees_review_subject(user):
        qs = qs.select_related("serious_further_offence", "individual", "serious_further_offence__recorded_by")
    qs = qs.prefetch_related(
        Prefetch("actions", queryset=ReviewAction.objects.select_related("owning_agency", "completed_by"))
    )
    return qs.filter(pk=pk).first()


def criteria_labels(review: SeriousCaseReview) -> list[str]:
    labels = dict(ReviewCriterion.choices)
    return [str(labels[key]) for key in review.criteria_met if key in labels]
