"""Every change to meetings, agendas, attendance, minutes and risk management actions.

Each public function is one user-visible action, callable by pages, the API, the admin and
commands alike. It checks the rules first (raising :class:`WorkflowError` naming the field, before
anything is written), runs in one transaction, locks what it changes, writes an audit row, and
sends its signals only after commit. Level and screening decisions go through
``referrals.services`` so their rules and history live in one place.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from mappa_workflow import roles
from mappa_workflow.audit import audit_record
from mappa_workflow.changes import announce
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, AgencyType, Area, AreaSettings, AuditAction, Role, Seniority, User
from mappa_workflow.services_base import apply_transition, lock_for_change, require_text
from referrals import services as referral_services
from referrals.models import ExitReason, Referral, Registration, RegistrationStatus

from . import selectors, signals
from .models import (
    ATTENDING,
    LEVEL_DECISIONS,
    MINUTES_TEXT_FIELDS,
    SCREENING_DECISIONS,
    UNFINISHED,
    AgendaItem,
    AgendaItemKind,
    Attendance,
    AttendanceRequirement,
    AttendanceStatus,
    CaseDecision,
    CaseMinutes,
    DisclosureDecision,
    Invitation,
    Meeting,
    MeetingReschedule,
    MeetingState,
    MeetingType,
    PlanHeading,
    RiskAction,
    RiskActionState,
    RiskActionUpdate,
)
from .timescales import review_interval

MEETING = "This meeting"
ACTION = "This action"
MIN_DURATION, MAX_DURATION = 15, 480


def _ics_uid(meeting_id: uuid.UUID) -> str:
    domain = getattr(django_settings, "MEETINGS_ICS_DOMAIN", "mappa-workflow.invalid")
    return f"meeting-{meeting_id}@{domain}"


_MESSAGES = {"meeting_scheduled": "scheduled", "meeting_updated": "updated", "meeting_cancelled": "cancelled"}


def _announce(signal: Any, *, meeting_id: uuid.UUID, actor_id: int | None) -> None:
    """Write the invitees' messages now, in the change's transaction, and send ``signal`` after commit.

    The outbox rows commit or roll back with the change, so a connection lost just after commit
    cannot lose an invitation (a signal receiver writing them after commit could).
    """
    name = next(n for n in _MESSAGES if getattr(signals, n) is signal)
    announce(about="meeting", object_id=meeting_id, change=_MESSAGES[name], actor_id=actor_id)
    transaction.on_commit(lambda: signal.send(sender=Meeting, meeting_id=meeting_id, actor_id=actor_id))


def _actor_id(actor: User | None) -> int | None:
    return actor.pk if actor is not None else None


# ---------------------------------------------------------------------------------------------
# Checks shared by scheduling, rescheduling and agenda changes
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Agenda and invitations
# ---------------------------------------------------------------------------------------------


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


def _carried_actions(registration: Registration) -> list[RiskAction]:
    """What the case's next meeting reviews: actions still unfinished, and actions closed without
    being done that no minuted meeting has reviewed yet (the guidance asks for their reason)."""
    reviewed = AgendaItem.actions_to_review.through.objects.filter(agendaitem__minutes__isnull=False)
    return list(
        registration.risk_actions.exclude(state=RiskActionState.COMPLETED)
        .exclude(~Q(state__in=UNFINISHED) & Q(pk__in=reviewed.values("riskaction_id")))
        .order_by("due_date", "created_at")
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


# ---------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------


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


def _lock_meeting(meeting: Meeting) -> Meeting:
    return lock_for_change(meeting, state_field="state", what=MEETING)


def _require_state(meeting: Meeting, states: Iterable[str], doing: str) -> None:
    if meeting.state not in states:
        raise WorkflowError(
            {"state": f"You cannot {doing} because the meeting is {meeting.get_state_display().lower()}"}
        )


def _bump_sequence(meeting: Meeting, *fields: str) -> None:
    meeting.ics_sequence += 1
    meeting.save(update_fields=["ics_sequence", "updated_at", *fields])


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


EXTRA_INVITATION = "Added by the co-ordinator"


def _check_extra_invitation(agency: Agency | None, reason: str, *, area: Area) -> str:
    """The reason an invitation the co-ordinator adds is stored with (raises naming the field)."""
    if agency is None:
        raise WorkflowError({"agency": "Select the agency to invite"})
    if agency.area_id != area.pk:
        raise WorkflowError({"agency": f"{agency} is not an agency of {area}"})
    reason = require_text(reason, field="reason", message="Enter why the agency is invited to this meeting")
    return f"{EXTRA_INVITATION}: {reason}"[:200]


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
    if meeting.starts_at > timezone.now():
        raise WorkflowError({"state": f"The meeting has not started yet: it starts at {_local(meeting.starts_at)}"})
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        apply_transition(
            locked,
            "hold",
            actor=actor,
            what=MEETING,
            action_label="record it as held",
            update_fields=["held_at", "updated_at"],
        )
    return locked


# ---------------------------------------------------------------------------------------------
# Attendance
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceEntry:
    """One line of the attendance record: a person present or observing, or an agency's apologies or absence."""

    status: str
    agency: Agency | None = None
    name: str = ""
    role: str = ""
    seniority: int | None = None
    confidentiality_acknowledged: bool = False


