"""Scheduling a meeting, its agenda and invitations, its arrangements, rescheduling, cancelling,
and recording that it was held."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from mappa_workflow import roles
from mappa_workflow.audit import audit_record
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, Area, AuditAction, User
from mappa_workflow.services_base import apply_transition, require_text
from referrals.models import Referral, Registration

from .. import selectors, signals
from ..models import (
    AgendaItem,
    AgendaItemKind,
    Invitation,
    Meeting,
    MeetingReschedule,
    MeetingState,
    MeetingType,
)
from ._checks import (
    _check_cases_free,
    _check_chair,
    _check_chair_free,
    _check_extra_invitation,
    _check_referrals,
    _check_registrations,
    _check_time,
    _local,
)
from ._common import MEETING, _actor_id, _announce, _bump_sequence, _carried_actions, _lock_meeting, _require_state


def _ics_uid(meeting_id: uuid.UUID) -> str:
    domain = getattr(django_settings, "MEETINGS_ICS_DOMAIN", "mappa-workflow.invalid")
    return f"meeting-{meeting_id}@{domain}"


def _invite(meeting: Meeting) -> list[Invitation]:
    """Invite what :func:`meetings.selectors.invitations_preview` says for the agenda; never uninvite."""
    items = list(
        meeting.agenda_items.select_related("referral__individual", "registration__individual").order_by("position")
    )
    preview = selectors.invitations_preview(
        meeting.meeting_type,
        meeting.area,
        registrations=[i.registration for i in items if i.registration is not None],
        referrals=[i.referral for i in items if i.referral is not None],
        on=meeting.meeting_date,
    )
    existing = set(meeting.invitations.values_list("agency_id", flat=True))
    return Invitation.objects.bulk_create(
        [
            Invitation(meeting=meeting, agency=invite.agency, reason=invite.stored_reason, need=invite.need)
            for invite in preview
            if invite.agency.pk not in existing
        ]
    )


def _add_items(
    meeting: Meeting, *, registrations: Sequence[Registration], referrals: Sequence[Referral]
) -> list[AgendaItem]:
    position = (meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0) + 1
    items = []
    for referral in referrals:
        items.append(AgendaItem(meeting=meeting, position=position, kind=AgendaItemKind.SCREENING, referral=referral))
        position += 1
    for registration in registrations:
        kind = AgendaItemKind.FIRST_MEETING if registration.next_review_due is None else AgendaItemKind.REVIEW
        items.append(AgendaItem(meeting=meeting, position=position, kind=kind, registration=registration))
        position += 1
    created = AgendaItem.objects.bulk_create(items)
    for item in created:
        if item.registration is not None:
            item.actions_to_review.set(_carried_actions(item.registration))
    return created


def _already_on_agenda(
    meeting: Meeting, *, registrations: Sequence[Registration], referrals: Sequence[Referral]
) -> None:
    on_agenda = meeting.agenda_items.filter(
        registration__in=[r.pk for r in registrations]
    ) | meeting.agenda_items.filter(referral__in=[r.pk for r in referrals])
    item = on_agenda.select_related("registration__individual", "referral__individual").first()
    if item is not None:
        field_name = "registrations" if item.registration_id else "referrals"
        raise WorkflowError({field_name: f"{item.individual} is already on this meeting's agenda"})


def meeting_schedule(
    *,
    actor: User | None,
    area: Area,
    meeting_type: str,
    starts_at: dt.datetime,
    chair: User | None,
    duration_minutes: int = 120,
    venue: str = "",
    video_link: str = "",
    registrations: Sequence[Registration] = (),
    referrals: Sequence[Referral] | None = None,
    allow_past: bool = False,
    extra_invitations: Sequence[tuple[Agency, str]] = (),
) -> Meeting:
    """Schedule a meeting, put cases on its agenda and invite the panel.

    For a threshold meeting ``referrals=None`` puts every referral awaiting screening in the area
    that is not already on another upcoming threshold agenda. ``allow_past`` is for recording a
    meeting that has already happened (an import or the demo), never for a page.
    ``extra_invitations`` are (agency, reason) pairs the co-ordinator adds for this meeting on top of
    the panel (an agency the panel already invites keeps its panel reason).
    Sends ``meeting_scheduled`` after commit.
    """
    if meeting_type not in MeetingType.values:
        raise WorkflowError({"meeting_type": "Select a threshold meeting, Level 2 panel or Level 3 panel"})
    roles.require(actor, "meetings.manage_meeting", Meeting(area=area))
    starts_at = _check_time(starts_at, duration_minutes, allow_past=allow_past)
    ends_at = starts_at + dt.timedelta(minutes=int(duration_minutes))
    venue, video_link = (venue or "").strip(), (video_link or "").strip()
    if not venue and not video_link:
        raise WorkflowError({"venue": "Enter a venue or a video link"})
    chair = _check_chair(chair, area=area, meeting_type=meeting_type)
    registrations = list(registrations)
    if referrals is None:
        referrals = []
        if meeting_type == MeetingType.THRESHOLD:
            booked = AgendaItem.objects.filter(meeting__state=MeetingState.SCHEDULED, referral__isnull=False)
            referrals = list(
                Referral.objects.for_area(area)
                .awaiting_screening()
                .exclude(pk__in=booked.values("referral_id"))
                .order_by("submitted_at")
            )
    referrals = list(referrals)
    _check_registrations(meeting_type, area, registrations)
    _check_referrals(meeting_type, area, referrals)
    extras = [(agency, _check_extra_invitation(agency, reason, area=area)) for agency, reason in extra_invitations]
    with transaction.atomic():
        _check_chair_free(chair, starts_at, ends_at, exclude=None)
        _check_cases_free(starts_at, ends_at, registrations=registrations, referrals=referrals, exclude=None)
        meeting_id = uuid.uuid4()
        meeting = Meeting(
            id=meeting_id,
            area=area,
            meeting_type=meeting_type,
            starts_at=starts_at,
            duration_minutes=int(duration_minutes),
            ends_at=ends_at,
            venue=venue,
            video_link=video_link,
            chair=chair,
            ics_uid=_ics_uid(meeting_id),
            created_by=actor if actor and actor.pk else None,
        )
        try:
            meeting.full_clean(exclude=["state"], validate_constraints=False)
        except ValidationError as exc:  # a malformed link, say; a database error is not the user's mistake
            raise WorkflowError.from_validation_error(exc) from exc
        meeting.save(force_insert=True)
        _add_items(meeting, registrations=registrations, referrals=referrals)
        invited = {i.agency_id for i in _invite(meeting)}
        Invitation.objects.bulk_create(
            [
                Invitation(meeting=meeting, agency=agency, reason=reason)
                for agency, reason in extras
                if agency.pk not in invited
            ]
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=meeting,
            to_state=meeting.state,
            details={
                "meeting_type": meeting_type,
                "starts_at": starts_at,
                "chair": chair.pk,
                "cases": len(registrations) + len(referrals),
                "recorded_after_the_event": allow_past,
                "extra_invitations": [agency.pk for agency, _ in extras],
            },
        )
        _announce(signals.meeting_scheduled, meeting_id=meeting.pk, actor_id=_actor_id(actor))
    return meeting


def meeting_add_cases(
    *,
    actor: User | None,
    meeting: Meeting,
    registrations: Sequence[Registration] = (),
    referrals: Sequence[Referral] = (),
) -> list[AgendaItem]:
    """Put cases due for a first meeting or review (or referrals to screen) on a scheduled meeting's
    agenda in one step, carrying each case's unfinished actions; invite what the cases need.
    Sends ``meeting_updated`` after commit."""
    roles.require(actor, "meetings.manage_meeting", meeting)
    registrations, referrals = list(registrations), list(referrals)
    if not registrations and not referrals:
        raise WorkflowError({"registrations": "Select at least one case to add"})
    _check_registrations(meeting.meeting_type, meeting.area, registrations)
    _check_referrals(meeting.meeting_type, meeting.area, referrals)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.SCHEDULED], "change the agenda")
        _already_on_agenda(locked, registrations=registrations, referrals=referrals)
        _check_cases_free(
            locked.starts_at, locked.ends_at, registrations=registrations, referrals=referrals, exclude=locked
        )
        items = _add_items(locked, registrations=registrations, referrals=referrals)
        _invite(locked)
        _bump_sequence(locked)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            reason="Cases added to the agenda",
            details={
                "registrations": [str(r.pk) for r in registrations],
                "referrals": [str(r.pk) for r in referrals],
            },
        )
        _announce(signals.meeting_updated, meeting_id=locked.pk, actor_id=_actor_id(actor))
    return items


def meeting_invite_agency(*, actor: User | None, meeting: Meeting, agency: Agency | None, reason: str) -> Invitation:
    """Invite one more agency to a scheduled meeting for a case-specific reason.

    Refused when the agency is already invited. The invitation's SEQUENCE rises; sends
    ``meeting_updated`` after commit so the new invitee gets the invitation.
    """
    roles.require(actor, "meetings.manage_meeting", meeting)
    stored_reason = _check_extra_invitation(agency, reason, area=meeting.area)
    assert agency is not None
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.SCHEDULED], "invite another agency")
        existing = locked.invitations.filter(agency=agency).first()
        if existing is not None:
            raise WorkflowError({"agency": f"{agency} is already invited ({existing.reason})"})
        invitation = Invitation.objects.create(meeting=locked, agency=agency, reason=stored_reason)
        _bump_sequence(locked)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            reason=stored_reason,
            details={"invited_agency": agency.pk},
        )
        _announce(signals.meeting_updated, meeting_id=locked.pk, actor_id=_actor_id(actor))
    return invitation


def meeting_remove_case(*, actor: User | None, meeting: Meeting, item: AgendaItem, reason: str) -> None:
    """Take a case off a scheduled meeting's agenda, with the reason (audited).

    The case is then free to book on another meeting; its carried actions wait for the next one.
    Agencies already invited stay invited (invitations are never withdrawn without telling them);
    the invitation's SEQUENCE rises and ``meeting_updated`` is sent after commit, so invitees'
    calendars show the new number of cases.
    """
    roles.require(actor, "meetings.manage_meeting", meeting)
    if item.meeting_id != meeting.pk:
        raise WorkflowError({"agenda_item": "That case is not on this meeting's agenda"})
    reason = require_text(reason, field="reason", message="Enter the reason for taking the case off the agenda")
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.SCHEDULED], "change the agenda")
        current = (
            AgendaItem.objects.select_for_update(of=("self",))
            .filter(pk=item.pk, meeting=locked)
            .select_related("referral__individual", "registration__individual")
            .first()
        )
        if current is None:
            raise WorkflowError({"agenda_item": "That case has already been taken off the agenda"})
        # The row names no one: an audit trail is read by people the case may be hidden from (Category 4).
        details = {
            "individual": str(current.individual.pk) if current.individual else None,
            "registration": str(current.registration_id) if current.registration_id else None,
            "referral": str(current.referral_id) if current.referral_id else None,
            "kind": current.kind,
        }
        current.actions_to_review.clear()
        current.delete()
        _bump_sequence(locked)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            reason=f"Case taken off the agenda: {reason}",
            details=details,
        )
        _announce(signals.meeting_updated, meeting_id=locked.pk, actor_id=_actor_id(actor))


def meeting_update_arrangements(
    *,
    actor: User | None,
    meeting: Meeting,
    venue: str | None = None,
    video_link: str | None = None,
    chair: User | None = None,
) -> Meeting:
    """Change where a scheduled meeting happens or who chairs it. Sends ``meeting_updated``."""
    roles.require(actor, "meetings.manage_meeting", meeting)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.SCHEDULED], "change the arrangements")
        changed: list[str] = []
        if venue is not None and venue.strip() != locked.venue:
            locked.venue = venue.strip()
            changed.append("venue")
        if video_link is not None and video_link.strip() != locked.video_link:
            locked.video_link = video_link.strip()
            changed.append("video_link")
        if not locked.venue and not locked.video_link:
            raise WorkflowError({"venue": "Enter a venue or a video link"})
        if chair is not None and chair.pk != locked.chair_id:
            _check_chair(chair, area=locked.area, meeting_type=locked.meeting_type)
            _check_chair_free(chair, locked.starts_at, locked.ends_at, exclude=locked)
            locked.chair = chair
            changed.append("chair")
        if not changed:
            return locked
        try:
            locked.full_clean(exclude=["state"], validate_constraints=False)
        except ValidationError as exc:
            raise WorkflowError.from_validation_error(exc) from exc
        _bump_sequence(locked, *changed)
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, details={"fields": changed})
        _announce(signals.meeting_updated, meeting_id=locked.pk, actor_id=_actor_id(actor))
    return locked


def meeting_reschedule(
    *,
    actor: User | None,
    meeting: Meeting,
    starts_at: dt.datetime,
    reason: str,
    duration_minutes: int | None = None,
) -> Meeting:
    """Move a scheduled meeting to a new time, with the reason. The chair and every case must be
    free then. The invitation's SEQUENCE rises; sends ``meeting_updated`` after commit."""
    roles.require(actor, "meetings.manage_meeting", meeting)
    reason = require_text(reason, field="reason", message="Enter the reason for rescheduling")
    duration = int(duration_minutes if duration_minutes is not None else meeting.duration_minutes)
    starts_at = _check_time(starts_at, duration, allow_past=False)
    ends_at = starts_at + dt.timedelta(minutes=duration)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        if (
            locked.state == MeetingState.SCHEDULED
            and starts_at == locked.starts_at
            and duration == locked.duration_minutes
        ):
            raise WorkflowError({"starts_at": "Choose a different date or time from the current one"})
        items = list(locked.agenda_items.all())
        if locked.state == MeetingState.SCHEDULED:
            _check_chair_free(locked.chair, starts_at, ends_at, exclude=locked)
            _check_cases_free(
                starts_at,
                ends_at,
                registrations=[Registration(pk=i.registration_id) for i in items if i.registration_id],
                referrals=[Referral(pk=i.referral_id) for i in items if i.referral_id],
                exclude=locked,
            )
        previous = locked.starts_at
        apply_transition(
            locked,
            "reschedule",
            actor=actor,
            what=MEETING,
            action_label="reschedule it",
            update_fields=["starts_at", "duration_minutes", "ends_at", "ics_sequence", "updated_at"],
            reason=reason,
            details={"from": previous, "to": starts_at},
            starts_at=starts_at,
            duration_minutes=duration,
        )
        MeetingReschedule.objects.create(
            meeting=locked,
            previous_starts_at=previous,
            new_starts_at=starts_at,
            reason=reason,
            rescheduled_by=actor if actor and actor.pk else None,
        )
        _announce(signals.meeting_updated, meeting_id=locked.pk, actor_id=_actor_id(actor))
    return locked


