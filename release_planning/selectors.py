"""Reads for release planning. What a user may see follows the person: a practitioner sees the plans,
notifications and sharing requests of the people their agency may see (``visible_individuals``); SMB
members and lay advisers see none."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from need_to_know import permissions

from .models import ChecklistItem, ReleasePlan, ReleasePlanningSettings, SharingRequest, ThirdPartyNotification


def visible_release_plans(user: Any, qs: QuerySet[ReleasePlan] | None = None) -> QuerySet[ReleasePlan]:
    return permissions.records_of_visible_people(user, ReleasePlan.objects.all() if qs is None else qs)


def visible_notifications(
    user: Any, qs: QuerySet[ThirdPartyNotification] | None = None
) -> QuerySet[ThirdPartyNotification]:
    return permissions.records_of_visible_people(user, ThirdPartyNotification.objects.all() if qs is None else qs)


def visible_sharing_requests(user: Any, qs: QuerySet[SharingRequest] | None = None) -> QuerySet[SharingRequest]:
    return permissions.records_of_visible_people(user, SharingRequest.objects.all() if qs is None else qs)


def plan_detail_queryset() -> QuerySet[ReleasePlan]:
    return ReleasePlan.objects.select_related("individual", "lead_agency", "registration").prefetch_related(
        Prefetch("items", queryset=ChecklistItem.objects.select_related("completed_by")),
        "date_changes__changed_by",
        "notifications",
    )


@dataclass(frozen=True)
class UpcomingRelease:
    plan: ReleasePlan
    missing: list[ChecklistItem]
    overdue: list[ChecklistItem]
    level_missing: bool
    level_overdue: bool

    @property
    def complete(self) -> bool:
        return not self.missing and not self.level_missing


def horizon_weeks(area: Any) -> int:
    return ReleasePlanningSettings.for_area(area).horizon_weeks


def upcoming_releases(user: Any, *, area: Any, today: dt.date, weeks: int | None = None) -> list[UpcomingRelease]:
    """Open plans of the area with a release from today up to the area's horizon (12 weeks by default),
    each with what is still missing: three queries however many plans."""
    horizon = today + dt.timedelta(weeks=horizon_weeks(area) if weeks is None else weeks)
    plans = visible_release_plans(
        user,
        ReleasePlan.objects.open()
        .filter(area=area, expected_date__gte=today, expected_date__lte=horizon)
        .select_related("individual", "lead_agency")
        .prefetch_related("items"),
    ).order_by("expected_date", "pk")
    rows = []
    for plan in plans:
        missing = [item for item in plan.items.all() if not item.is_done]
        rows.append(
            UpcomingRelease(
                plan=plan,
                missing=missing,
                overdue=[item for item in missing if item.due_date < today],
                level_missing=plan.decided_level is None,
                level_overdue=plan.decided_level is None and plan.level_decision_due < today,
            )
        )
    return rows


def case_release_work(user: Any, individual: Any) -> dict[str, Any]:
    """What the case page shows of release planning: plans (newest first), notifications, sharing requests.

    Each list follows the person in the area that manages them now (``permissions.records_of_visible_people``),
    so it is that area's whole list when the user may see the person and empty otherwise: one check (free when
    the page read the person through ``visible_individuals``, see ``permissions.individual_read_as_visible``)
    instead of the visibility subquery in each list."""
    if not permissions.can_view_individual(user, individual):
        return {"release_plans": [], "notifications": [], "sharing_requests": []}
    mine = {"individual": individual, "area_id": individual.area_id}
    return {
        "release_plans": list(plan_detail_queryset().filter(**mine).order_by("-created_at")),
        "notifications": list(ThirdPartyNotification.objects.filter(**mine).select_related("sent_by_agency")),
        "sharing_requests": list(
            SharingRequest.objects.filter(**mine).select_related("agenda_item__meeting", "decided_by")
        ),
    }


def items_due_by(*, area: Any, day: dt.date) -> QuerySet[ChecklistItem]:
    """Unfinished checklist items of open plans due on or before ``day`` (the reminders' sweep)."""
    return (
        ChecklistItem.objects.filter(plan__area=area, plan__state="planning", completed_on__isnull=True)
        .filter(due_date__lte=day)
        .select_related("plan__lead_agency", "plan__individual")
        .order_by("due_date", "pk")
    )