def _check_attendance_entry(number: int, entry: AttendanceEntry, area: Area) -> None:
    key = f"attendance-{number}"
    _check_attendee(entry, area, key=lambda name: f"{key}-{name}", line=f"Line {number}: ")


def _check_attendee(entry: AttendanceEntry, area: Area, *, key: Any, line: str) -> None:
    """One attendance line's rules; ``key`` names the field, ``line`` starts each message."""

    def say(text: str) -> str:
        return f"{line}{text}" if line else text[:1].upper() + text[1:]

    if entry.status not in AttendanceStatus.values:
        raise WorkflowError({key("status"): say("select present, apologies, absent or observer")})
    if entry.agency is None and entry.status != AttendanceStatus.OBSERVER:
        raise WorkflowError({key("agency"): say("select the agency")})
    if entry.agency is not None and entry.agency.area_id != area.pk:
        raise WorkflowError({key("agency"): say(f"{entry.agency} is not an agency of {area}")})
    if entry.status in ATTENDING:
        if not entry.name.strip():
            raise WorkflowError({key("name"): say("enter the name of the person attending")})
        if not entry.confidentiality_acknowledged:
            raise WorkflowError(
                {
                    key("confidentiality_acknowledged"): say(
                        f"{entry.name} must acknowledge the confidentiality statement (MAPPA D)"
                    )
                }
            )
    if entry.status == AttendanceStatus.PRESENT:
        if not entry.role.strip():
            raise WorkflowError({key("role"): say(f"enter {entry.name}'s role")})
        if entry.seniority not in Seniority.values:
            raise WorkflowError({key("seniority"): say(f"select {entry.name}'s seniority")})


def _attendance_row(meeting: Meeting, entry: AttendanceEntry, now: dt.datetime) -> Attendance:
    return Attendance(
        meeting=meeting,
        agency=entry.agency,
        status=entry.status,
        name=entry.name.strip(),
        role=entry.role.strip(),
        seniority=entry.seniority,
        confidentiality_acknowledged_at=now if entry.confidentiality_acknowledged else None,
    )


def meeting_record_attendance(
    *, actor: User | None, meeting: Meeting, entries: Sequence[AttendanceEntry]
) -> list[Attendance]:
    """Record who attended (replacing any earlier record) while the minutes are open."""
    roles.require(actor, "meetings.manage_meeting", meeting)
    if not entries:
        raise WorkflowError({"attendance": "Record at least one attendee"})
    for number, entry in enumerate(entries, start=1):
        _check_attendance_entry(number, entry, meeting.area)
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD, MeetingState.MINUTES_DRAFTED], "record attendance")
        locked.attendance.all().delete()
        rows = Attendance.objects.bulk_create([_attendance_row(locked, entry, now) for entry in entries])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            reason="Attendance recorded",
            details={"attendance": [(e.agency.pk if e.agency else None, e.status, e.name) for e in entries]},
        )
    return rows