def meeting_cancel(*, actor: User | None, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a scheduled meeting with the reason; its cases become free to book again.
    The invitation becomes METHOD:CANCEL; sends ``meeting_cancelled`` after commit."""
    roles.require(actor, "meetings.manage_meeting", meeting)
    reason = require_text(reason, field="reason", message="Enter the reason for cancelling the meeting")
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        apply_transition(
            locked,
            "cancel",
            actor=actor,
            what=MEETING,
            action_label="cancel it",
            update_fields=["cancellation_reason", "ics_sequence", "updated_at"],
            reason=reason,
            cancellation_reason=reason,
        )
        _announce(signals.meeting_cancelled, meeting_id=locked.pk, actor_id=_actor_id(actor))
    return locked


def meeting_record_held(*, actor: User | None, meeting: Meeting) -> Meeting:
    """Record that a scheduled meeting took place; attendance and minutes can then be recorded."""
    roles.require(actor, "meetings.manage_meeting", meeting)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        # the time as it stands now: the page may have been loaded before the meeting was moved
        if locked.starts_at > timezone.now():
            raise WorkflowError({"state": f"The meeting has not started yet: it starts at {_local(locked.starts_at)}"})
        apply_transition(
            locked,
            "hold",
            actor=actor,
            what=MEETING,
            action_label="record it as held",
            update_fields=["held_at", "updated_at"],
        )
    return locked
