"""The Level 1 register: every case the user may see that is managed at Level 1, with its lead agency, the
screening rationale that put it there, its last review and when the next is due (one query)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, DateField, OuterRef, QuerySet, Subquery

from need_to_know import permissions
from referrals.models import DECIDED, Referral, Registration, RegistrationPeriod, RegistrationStatus

from .dates import add_months
from .models import LevelOneReview, LevelOneSettings


def visible_reviews(user: Any, qs: QuerySet[LevelOneReview] | None = None) -> QuerySet[LevelOneReview]:
    qs = LevelOneReview.objects.all() if qs is None else qs
    return permissions.records_of_visible_people(user, qs)


def case_reviews(user: Any, individual: Any) -> list[LevelOneReview]:
    """A person's Level 1 reviews in the area that manages them now, for their case page: all of them if the
    user may see the person (one check, free when the page read the person through ``visible_individuals``),
    else none."""
    if not permissions.can_view_individual(user, individual):
        return []
    return list(individual.level_one_reviews.filter(area_id=individual.area_id).select_related("referral"))


@dataclass(frozen=True)
class RegisterRow:
    registration: Registration
    lead_agency_name: str
    since: dt.date
    screening_rationale: str
    last_reviewed_on: dt.date | None
    next_review_due: dt.date
    overdue: bool


def _register_queryset(user: Any, area: Any) -> QuerySet[Any]:
    open_period = RegistrationPeriod.objects.filter(registration=OuterRef("pk"), end_date__isnull=True)
    latest_review = LevelOneReview.objects.filter(registration=OuterRef("pk")).order_by("-reviewed_on", "-recorded_at")
    left_meetings = RegistrationPeriod.objects.filter(
        registration=OuterRef("pk"), level__in=[2, 3], end_date__isnull=False
    ).order_by("-end_date")
    screening = Referral.objects.filter(individual=OuterRef("individual_id"), state__in=DECIDED).order_by(
        "-decided_on", "-created_at"
    )
    qs = Registration.objects.filter(area=area, status=RegistrationStatus.LEVEL_1).select_related("individual")
    return (
        permissions.visible_registrations(user, qs)
        .annotate(
            lead_agency_id_now=Subquery(open_period.values("lead_agency_id")[:1]),
            lead_agency_name=Subquery(open_period.values("lead_agency__name")[:1], output_field=CharField()),
            # back at Level 1 since the last period at Level 2 or 3 ended (or since registration)
            left_level_2_or_3=Subquery(left_meetings.values("end_date")[:1], output_field=DateField()),
            last_reviewed_on=Subquery(latest_review.values("reviewed_on")[:1], output_field=DateField()),
            last_next_due=Subquery(latest_review.values("next_review_due")[:1], output_field=DateField()),
            screening_rationale=Subquery(screening.values("decision_rationale")[:1], output_field=CharField()),
        )
        .order_by("individual__family_name", "individual__given_names", "pk")
    )


def level_one_register(
    user: Any, *, area: Any, today: dt.date, agency_id: int | None = None, overdue_only: bool = False
) -> list[RegisterRow]:
    """The register as rows, optionally of one lead agency and only the overdue ones."""
    interval = LevelOneSettings.for_area(area).review_interval_months
    qs: QuerySet[Any] = _register_queryset(user, area)
    if agency_id is not None:
        qs = qs.filter(lead_agency_id_now=agency_id)
    rows = []
    for registration in qs:
        since = _level_1_since(registration)
        due = registration.last_next_due or add_months(registration.last_reviewed_on or since, interval)
        row = RegisterRow(
            registration=registration,
            lead_agency_name=registration.lead_agency_name or "",
            since=since,
            screening_rationale=registration.screening_rationale or "",
            last_reviewed_on=registration.last_reviewed_on,
            next_review_due=due,
            overdue=due < today,
        )
        if row.overdue or not overdue_only:
            rows.append(row)
    return rows


def _level_1_since(registration: Any) -> dt.date:
    return registration.left_level_2_or_3 or registration.started_on