def meeting_add_attendee(*, actor: User | None, meeting: Meeting, entry: AttendanceEntry) -> Attendance:
    """Add one line to a held meeting's attendance without touching the others: an observer (a lay
    adviser observing for quality assurance, with no agency) or someone from an agency that was not
    invited. The same rules as :func:`meeting_record_attendance` (MAPPA D acknowledged, named, and
    for someone present their role and seniority); errors name the entry's own fields."""
    roles.require(actor, "meetings.manage_meeting", meeting)
    _check_attendee(entry, meeting.area, key=lambda name: name, line="")
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD, MeetingState.MINUTES_DRAFTED], "record attendance")
        row = _attendance_row(locked, entry, timezone.now())
        row.save(force_insert=True)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            reason="Attendee added",
            details={"attendee": (entry.agency.pk if entry.agency else None, entry.status, entry.name.strip())},
        )
    return row


def meeting_remove_attendee(*, actor: User | None, meeting: Meeting, attendance: Attendance) -> None:
    """Remove one line recorded by mistake from a held meeting's attendance (audited)."""
    roles.require(actor, "meetings.manage_meeting", meeting)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD, MeetingState.MINUTES_DRAFTED], "record attendance")
        row = locked.attendance.filter(pk=attendance.pk).select_related("agency").first()
        if row is None:
            raise WorkflowError({"attendance": "That attendee has already been removed"})
        row.delete()
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            reason="Attendee removed",
            details={"attendee": (row.agency_id, row.status, row.name)},
        )


def _requirements(meeting: Meeting) -> list[AttendanceRequirement]:
    own = list(AttendanceRequirement.objects.filter(area=meeting.area, meeting_type=meeting.meeting_type))
    return own or list(AttendanceRequirement.objects.filter(area__isnull=True, meeting_type=meeting.meeting_type))


def attendance_gaps(meeting: Meeting) -> list[str]:
    """The required attendance a meeting lacked, in words, for the warning and the minutes."""
    present = [a for a in meeting.attendance.select_related("agency") if a.status == AttendanceStatus.PRESENT]
    gaps = []
    for requirement in _requirements(meeting):
        label = AgencyType(requirement.agency_type).label.split(" / ")[0]
        matching = [a for a in present if a.agency and a.agency.agency_type == requirement.agency_type]
        if not matching:
            gaps.append(f"No {label.lower()} representative present")
        elif all((a.seniority or 0) < requirement.minimum_seniority for a in matching):
            gaps.append(
                f"No {label.lower()} representative at {Seniority(requirement.minimum_seniority).label.lower()} or above"
            )
    return gaps


# ---------------------------------------------------------------------------------------------
# Minutes (MAPPA C)
# ---------------------------------------------------------------------------------------------

_REFERRAL_FIELDS_TO_MINUTES = {
    "level": "decision",
    "reason": "rationale",
    "effective_date": "decision",
    "rationale": "rationale",
    "decided_on": "decision",
    "request": "rationale",
}


def _as_minutes_error(exc: WorkflowError) -> WorkflowError:
    """Name the minutes' fields in errors that come from the referral workflow."""
    return WorkflowError(
        {_REFERRAL_FIELDS_TO_MINUTES.get(name, name): messages for name, messages in exc.errors.items()}
    )


@dataclass
class RiskManagementPlan:
    supervision: str = ""
    monitoring_and_control: str = ""
    interventions_and_treatment: str = ""
    victim_safety_planning: str = ""
    contingency: str = ""


@dataclass
class MinutesInput:
    """What the minute-taker writes for one case."""

    risk_summary: str
    decision: str
    rationale: str
    differing_views: str = ""
    exit_reason: str = ""
    why_level_2_cannot_manage: str = ""
    plan: RiskManagementPlan = field(default_factory=RiskManagementPlan)
    next_review_date: dt.date | None = None


def _level_after(decision: str, level: int) -> int:
    if decision == CaseDecision.LEVEL_UP:
        if level == 3:
            raise WorkflowError({"decision": "The case is at Level 3 already: it cannot move up"})
        return level + 1
    if decision == CaseDecision.LEVEL_DOWN:
        return level - 1
    return level


