"""The checks scheduling, rescheduling and agenda changes share; each raises
:class:`WorkflowError` naming the field before anything is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, Area, Role, Seniority, User
from mappa_workflow.services_base import require_text
from referrals.models import Referral, Registration

from ..models import (
    AgendaItem,
    Meeting,
    MeetingType,
)

MIN_DURATION, MAX_DURATION = 15, 480


def _check_time(starts_at: dt.datetime | None, duration_minutes: int, *, allow_past: bool) -> dt.datetime:
    if starts_at is None:
        raise WorkflowError({"starts_at": "Enter the date and time of the meeting"})
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    if starts_at.year >= 2100:
        raise WorkflowError({"starts_at": "Enter a date before the year 2100"})
    if not allow_past and starts_at <= timezone.now():
        raise WorkflowError({"starts_at": "The meeting must be scheduled for a time in the future"})
    if not MIN_DURATION <= int(duration_minutes) <= MAX_DURATION:
        raise WorkflowError(
            {"duration_minutes": f"The meeting must last between {MIN_DURATION} minutes and {MAX_DURATION // 60} hours"}
        )
    return starts_at


def _check_chair(chair: User | None, *, area: Area, meeting_type: str) -> User:
    if chair is None:
        raise WorkflowError({"chair": "Select the chair"})
    if chair.area_id != area.pk or not chair.has_role(Role.CHAIR):
        raise WorkflowError({"chair": f"{chair} is not a chair in {area}"})
    if meeting_type == MeetingType.LEVEL_3 and chair.seniority < Seniority.SUPERINTENDENT:
        raise WorkflowError(
            {
                "chair": f"A Level 3 panel must be chaired at superintendent-equivalent seniority or above; {chair} is not"
            }
        )
    return chair


def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y %H:%M}"


def _check_chair_free(chair: User, starts_at: dt.datetime, ends_at: dt.datetime, *, exclude: Meeting | None) -> None:
    # Lock the chair's row until the booking commits, so two co-ordinators booking the same chair at the
    # same moment are checked one after the other instead of both passing the check (PostgreSQL).
    list(User.objects.select_for_update().filter(pk=chair.pk).values_list("pk", flat=True))
    clash = Meeting.objects.overlapping(starts_at, ends_at).filter(chair=chair)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    other = clash.order_by("starts_at").first()
    if other is not None:
        raise WorkflowError({"chair": f"{chair} already chairs a meeting at that time ({other})"})


def _check_cases_free(
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    registrations: Sequence[Registration],
    referrals: Sequence[Referral],
    exclude: Meeting | None,
) -> None:
    # Lock the cases' rows (in a fixed order, so two bookings cannot deadlock) until the booking commits.
    list(
        Registration.objects.select_for_update()
        .filter(pk__in=[r.pk for r in registrations])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    list(
        Referral.objects.select_for_update()
        .filter(pk__in=[r.pk for r in referrals])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    items = AgendaItem.objects.filter(meeting__in=Meeting.objects.overlapping(starts_at, ends_at)).select_related(
        "meeting"
    )
    if exclude is not None:
        items = items.exclude(meeting=exclude)
    booked = items.filter(registration__in=[r.pk for r in registrations]) | items.filter(
        referral__in=[r.pk for r in referrals]
    )
    clash = booked.select_related("registration__individual", "referral__individual").first()
    if clash is not None:
        field_name = "registrations" if clash.registration_id else "referrals"
        raise WorkflowError(
            {
                field_name: f"{clash.individual} is already on the agenda of another meeting at that time ({clash.meeting})"
            }
        )


def _check_registrations(meeting_type: str, area: Area, registrations: Sequence[Registration]) -> None:
    if not registrations:
        return
    if meeting_type == MeetingType.THRESHOLD:
        raise WorkflowError(
            {"registrations": "A threshold meeting screens referrals; put cases on a Level 2 or 3 panel"}
        )
    level = MeetingType(meeting_type).level
    seen: set[Any] = set()
    for registration in registrations:
        if registration.pk in seen:
            raise WorkflowError({"registrations": f"{registration.individual} is listed twice"})
        seen.add(registration.pk)
        if registration.area_id != area.pk:
            raise WorkflowError({"registrations": f"{registration.individual} is registered in another area"})
        if registration.level != level:
            raise WorkflowError(
                {
                    "registrations": f"{registration.individual} is {registration.get_status_display().lower()}, not at Level {level}"
                }
            )


def _check_referrals(meeting_type: str, area: Area, referrals: Sequence[Referral]) -> None:
    if not referrals:
        return
    if meeting_type != MeetingType.THRESHOLD:
        raise WorkflowError({"referrals": "Referrals are screened at a threshold meeting"})
    seen: set[Any] = set()
    for referral in referrals:
        if referral.pk in seen:
            raise WorkflowError({"referrals": f"{referral.reference} is listed twice"})
        seen.add(referral.pk)
        if referral.area_id != area.pk:
            raise WorkflowError({"referrals": f"{referral.reference} is a referral to another area"})
        if not referral.is_awaiting_screening:
            raise WorkflowError(
                {"referrals": f"{referral.reference} is {referral.get_state_display().lower()}, not awaiting screening"}
            )


EXTRA_INVITATION = "Added by the co-ordinator"


def _check_extra_invitation(agency: Agency | None, reason: str, *, area: Area) -> str:
    """The reason an invitation the co-ordinator adds is stored with (raises naming the field)."""
    if agency is None:
        raise WorkflowError({"agency": "Select the agency to invite"})
    if agency.area_id != area.pk:
        raise WorkflowError({"agency": f"{agency} is not an agency of {area}"})
    reason = require_text(reason, field="reason", message="Enter why the agency is invited to this meeting")
    return f"{EXTRA_INVITATION}: {reason}"[:200]
