"""Reads behind the reminders, alerts and digests. Each returns plain rows with what the email shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from mappa_workflow.models import Area, AreaSettings, Role, User
from referrals.models import Registration, RegistrationStatus

from .models import ExportJob

MANAGED_AT_2_OR_3 = [RegistrationStatus.LEVEL_2, RegistrationStatus.LEVEL_3]


def coordinators(area: Area) -> QuerySet[User]:
    return (
        User.objects.filter(area=area, is_active=True, role_assignments__role=Role.COORDINATOR)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def smb_members(area: Area) -> QuerySet[User]:
    return (
        User.objects.filter(area=area, is_active=True, role_assignments__role=Role.SMB_MEMBER)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def areas_with_coordinators() -> Iterable[Area]:
    return Area.objects.filter(users__is_active=True, users__role_assignments__role=Role.COORDINATOR).distinct()


def due_soon_days(area: Area) -> int:
    return AreaSettings.for_area(area).due_soon_days


def unfinished_actions_due_by(*, area: Area, day: dt.date):  # type: ignore[no-untyped-def]
    """Open and in-progress actions due on or before ``day`` (so overdue ones too), with what the email names."""
    from meetings.models import RiskAction

    return (
        RiskAction.objects.unfinished()
        .filter(area=area, due_date__lte=day)
        .select_related("owning_agency", "officer", "registration__individual")
        .order_by("due_date", "created_at")
    )


def _booked(kind_filter: dict) -> Exists:
    from meetings.models import NOT_CANCELLED, AgendaItem

    return Exists(
        AgendaItem.objects.filter(registration=OuterRef("pk"), meeting__state__in=NOT_CANCELLED, **kind_filter)
    )


def first_meetings_due_by(*, area: Area, day: dt.date) -> QuerySet[Registration]:
    """Cases at Level 2 or 3 whose first meeting is due by ``day`` and is not on any meeting's agenda."""
    from meetings.models import AgendaItemKind

    return (
        Registration.objects.filter(
            area=area, status__in=MANAGED_AT_2_OR_3, first_meeting_due__lte=day, next_review_due__isnull=True
        )
        .exclude(_booked({"kind": AgendaItemKind.FIRST_MEETING}))
        .select_related("individual")
        .order_by("first_meeting_due")
    )


def reviews_due_by(*, area: Area, day: dt.date) -> QuerySet[Registration]:
    """Cases at Level 2 or 3 whose review is due by ``day`` with no meeting booked for them from now on."""
    from meetings.models import AgendaItem, MeetingState

    booked = Exists(AgendaItem.objects.filter(registration=OuterRef("pk"), meeting__state=MeetingState.SCHEDULED))
    return (
        Registration.objects.filter(area=area, status__in=MANAGED_AT_2_OR_3, next_review_due__lte=day)
        .exclude(booked)
        .select_related("individual")
        .order_by("next_review_due")
    )


def minutes_overdue(*, area: Area, today: dt.date) -> list[dict]:
    """Meetings held whose minutes are not approved by their due date (the area's working days after)."""
    from meetings.models import Meeting, MeetingState
    from meetings.timescales import minutes_due

    area_settings = AreaSettings.for_area(area)
    held = Meeting.objects.filter(area=area, state__in=[MeetingState.HELD, MeetingState.MINUTES_DRAFTED])
    overdue = []
    for meeting in held.order_by("starts_at"):
        due = minutes_due(meeting, area_settings)
        if due < today:
            overdue.append({"meeting": meeting, "due": due})
    return overdue


def export_jobs_for(user: User) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(requested_by=user).select_related("area").order_by("-created_at")