def _next_review(minutes: MinutesInput, *, meeting: Meeting, level_after: int | None) -> dt.date | None:
    if level_after not in (2, 3):
        if minutes.next_review_date is not None:
            raise WorkflowError({"next_review_date": "A case leaving Level 2 and 3 management has no next review"})
        return None
    settings = AreaSettings.for_area(meeting.area)
    latest = meeting.meeting_date + review_interval(settings, level_after)
    if minutes.next_review_date is None:
        return latest
    if minutes.next_review_date <= meeting.meeting_date:
        raise WorkflowError({"next_review_date": "The next review must be after the meeting"})
    if minutes.next_review_date > latest:
        raise WorkflowError({"next_review_date": f"A Level {level_after} case must be reviewed by {latest:%-d %B %Y}"})
    return minutes.next_review_date


def _check_minutes(item: AgendaItem, minutes: MinutesInput) -> None:
    require_text(minutes.risk_summary, field="risk_summary", message="Enter the summary of the risk of serious harm")
    require_text(minutes.rationale, field="rationale", message="Enter the rationale for the decision")
    allowed = SCREENING_DECISIONS if item.kind == AgendaItemKind.SCREENING else LEVEL_DECISIONS
    if minutes.decision not in allowed:
        raise WorkflowError({"decision": "Select one of: " + ", ".join(CaseDecision(d).label.lower() for d in allowed)})
    if minutes.decision == CaseDecision.EXIT and minutes.exit_reason not in ExitReason.values:
        raise WorkflowError({"exit_reason": "Select why the person leaves MAPPA"})


def _apply_screening(actor: User | None, item: AgendaItem, minutes: MinutesInput, day: dt.date) -> None:
    referral = item.referral
    assert referral is not None  # a screening item names its referral (agenda_item_is_a_referral_or_a_registration)
    if minutes.decision == CaseDecision.MORE_INFORMATION:
        referral_services.referral_request_more_information(actor=actor, referral=referral, request=minutes.rationale)
        return
    decision = {
        CaseDecision.ACCEPT_LEVEL_2: "level_2",
        CaseDecision.ACCEPT_LEVEL_3: "level_3",
        CaseDecision.MANAGE_LEVEL_1: "level_1",
    }[CaseDecision(minutes.decision)]
    referral_services.referral_decide(
        actor=actor,
        referral=referral,
        decision=decision,
        rationale=minutes.rationale,
        decided_on=day,
        why_level_2_cannot_manage=minutes.why_level_2_cannot_manage or None,
    )


