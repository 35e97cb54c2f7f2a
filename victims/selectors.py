"""Reads of victims' views: the visibility rule as a queryset, and "new since the last meeting"."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from mappa_workflow.models import Role
from meetings.models import AgendaItem, Meeting, MeetingState

from .models import VictimView


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def visible_victim_views(user: Any, qs: QuerySet[VictimView] | None = None) -> QuerySet[VictimView]:
    """Views the user may read: the area's co-ordinators and chairs see all of their area's, a
    practitioner those recorded by their own agency; nobody else any. Category 4 needs clearance."""
    qs = VictimView.objects.all() if qs is None else qs
    if not _signed_in(user) or getattr(user, "area_id", None) is None:
        return qs.none()
    qs = qs.filter(area_id=user.area_id)
    if user.has_role(Role.COORDINATOR, Role.CHAIR):
        pass
    elif user.has_role(Role.PRACTITIONER) and user.agency_id is not None:
        qs = qs.filter(agency_id=user.agency_id)
    else:
        return qs.none()
    if not getattr(user, "counter_terrorism_cleared", False):
        from referrals.models import Referral, RegistrationPeriod

        qs = qs.exclude(
            registration__individual_id__in=RegistrationPeriod.objects.filter(category=4).values("individual_id")
        ).exclude(registration__individual_id__in=Referral.objects.filter(category=4).values("individual_id"))
    return qs


def case_victim_views(user: Any, registration: Any) -> list[VictimView]:
    return list(
        visible_victim_views(user, VictimView.objects.filter(registration=registration)).select_related(
            "agency", "recorded_by", "meeting"
        )
    )


def previous_meeting(registration_id: Any, meeting: Meeting) -> Meeting | None:
    """The last meeting before ``meeting`` (not cancelled) that had this case on its agenda."""
    item = (
        AgendaItem.objects.filter(
            registration_id=registration_id,
            meeting__starts_at__lt=meeting.starts_at,
            meeting__area_id=meeting.area_id,
        )
        .exclude(meeting__state=MeetingState.CANCELLED)
        .select_related("meeting")
        .order_by("-meeting__starts_at")
        .first()
    )
    return item.meeting if item else None


def views_new_since_last_meeting(user: Any, *, registration_id: Any, meeting: Meeting) -> list[VictimView]:
    """Views the user may read that were recorded after the case's previous meeting began (all of
    them, for a case's first meeting): what the chair is prompted about at this meeting."""
    previous = previous_meeting(registration_id, meeting)
    qs = VictimView.objects.filter(registration_id=registration_id)
    if previous is not None:
        qs = qs.filter(recorded_at__gt=previous.starts_at)
    return list(visible_victim_views(user, qs).select_related("agency", "recorded_by"))