def _apply_level_decision(
    actor: User | None, item: AgendaItem, minutes: MinutesInput, meeting: Meeting
) -> dt.date | None:
    """Move the registration as the panel decided; return the next review date it now has."""
    registration = Registration.objects.get(pk=item.registration_id)
    if registration.status == RegistrationStatus.EXITED:
        raise WorkflowError({"decision": f"{registration.individual} has left MAPPA since the agenda was set"})
    day = meeting.meeting_date
    if minutes.decision == CaseDecision.EXIT:
        referral_services.registration_exit(
            actor=actor,
            registration=registration,
            reason=minutes.exit_reason,
            effective_date=day,
            notes=minutes.rationale,
        )
        return None
    level_after = _level_after(minutes.decision, registration.level or 0)
    next_review = _next_review(minutes, meeting=meeting, level_after=level_after)
    if level_after != registration.level:
        registration = referral_services.registration_change_level(
            actor=actor,
            registration=registration,
            level=level_after,
            effective_date=day,
            reason=f"Decided at the {meeting}: {minutes.rationale}",
        )
    if level_after in (2, 3):
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        locked.next_review_due = next_review
        locked.save(update_fields=["next_review_due"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            reason=f"Next review set at the {meeting}",
            details={"next_review_due": next_review, "meeting": str(meeting.pk)},
        )
    return next_review


def case_minutes_record(*, actor: User | None, item: AgendaItem, minutes: MinutesInput) -> CaseMinutes:
    """Minute one case of a held meeting and apply its decision.

    A screening decision goes through ``referrals.services.referral_decide`` (or a request for more
    information); a panel's level decision through ``registration_change_level`` or
    ``registration_exit``, effective on the meeting's date, and sets the next review date
    (by default the area's review interval for the level). All or nothing.
    """
    meeting = item.meeting
    roles.require(actor, "meetings.manage_meeting", meeting)
    _check_minutes(item, minutes)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD], "record a case's minutes")
        if CaseMinutes.objects.filter(agenda_item=item).exists():
            raise WorkflowError({"agenda_item": f"The minutes for {item.individual} are already recorded"})
        try:
            if item.kind == AgendaItemKind.SCREENING:
                _apply_screening(actor, item, minutes, locked.meeting_date)
                next_review = None
            else:
                next_review = _apply_level_decision(actor, item, minutes, locked)
        except WorkflowError as exc:
            raise _as_minutes_error(exc) from exc
        plan = minutes.plan
        record = CaseMinutes.objects.create(
            agenda_item=item,
            risk_summary=minutes.risk_summary.strip(),
            decision=minutes.decision,
            rationale=minutes.rationale.strip(),
            differing_views=minutes.differing_views.strip(),
            exit_reason=minutes.exit_reason if minutes.decision == CaseDecision.EXIT else "",
            why_level_2_cannot_manage=minutes.why_level_2_cannot_manage.strip(),
            rmp_supervision=plan.supervision.strip(),
            rmp_monitoring_and_control=plan.monitoring_and_control.strip(),
            rmp_interventions_and_treatment=plan.interventions_and_treatment.strip(),
            rmp_victim_safety_planning=plan.victim_safety_planning.strip(),
            contingency=plan.contingency.strip(),
            next_review_date=next_review,
            recorded_by=actor if actor and actor.pk else None,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=record,
            area_id=locked.area_id,
            reason=minutes.rationale,
            details={"meeting": str(locked.pk), "decision": minutes.decision, "next_review_date": next_review},
        )
    return record


def disclosure_decision_record(
    *,
    actor: User | None,
    case_minutes: CaseMinutes,
    recipient: str,
    what_is_disclosed: str,
    why: str,
    recipient_undertaking: str,
    individual_told: bool | None,
    why_individual_not_told: str = "",
) -> DisclosureDecision:
    """Record a decision to disclose to a third party, with everything the guidance asks for."""
    meeting = case_minutes.agenda_item.meeting
    roles.require(actor, "meetings.manage_meeting", meeting)
    recipient = require_text(recipient, field="recipient", message="Enter who the information is disclosed to")
    what_is_disclosed = require_text(what_is_disclosed, field="what_is_disclosed", message="Enter what is disclosed")
    why = require_text(why, field="why", message="Enter why disclosure is necessary, lawful and proportionate")
    recipient_undertaking = require_text(
        recipient_undertaking, field="recipient_undertaking", message="Enter the recipient's undertaking"
    )
    if individual_told is None:
        raise WorkflowError({"individual_told": "Say whether the individual was told about the disclosure"})
    if not individual_told:
        why_individual_not_told = require_text(
            why_individual_not_told, field="why_individual_not_told", message="Enter why the individual was not told"
        )
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD, MeetingState.MINUTES_DRAFTED], "record a disclosure decision")
        disclosure = DisclosureDecision.objects.create(
            case_minutes=case_minutes,
            recipient=recipient,
            what_is_disclosed=what_is_disclosed,
            why=why,
            recipient_undertaking=recipient_undertaking,
            individual_told=individual_told,
            why_individual_not_told="" if individual_told else why_individual_not_told,
        )
        audit_record(actor=actor, action=AuditAction.CREATE, obj=disclosure, area_id=locked.area_id, reason=why)
    return disclosure


def _decision_already_applied(item: AgendaItem, record: CaseMinutes) -> str:
    label = CaseDecision(record.decision).label
    if item.kind == AgendaItemKind.SCREENING:
        return (
            f"The decision '{label}' was applied to the referral when these minutes were recorded and is not "
            "applied again, so it cannot be changed here"
        )
    return (
        f"The decision '{label}' was applied to the registration when these minutes were recorded and is not "
        "applied again, so it cannot be changed here: to change the level now, use 'Change level' on the case page"
    )


def case_minutes_amend(*, actor: User | None, case_minutes: CaseMinutes, minutes: MinutesInput) -> CaseMinutes:
    """Correct a case's minutes while the meeting's minutes are still in draft (held or drafted).

    The decision was applied to the referral or registration when the minutes were first recorded
    (:func:`case_minutes_record`) and is not applied again: a different decision, or a different
    exit reason, is refused on its field. The text of the minutes and the plan can change; a new
    next review date follows the same rules as when recording and moves the registration's next
    review with it unless a later meeting has set another since. Audited with the fields changed.
    """
    item = case_minutes.agenda_item
    meeting = item.meeting
    roles.require(actor, "meetings.manage_meeting", meeting)
    require_text(minutes.risk_summary, field="risk_summary", message="Enter the summary of the risk of serious harm")
    require_text(minutes.rationale, field="rationale", message="Enter the rationale for the decision")
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD, MeetingState.MINUTES_DRAFTED], "amend the minutes")
        record = CaseMinutes.objects.select_for_update().get(pk=case_minutes.pk)
        if minutes.decision != record.decision:
            raise WorkflowError({"decision": _decision_already_applied(item, record)})
        if record.decision == CaseDecision.EXIT and (minutes.exit_reason or record.exit_reason) != record.exit_reason:
            raise WorkflowError(
                {
                    "exit_reason": "The exit from MAPPA was applied to the registration when these minutes were "
                    "recorded, so its reason cannot be changed here"
                }
            )
        plan = minutes.plan
        wanted = {
            "risk_summary": minutes.risk_summary,
            "rationale": minutes.rationale,
            "differing_views": minutes.differing_views,
            "why_level_2_cannot_manage": minutes.why_level_2_cannot_manage,
            "rmp_supervision": plan.supervision,
            "rmp_monitoring_and_control": plan.monitoring_and_control,
            "rmp_interventions_and_treatment": plan.interventions_and_treatment,
            "rmp_victim_safety_planning": plan.victim_safety_planning,
            "contingency": plan.contingency,
        }
        changed = [name for name in MINUTES_TEXT_FIELDS if (wanted[name] or "").strip() != getattr(record, name)]
        for name in changed:
            setattr(record, name, wanted[name].strip())
        review_moved = None
        if (
            item.registration_id
            and record.next_review_date is not None
            and minutes.next_review_date not in (None, record.next_review_date)
        ):
            registration = Registration.objects.select_for_update().get(pk=item.registration_id)
            new_review = _next_review(minutes, meeting=locked, level_after=registration.level)
            if registration.next_review_due == record.next_review_date:
                registration.next_review_due = new_review
                registration.save(update_fields=["next_review_due"])
                review_moved = registration
            record.next_review_date = new_review
            changed.append("next_review_date")
        if not changed:
            return record
        record.save(update_fields=changed)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=record,
            area_id=locked.area_id,
            reason="Minutes amended while in draft",
            details={"meeting": str(locked.pk), "fields": changed},
        )
        if review_moved is not None:
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                obj=review_moved,
                reason=f"Next review changed in the draft minutes of the {locked}",
                details={"next_review_due": record.next_review_date, "meeting": str(locked.pk)},
            )
    return record


def meeting_draft_minutes(*, actor: User | None, meeting: Meeting) -> Meeting:
    """Mark the minutes drafted: every case on the agenda minuted and the attendance recorded."""
    roles.require(actor, "meetings.manage_meeting", meeting)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD], "mark the minutes drafted")
        if not locked.attendance.exists():
            raise WorkflowError({"attendance": "Record the attendance before drafting the minutes"})
        missing = [
            str(item.individual)
            for item in locked.agenda_items.filter(minutes__isnull=True).select_related(
                "referral__individual", "registration__individual"
            )
        ]
        if missing:
            raise WorkflowError({"agenda": f"Record the minutes for every case first: {'; '.join(missing)}"})
        apply_transition(
            locked,
            "draft_minutes",
            actor=actor,
            what=MEETING,
            action_label="mark the minutes drafted",
            update_fields=["updated_at"],
        )
    return locked


def meeting_approve_minutes(*, actor: User | None, meeting: Meeting, confirm_attendance_gaps: bool = False) -> Meeting:
    """Approve and circulate the minutes.

    When required attendance was missing the approver must confirm it (``confirm_attendance_gaps``);
    the gap and the confirmation are recorded in the minutes. Unfinished actions of the meeting's
    cases are carried to each case's next scheduled meeting.
    """
    roles.require(actor, "meetings.manage_meeting", meeting)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.MINUTES_DRAFTED], "approve the minutes")
        gaps = attendance_gaps(locked)
        if gaps and not confirm_attendance_gaps:
            raise WorkflowError(
                {
                    "confirm_attendance_gaps": "Required attendance was missing: "
                    + "; ".join(gaps)
                    + ". Confirm that you approve the minutes with this gap; it will be recorded in them."
                }
            )
        apply_transition(
            locked,
            "approve_minutes",
            actor=actor,
            what=MEETING,
            action_label="approve the minutes",
            update_fields=[
                "minutes_approved_at",
                "minutes_approved_by",
                "attendance_gaps",
                "attendance_gaps_confirmed_by",
                "updated_at",
            ],
            reason="; ".join(gaps),
            details={"attendance_gaps": gaps, "gaps_confirmed": bool(gaps)},
            approved_by=actor,
            gaps="\n".join(gaps),
            gaps_confirmed_by=actor if gaps else None,
        )
        _carry_over(locked)
        # The invited agencies are told the minutes are out (in the service; the email names no one).
        announce(about="meeting", object_id=locked.pk, change="minutes_approved", actor_id=_actor_id(actor))
    return locked


def _carry_over(meeting: Meeting) -> None:
    """Put each case's unfinished actions on the agenda of its next scheduled meeting, if there is one."""
    registration_ids = [i for i in meeting.agenda_items.values_list("registration_id", flat=True) if i]
    next_items = (
        AgendaItem.objects.filter(
            registration_id__in=registration_ids,
            meeting__state=MeetingState.SCHEDULED,
            meeting__starts_at__gt=meeting.starts_at,
        )
        .order_by("registration_id", "meeting__starts_at")
        .select_related("registration")
    )
    done: set[Any] = set()
    for item in next_items:
        if item.registration_id in done:
            continue
        done.add(item.registration_id)
        assert item.registration is not None  # filtered on registration_id__in
        item.actions_to_review.set(_carried_actions(item.registration))


# ---------------------------------------------------------------------------------------------
# Risk management actions
# ---------------------------------------------------------------------------------------------


def risk_action_create(
    *,
    actor: User | None,
    case_minutes: CaseMinutes,
    heading: str,
    description: str,
    owning_agency: Agency | None,
    officer_name: str,
    due_date: dt.date | None,
    officer: User | None = None,
) -> RiskAction:
    """Add an action to a case's risk management plan. Writes the officer's email in the same transaction; sends ``action_assigned`` after commit."""
    item = case_minutes.agenda_item
    meeting = item.meeting
    roles.require(actor, "meetings.manage_meeting", meeting)
    if item.registration_id is None:
        raise WorkflowError({"agenda_item": "Actions belong to a Level 2 or 3 risk management plan, not to screening"})
    if heading not in PlanHeading.values:
        raise WorkflowError({"heading": "Select the risk management plan heading"})
    description = require_text(description, field="description", message="Describe the action")
    if owning_agency is None:
        raise WorkflowError({"owning_agency": "Select the agency that owns the action"})
    if owning_agency.area_id != meeting.area_id:
        raise WorkflowError({"owning_agency": f"{owning_agency} is not an agency of {meeting.area}"})
    officer_name = require_text(officer_name, field="officer_name", message="Enter the named officer for the action")
    if due_date is None:
        raise WorkflowError({"due_date": "Enter the date the action is due"})
    if due_date < meeting.meeting_date:
        raise WorkflowError({"due_date": "The action cannot be due before the meeting that set it"})
    if officer is not None and officer.agency_id != owning_agency.pk:
        raise WorkflowError({"officer": f"{officer} does not work for {owning_agency}"})
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_state(locked, [MeetingState.HELD, MeetingState.MINUTES_DRAFTED], "add an action")
        action = RiskAction.objects.create(
            area_id=meeting.area_id,
            registration_id=item.registration_id,
            case_minutes=case_minutes,
            heading=heading,
            description=description,
            owning_agency=owning_agency,
            officer_name=officer_name,
            officer=officer,
            due_date=due_date,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=action,
            to_state=action.state,
            details={"agency": owning_agency.pk, "due_date": due_date, "heading": heading},
        )
        announce(about="risk_action", object_id=action.pk, change="assigned")
        transaction.on_commit(lambda: signals.action_assigned.send(sender=RiskAction, action_id=action.pk))
    return action


def _action_transition(
    *,
    actor: User | None,
    action: RiskAction,
    transition_name: str,
    label: str,
    note: str,
    update_fields: list[str],
    **kwargs: Any,
) -> RiskAction:
    roles.require(actor, "meetings.update_risk_action", action)
    with transaction.atomic():
        locked = lock_for_change(action, state_field="state", what=ACTION)
        apply_transition(
            locked,
            transition_name,
            actor=actor,
            what=ACTION,
            action_label=label,
            update_fields=update_fields,
            reason=note,
            **kwargs,
        )
        RiskActionUpdate.objects.create(
            action=locked, written_by=actor if actor and actor.pk else None, text=note, state_after=locked.state
        )
    return locked


def risk_action_start(*, actor: User | None, action: RiskAction, note: str = "") -> RiskAction:
    """The owning agency has started the action."""
    return _action_transition(
        actor=actor,
        action=action,
        transition_name="start",
        label="start it",
        note=note.strip() or "Started",
        update_fields=[],
    )


def risk_action_complete(
    *, actor: User | None, action: RiskAction, note: str, completed_on: dt.date | None = None
) -> RiskAction:
    """The action is done: say what was done."""
    note = require_text(note, field="note", message="Say what was done")
    completed_on = completed_on or timezone.localdate()
    if completed_on > timezone.localdate():
        raise WorkflowError({"completed_on": "The completion date must be today or in the past"})
    return _action_transition(
        actor=actor,
        action=action,
        transition_name="complete",
        label="complete it",
        note=note,
        update_fields=["completed_on"],
        completed_on=completed_on,
    )


CLOSE_OUTCOMES = {
    RiskActionState.CLOSED_NOT_POSSIBLE: "close_not_possible",
    RiskActionState.CLOSED_NOT_DONE: "close_not_done",
}


def risk_action_close(*, actor: User | None, action: RiskAction, outcome: str, reason: str) -> RiskAction:
    """Close an unfinished action as not possible (circumstances changed) or not done by the agency."""
    if outcome not in CLOSE_OUTCOMES:
        raise WorkflowError({"outcome": "Select 'not possible, circumstances changed' or 'not done by the agency'"})
    reason = require_text(reason, field="reason", message="Enter the reason the action was not completed")
    return _action_transition(
        actor=actor,
        action=action,
        transition_name=CLOSE_OUTCOMES[RiskActionState(outcome)],
        label="close it",
        note=reason,
        update_fields=["closed_reason"],
        closed_reason=reason,
    )


def risk_action_add_update(*, actor: User | None, action: RiskAction, text: str) -> RiskActionUpdate:
    """Add a progress note to an action's update log (the owning agency, or the panel at review)."""
    roles.require(actor, "meetings.update_risk_action", action)
    text = require_text(text, field="text", message="Enter the update")
    with transaction.atomic():
        locked = lock_for_change(action, state_field="state", what=ACTION)
        update = RiskActionUpdate.objects.create(
            action=locked, written_by=actor if actor and actor.pk else None, text=text, state_after=locked.state
        )
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, reason=text)
    return update
