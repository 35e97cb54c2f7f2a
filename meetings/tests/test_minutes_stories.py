"""The minute-taker's stories: a threshold meeting's screening decision reaches the referral under the name of the
person who minuted it; the draft minutes can be corrected, but a decision or an exit reason already applied to the
case cannot be changed there (the refusal names the field the page shows it against, and nothing changes); a new
review date in the draft moves the case's next review; and the audit trail says who amended which minutes and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Q
from django.utils import timezone

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, Area, AreaSettings, AuditAction, AuditEvent
from meetings import services
from meetings.models import CaseDecision, CaseMinutes, Meeting, MeetingState, PlanHeading
from meetings.services.attendance import attendance_gaps
from meetings.timescales import review_interval
from notifications.models import MessageKind, OutboxMessage
from referrals import services as referral_services
from referrals.models import (
    ExitReason,
    Referral,
    ReferralState,
    Registration,
    RegistrationPeriod,
    RegistrationStatus,
)
from tests import factories

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Screening at the threshold meeting
# ---------------------------------------------------------------------------------------------


def _threshold_minuted(decision: str, **overrides: Any) -> tuple[Meeting, Referral]:
    referral = factories.submitted_referral(submitted_on=timezone.localdate() - dt.timedelta(days=5))
    threshold = factories.held_meeting("threshold", days_ago=2, referrals=[referral])
    services.case_minutes_record(
        actor=threshold.created_by,
        item=threshold.agenda_items.get(),
        minutes=factories.minutes_input(decision, **overrides),
    )
    referral.refresh_from_db()
    return threshold, referral


@pytest.mark.parametrize(
    ("decision", "state", "transition", "level"),
    [
        (CaseDecision.ACCEPT_LEVEL_2, ReferralState.ACCEPTED_LEVEL_2, "accept_at_level_2", 2),
        (CaseDecision.MANAGE_LEVEL_1, ReferralState.MANAGED_AT_LEVEL_1, "manage_at_level_1", 1),
        (CaseDecision.MORE_INFORMATION, ReferralState.MORE_INFORMATION_REQUESTED, "request_more_information", None),
    ],
)
def test_the_threshold_meetings_decision_reaches_the_referral_under_the_minute_takers_name(
    decision, state, transition, level
):
    threshold, referral = _threshold_minuted(decision)
    assert referral.state == state
    if level is not None:
        assert (referral.decided_on, referral.registration.level) == (threshold.meeting_date, level)
    event = AuditEvent.objects.filter(object_id=str(referral.pk), transition=transition).get()
    assert (event.actor, event.reason) == (threshold.created_by, factories.minutes_input().rationale)


# ---------------------------------------------------------------------------------------------
# Amending the draft minutes: what cannot be changed there
# ---------------------------------------------------------------------------------------------


def _level_case(decision: str = CaseDecision.LEVEL_DOWN, **overrides: Any) -> CaseMinutes:
    """A Level 3 case minuted at yesterday's Level 3 panel."""
    registration = factories.registration_at_level(3)
    meeting = factories.held_meeting("level_3", registrations=[registration])
    return services.case_minutes_record(
        actor=meeting.created_by,
        item=meeting.agenda_items.get(),
        minutes=factories.minutes_input(decision, **overrides),
    )


def _exit_case() -> CaseMinutes:
    return _level_case(CaseDecision.EXIT, exit_reason=ExitReason.RISK_REDUCED)


def _screening_case() -> CaseMinutes:
    _threshold, referral = _threshold_minuted(CaseDecision.ACCEPT_LEVEL_2)
    return CaseMinutes.objects.get(agenda_item__referral=referral)


def _approved_case() -> CaseMinutes:
    minutes = _level_case()
    meeting = minutes.agenda_item.meeting
    factories.full_attendance(meeting)
    meeting = services.meeting_draft_minutes(actor=meeting.created_by, meeting=meeting)
    services.meeting_approve_minutes(actor=meeting.created_by, meeting=meeting, confirm_attendance_gaps=True)
    return CaseMinutes.objects.select_related("agenda_item__meeting").get(pk=minutes.pk)


def _state(minutes: CaseMinutes) -> tuple:
    item = minutes.agenda_item
    registrations = Registration.objects.filter(Q(agenda_items=item) | Q(referrals__agenda_items=item)).distinct()
    return (
        CaseMinutes.objects.filter(pk=minutes.pk).values().get(),
        list(registrations.values("status", "next_review_due", "exit_reason")),
        list(RegistrationPeriod.objects.filter(registration__in=registrations).values_list("level", "end_date")),
        Referral.objects.filter(pk=item.referral_id).values_list("state", flat=True).first(),
        list(AuditEvent.objects.values_list("pk", flat=True)),
    )


AMEND_REFUSALS: dict[str, tuple[Callable[[], CaseMinutes], str, dict[str, Any], str, str]] = {
    "leaving the summary of the risk blank": (
        _level_case,
        CaseDecision.LEVEL_DOWN,
        {"risk_summary": "  "},
        "risk_summary",
        "Enter the summary of the risk of serious harm",
    ),
    "leaving the rationale blank": (
        _level_case,
        CaseDecision.LEVEL_DOWN,
        {"rationale": ""},
        "rationale",
        "Enter the rationale for the decision",
    ),
    "changing a level decision already applied to the registration": (
        _level_case,
        CaseDecision.SAME_LEVEL,
        {},
        "decision",
        "The decision 'Move down a level' was applied to the registration when these minutes were recorded and is "
        "not applied again, so it cannot be changed here: to change the level now, use 'Change level' on the case page",
    ),
    "changing a screening decision already applied to the referral": (
        _screening_case,
        CaseDecision.ACCEPT_LEVEL_3,
        {"why_level_2_cannot_manage": "Needs police surveillance at short notice."},
        "decision",
        "The decision 'Accept at Level 2' was applied to the referral when these minutes were recorded and is not "
        "applied again, so it cannot be changed here",
    ),
    "changing the reason for an exit already applied": (
        _exit_case,
        CaseDecision.EXIT,
        {"exit_reason": ExitReason.DECEASED, "rationale": "Died in hospital."},
        "exit_reason",
        "The exit from MAPPA was applied to the registration when these minutes were recorded, so its reason "
        "cannot be changed here",
    ),
    "amending minutes already approved and circulated": (
        _approved_case,
        CaseDecision.LEVEL_DOWN,
        {"rationale": "A clearer rationale"},
        "state",
        "You cannot amend the minutes because the meeting is minutes approved and circulated",
    ),
}


@pytest.mark.parametrize("refusal", AMEND_REFUSALS)
def test_an_amendment_the_draft_cannot_take_names_its_field_and_changes_nothing(refusal):
    given, decision, overrides, field, message = AMEND_REFUSALS[refusal]
    minutes = given()
    chair = minutes.agenda_item.meeting.created_by
    before = _state(minutes)
    with pytest.raises(WorkflowError) as refused:
        services.case_minutes_amend(
            actor=chair, case_minutes=minutes, minutes=factories.minutes_input(decision, **overrides)
        )
    assert refused.value.errors == {field: [message]}
    assert _state(minutes) == before


@pytest.mark.parametrize("exit_reason", ["", ExitReason.RISK_REDUCED], ids=["reason left out", "same reason"])
def test_the_text_of_exit_minutes_can_be_corrected_while_the_exit_reason_stays(exit_reason):
    """The amend page does not ask for the exit reason again: left out or repeated, it is kept."""
    minutes = _exit_case()
    amended = services.case_minutes_amend(
        actor=minutes.agenda_item.meeting.created_by,
        case_minutes=minutes,
        minutes=factories.minutes_input(CaseDecision.EXIT, exit_reason=exit_reason, rationale="Risk now low."),
    )
    amended.refresh_from_db()
    assert (amended.rationale, amended.exit_reason) == ("Risk now low.", ExitReason.RISK_REDUCED)
    registration = Registration.objects.get(pk=minutes.agenda_item.registration_id)
    assert (registration.status, registration.exit_reason) == (RegistrationStatus.EXITED, ExitReason.RISK_REDUCED)


# ---------------------------------------------------------------------------------------------
# Amending the draft minutes: what the amendment changes, and the audit trail
# ---------------------------------------------------------------------------------------------


def test_an_amendment_is_audited_against_the_minutes_with_who_where_why_and_which_fields():
    minutes = _level_case(CaseDecision.SAME_LEVEL)
    meeting = minutes.agenda_item.meeting
    chair = meeting.created_by
    registration = Registration.objects.get(pk=minutes.agenda_item.registration_id)
    review_before = registration.next_review_due
    last = AuditEvent.objects.latest("pk").pk
    services.case_minutes_amend(
        actor=chair,
        case_minutes=minutes,
        minutes=factories.minutes_input(CaseDecision.SAME_LEVEL, differing_views="Police wanted Level 2."),
    )
    events = list(AuditEvent.objects.filter(pk__gt=last))
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        (AuditAction.CHANGE, "meetings.CaseMinutes", str(minutes.pk))
    ]
    event = events[0]
    assert (event.actor, event.area_id, event.reason, event.details) == (
        chair,
        meeting.area_id,
        "Minutes amended while in draft",
        {"meeting": str(meeting.pk), "fields": ["differing_views"]},
    )
    registration.refresh_from_db()
    assert registration.next_review_due == review_before


def test_an_earlier_review_date_in_the_draft_moves_the_cases_next_review_and_says_so_in_its_audit_trail():
    minutes = _level_case(CaseDecision.SAME_LEVEL)
    meeting = minutes.agenda_item.meeting
    chair = meeting.created_by
    registration = Registration.objects.get(pk=minutes.agenda_item.registration_id)
    earlier = meeting.meeting_date + dt.timedelta(days=21)
    last = AuditEvent.objects.latest("pk").pk
    amended = services.case_minutes_amend(
        actor=chair,
        case_minutes=minutes,
        minutes=factories.minutes_input(CaseDecision.SAME_LEVEL, next_review_date=earlier),
    )
    assert amended.next_review_date == earlier
    registration.refresh_from_db()
    assert registration.next_review_due == earlier
    events = list(AuditEvent.objects.filter(pk__gt=last))
    assert [(e.object_type, e.object_id) for e in events] == [
        ("meetings.CaseMinutes", str(minutes.pk)),
        ("referrals.Registration", str(registration.pk)),
    ]
    assert events[0].details == {"meeting": str(meeting.pk), "fields": ["next_review_date"]}
    moved = events[1]
    assert (moved.action, moved.actor, moved.area_id, moved.reason, moved.details) == (
        AuditAction.CHANGE,
        chair,
        meeting.area_id,
        f"Next review changed in the draft minutes of the {meeting}",
        {"next_review_due": earlier.isoformat(), "meeting": str(meeting.pk)},
    )


# ---------------------------------------------------------------------------------------------
# Recording a case's minutes: what is refused
# ---------------------------------------------------------------------------------------------


def _panel(level: int = 2) -> Meeting:
    """Yesterday's panel with one case at ``level`` on it."""
    return factories.held_meeting(f"level_{level}", registrations=[factories.registration_at_level(level)])


def _threshold() -> Meeting:
    referral = factories.submitted_referral(submitted_on=timezone.localdate() - dt.timedelta(days=5))
    return factories.held_meeting("threshold", days_ago=2, referrals=[referral])


def _latest_review(meeting: Meeting, level: int) -> dt.date:
    return meeting.meeting_date + review_interval(AreaSettings.for_area(meeting.area), level)


def _minuted_already(level: int = 2) -> Meeting:
    meeting = _panel(level)
    services.case_minutes_record(
        actor=meeting.created_by, item=meeting.agenda_items.get(), minutes=factories.minutes_input()
    )
    return meeting


def _exited_since_the_agenda() -> Meeting:
    meeting = _panel()
    registration = Registration.objects.get(agenda_items__meeting=meeting)
    referral_services.registration_exit(
        actor=None, registration=registration, reason=ExitReason.DECEASED, effective_date=timezone.localdate()
    )
    return meeting


def _not_yet_held() -> Meeting:
    return factories.scheduled_meeting("level_2", registrations=[factories.registration_at_level(2)])


def _individual(meeting: Meeting) -> str:
    return str(meeting.agenda_items.get().individual)


RECORD_REFUSALS: dict[str, tuple[Callable[[], Meeting], str, dict[str, Any], str, Callable[[Meeting], str]]] = {
    "no summary of the risk": (
        _panel,
        CaseDecision.SAME_LEVEL,
        {"risk_summary": " "},
        "risk_summary",
        lambda m: "Enter the summary of the risk of serious harm",
    ),
    "no rationale": (
        _panel,
        CaseDecision.SAME_LEVEL,
        {"rationale": ""},
        "rationale",
        lambda m: "Enter the rationale for the decision",
    ),
    "a panel's decision at a threshold meeting": (
        _threshold,
        CaseDecision.SAME_LEVEL,
        {},
        "decision",
        lambda m: (
            "Select one of: accept at level 2, accept at level 3, manage at level 1 (not adopted), "
            "ask the referrer for more information"
        ),
    ),
    "a screening decision at a panel": (
        _panel,
        CaseDecision.ACCEPT_LEVEL_2,
        {},
        "decision",
        lambda m: "Select one of: remain at the same level, move up a level, move down a level, exit mappa",
    ),
    "an exit without its reason": (
        _panel,
        CaseDecision.EXIT,
        {"exit_reason": ""},
        "exit_reason",
        lambda m: "Select why the person leaves MAPPA",
    ),
    "moving a Level 3 case up": (
        lambda: _panel(3),
        CaseDecision.LEVEL_UP,
        {},
        "decision",
        lambda m: "The case is at Level 3 already: it cannot move up",
    ),
    "a review date for a case leaving Level 2 and 3": (
        lambda: factories.held_meeting("level_2", registrations=[factories.registration_at_level(2, category=1)]),
        CaseDecision.LEVEL_DOWN,
        {"next_review_date": timezone.localdate() + dt.timedelta(days=30)},
        "next_review_date",
        lambda m: "A case leaving Level 2 and 3 management has no next review",
    ),
    "a review on the day of the meeting": (
        _panel,
        CaseDecision.SAME_LEVEL,
        {"next_review_date": timezone.localdate() - dt.timedelta(days=1)},
        "next_review_date",
        lambda m: "The next review must be after the meeting",
    ),
    "a review later than the level allows": (
        _panel,
        CaseDecision.SAME_LEVEL,
        {"next_review_date": timezone.localdate() + dt.timedelta(days=400)},
        "next_review_date",
        lambda m: f"A Level 2 case must be reviewed by {_latest_review(m, 2):%-d %B %Y}",
    ),
    "a Level 3 acceptance without saying what Level 2 cannot deliver": (
        _threshold,
        CaseDecision.ACCEPT_LEVEL_3,
        {},
        "why_level_2_cannot_manage",
        lambda m: "A Level 3 decision must say what Level 2 management cannot deliver",
    ),
    "minutes already recorded": (
        _minuted_already,
        CaseDecision.SAME_LEVEL,
        {},
        "agenda_item",
        lambda m: f"The minutes for {_individual(m)} are already recorded",
    ),
    "a case that left MAPPA since the agenda was set": (
        _exited_since_the_agenda,
        CaseDecision.SAME_LEVEL,
        {},
        "decision",
        lambda m: f"{_individual(m)} has left MAPPA since the agenda was set",
    ),
    "a meeting not yet held": (
        _not_yet_held,
        CaseDecision.SAME_LEVEL,
        {},
        "state",
        lambda m: "You cannot record a case's minutes because the meeting is scheduled",
    ),
}


def _case_state(meeting: Meeting) -> tuple:
    item = meeting.agenda_items.get()
    return (
        CaseMinutes.objects.filter(agenda_item=item).count(),
        list(RegistrationPeriod.objects.filter(registration__agenda_items=item).values_list("level", "end_date")),
        list(Registration.objects.filter(agenda_items=item).values_list("status", "next_review_due")),
        Referral.objects.filter(pk=item.referral_id).values_list("state", flat=True).first(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("refusal", RECORD_REFUSALS)
def test_minutes_that_cannot_be_recorded_name_their_field_and_change_nothing(refusal):
    given, decision, overrides, field, message = RECORD_REFUSALS[refusal]
    meeting = given()
    before = _case_state(meeting)
    with pytest.raises(WorkflowError) as refused:
        services.case_minutes_record(
            actor=meeting.created_by,
            item=meeting.agenda_items.get(),
            minutes=factories.minutes_input(decision, **overrides),
        )
    assert refused.value.errors == {field: [message(meeting)]}
    assert _case_state(meeting) == before


# ---------------------------------------------------------------------------------------------
# Recording a case's minutes: what is written
# ---------------------------------------------------------------------------------------------


def test_a_panels_minutes_set_the_next_review_and_the_trail_says_who_minuted_what():
    meeting = _panel(2)
    chair = meeting.created_by
    item = meeting.agenda_items.get()
    last = AuditEvent.objects.latest("pk").pk
    written = factories.minutes_input(
        CaseDecision.SAME_LEVEL,
        risk_summary="  High risk to a known adult. ",
        rationale=" Still needs multi-agency management. ",
        differing_views=" None. ",
        exit_reason=ExitReason.RISK_REDUCED,  # ignored: the case is not leaving
        why_level_2_cannot_manage="  ",
    )
    minutes = services.case_minutes_record(actor=chair, item=item, minutes=written)
    due = _latest_review(meeting, 2)
    minutes.refresh_from_db()
    assert (
        minutes.risk_summary,
        minutes.rationale,
        minutes.differing_views,
        minutes.exit_reason,
        minutes.why_level_2_cannot_manage,
        minutes.next_review_date,
        minutes.recorded_by,
    ) == ("High risk to a known adult.", "Still needs multi-agency management.", "None.", "", "", due, chair)
    registration = Registration.objects.get(pk=item.registration_id)
    assert registration.next_review_due == due
    events = list(AuditEvent.objects.filter(pk__gt=last))
    assert [(e.object_type, e.action, e.actor, e.area_id) for e in events] == [
        ("referrals.Registration", AuditAction.CHANGE, chair, meeting.area_id),
        ("meetings.CaseMinutes", AuditAction.CREATE, chair, meeting.area_id),
    ]
    assert (events[0].reason, events[0].details) == (
        f"Next review set at the {meeting}",
        {"next_review_due": due.isoformat(), "meeting": str(meeting.pk)},
    )
    assert (events[1].object_id, events[1].reason.strip(), events[1].details) == (
        str(minutes.pk),
        "Still needs multi-agency management.",
        {"meeting": str(meeting.pk), "decision": CaseDecision.SAME_LEVEL, "next_review_date": due.isoformat()},
    )


def test_an_exit_minuted_at_a_panel_ends_the_registration_with_its_reason_and_no_next_review():
    meeting = _panel(2)
    item = meeting.agenda_items.get()
    minutes = services.case_minutes_record(
        actor=meeting.created_by,
        item=item,
        minutes=factories.minutes_input(CaseDecision.EXIT, exit_reason=ExitReason.LICENCE_OR_ORDER_ENDED),
    )
    assert (minutes.exit_reason, minutes.next_review_date) == (ExitReason.LICENCE_OR_ORDER_ENDED, None)
    registration = Registration.objects.get(pk=item.registration_id)
    assert (registration.status, registration.exit_reason, registration.ended_on) == (
        RegistrationStatus.EXITED,
        ExitReason.LICENCE_OR_ORDER_ENDED,
        meeting.meeting_date,
    )
    event = AuditEvent.objects.filter(object_id=str(minutes.pk)).get()
    assert event.details == {"meeting": str(meeting.pk), "decision": CaseDecision.EXIT, "next_review_date": None}
    assert registration.exit_notes == factories.minutes_input().rationale
    exit_event = AuditEvent.objects.filter(object_id=str(registration.pk), transition="exit").get()
    assert exit_event.actor == meeting.created_by


def test_moving_a_case_up_records_the_panels_rationale_as_the_reason_for_the_new_level():
    meeting = _panel(2)
    item = meeting.agenda_items.get()
    services.case_minutes_record(
        actor=meeting.created_by,
        item=item,
        minutes=factories.minutes_input(
            CaseDecision.LEVEL_UP,
            rationale="Threats escalated",
            why_level_2_cannot_manage="Needs police surveillance at short notice.",
        ),
    )
    assert CaseMinutes.objects.get(agenda_item=item).why_level_2_cannot_manage == (
        "Needs police surveillance at short notice."
    )
    registration = Registration.objects.get(pk=item.registration_id)
    assert (registration.level, registration.next_review_due) == (3, _latest_review(meeting, 3))
    moved = AuditEvent.objects.filter(object_id=str(registration.pk), transition="escalate_to_level_3").get()
    assert (moved.actor, moved.reason) == (meeting.created_by, f"Decided at the {meeting}: Threats escalated")
    period = RegistrationPeriod.objects.filter(registration=registration, level=3).get()
    assert (period.start_date, period.change_reason) == (
        meeting.meeting_date,
        f"Decided at the {meeting}: Threats escalated",
    )


# ---------------------------------------------------------------------------------------------
# Drafting and approving the minutes
# ---------------------------------------------------------------------------------------------


def test_the_minutes_are_drafted_only_with_the_attendance_and_every_case_minuted():
    first, second = factories.registration_at_level(2), factories.registration_at_level(2)
    meeting = factories.held_meeting("level_2", registrations=[first, second])
    chair = meeting.created_by
    with pytest.raises(WorkflowError) as no_attendance:
        services.meeting_draft_minutes(actor=chair, meeting=meeting)
    assert no_attendance.value.errors == {"attendance": ["Record the attendance before drafting the minutes"]}
    factories.full_attendance(meeting)
    names = "; ".join(str(item.individual) for item in meeting.agenda_items.all())
    with pytest.raises(WorkflowError) as unminuted:
        services.meeting_draft_minutes(actor=chair, meeting=meeting)
    assert unminuted.value.errors == {"agenda": [f"Record the minutes for every case first: {names}"]}
    for item in meeting.agenda_items.all():
        services.case_minutes_record(actor=chair, item=item, minutes=factories.minutes_input())
    last_changed = Meeting.objects.get(pk=meeting.pk).updated_at
    drafted = services.meeting_draft_minutes(actor=chair, meeting=meeting)
    assert drafted.state == MeetingState.MINUTES_DRAFTED
    assert Meeting.objects.get(pk=meeting.pk).updated_at > last_changed  # the meeting shows when it last changed
    event = AuditEvent.objects.filter(object_id=str(meeting.pk), transition="draft_minutes").get()
    assert (event.actor, event.from_state, event.to_state) == (chair, MeetingState.HELD, MeetingState.MINUTES_DRAFTED)
    with pytest.raises(WorkflowError) as again:
        services.meeting_draft_minutes(actor=chair, meeting=drafted)
    assert again.value.errors == {
        "state": ["You cannot mark the minutes drafted because the meeting is minutes drafted"]
    }


def _drafted(*, senior: bool) -> Meeting:
    meeting = factories.held_meeting("level_3", registrations=[factories.registration_at_level(3)])
    factories.full_attendance(meeting, senior=senior)
    services.case_minutes_record(
        actor=meeting.created_by, item=meeting.agenda_items.get(), minutes=factories.minutes_input()
    )
    return services.meeting_draft_minutes(actor=meeting.created_by, meeting=meeting)


def test_approving_with_required_attendance_missing_is_confirmed_recorded_and_circulated():
    meeting = _drafted(senior=False)
    chair = meeting.created_by
    gaps = attendance_gaps(meeting)
    assert gaps
    with pytest.raises(WorkflowError) as unconfirmed:
        services.meeting_approve_minutes(actor=chair, meeting=meeting)
    assert unconfirmed.value.errors == {
        "confirm_attendance_gaps": [
            f"Required attendance was missing: {'; '.join(gaps)}. Confirm that you approve the minutes with this gap; "
            "it will be recorded in them."
        ]
    }
    assert not OutboxMessage.objects.filter(kind=MessageKind.MINUTES_CIRCULATED).exists()
    approved = services.meeting_approve_minutes(actor=chair, meeting=meeting, confirm_attendance_gaps=True)
    approved.refresh_from_db()
    assert (
        approved.state,
        approved.minutes_approved_by,
        approved.attendance_gaps,
        approved.attendance_gaps_confirmed_by,
    ) == (MeetingState.MINUTES_APPROVED, chair, "\n".join(gaps), chair)
    event = AuditEvent.objects.filter(object_id=str(meeting.pk), transition="approve_minutes").get()
    assert (event.actor, event.reason, event.details) == (
        chair,
        "; ".join(gaps),
        {"attendance_gaps": gaps, "gaps_confirmed": True},
    )
    assert OutboxMessage.objects.filter(kind=MessageKind.MINUTES_CIRCULATED, payload__meeting_id=str(meeting.pk))


def test_approving_with_everyone_required_there_records_no_gap_and_no_confirmation():
    meeting = _drafted(senior=True)
    chair = meeting.created_by
    with pytest.raises(WorkflowError) as early:
        services.meeting_approve_minutes(actor=chair, meeting=_panel(2))
    assert early.value.errors == {"state": ["You cannot approve the minutes because the meeting is held"]}
    approved = services.meeting_approve_minutes(actor=chair, meeting=meeting)
    approved.refresh_from_db()
    assert (approved.minutes_approved_by, approved.attendance_gaps, approved.attendance_gaps_confirmed_by) == (
        chair,
        "",
        None,
    )
    event = AuditEvent.objects.filter(object_id=str(meeting.pk), transition="approve_minutes").get()
    assert (event.reason, event.details) == ("", {"attendance_gaps": [], "gaps_confirmed": False})


def test_unfinished_actions_go_to_the_cases_next_scheduled_meeting_only():
    registration = factories.registration_at_level(2)
    soon = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=14), dt.time(10)))
    later = factories.scheduled_meeting("level_2", starts_at=soon + dt.timedelta(days=28), registrations=[registration])
    next_one = factories.scheduled_meeting("level_2", starts_at=soon, registrations=[registration])
    meeting = factories.held_meeting("level_2", registrations=[registration])
    chair = meeting.created_by
    minutes = services.case_minutes_record(
        actor=chair, item=meeting.agenda_items.get(), minutes=factories.minutes_input()
    )
    action = services.risk_action_create(
        actor=chair,
        case_minutes=minutes,
        heading=PlanHeading.SUPERVISION,
        description="Weekly appointments",
        owning_agency=factories.agency(meeting.area, AgencyType.PROBATION),
        officer_name="Alex Example",
        due_date=timezone.localdate() + dt.timedelta(days=7),
    )
    factories.full_attendance(meeting)
    meeting = services.meeting_draft_minutes(actor=chair, meeting=meeting)
    services.meeting_approve_minutes(actor=chair, meeting=meeting, confirm_attendance_gaps=True)
    assert list(next_one.agenda_items.get().actions_to_review.all()) == [action]
    assert list(later.agenda_items.get().actions_to_review.all()) == []


def _in_days(days: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(10)))


def _minute_with_an_action(meeting: Meeting, registration: Registration, description: str) -> Any:
    """Minute the case at the held ``meeting`` and give probation one unfinished action for it."""
    minutes = services.case_minutes_record(
        actor=meeting.created_by,
        item=meeting.agenda_items.get(registration=registration),
        minutes=factories.minutes_input(),
    )
    return services.risk_action_create(
        actor=meeting.created_by,
        case_minutes=minutes,
        heading=PlanHeading.SUPERVISION,
        description=description,
        owning_agency=factories.agency(meeting.area, AgencyType.PROBATION),
        officer_name="Alex Example",
        due_date=timezone.localdate() + dt.timedelta(days=7),
    )


def _approve(meeting: Meeting) -> None:
    factories.full_attendance(meeting)
    drafted = services.meeting_draft_minutes(actor=meeting.created_by, meeting=meeting)
    services.meeting_approve_minutes(actor=meeting.created_by, meeting=drafted, confirm_attendance_gaps=True)


def _to_review(meeting: Meeting, registration: Registration) -> list[Any]:
    return list(meeting.agenda_items.get(registration=registration).actions_to_review.order_by("pk"))


def test_each_case_on_the_panel_takes_its_own_actions_to_its_own_next_meeting():
    first, second = factories.registration_at_level(2), factories.registration_at_level(2)
    first_next = factories.scheduled_meeting("level_2", starts_at=_in_days(14), registrations=[first])
    first_later = factories.scheduled_meeting("level_2", starts_at=_in_days(42), registrations=[first])
    second_next = factories.scheduled_meeting("level_2", starts_at=_in_days(21), registrations=[second])
    second_later = factories.scheduled_meeting("level_2", starts_at=_in_days(49), registrations=[second])
    panel = factories.held_meeting("level_2", registrations=[first, second])
    first_action = _minute_with_an_action(panel, first, "Weekly appointments")
    second_action = _minute_with_an_action(panel, second, "Check the approved premises curfew")
    _approve(panel)
    assert (_to_review(first_next, first), _to_review(second_next, second)) == ([first_action], [second_action])
    assert (_to_review(first_later, first), _to_review(second_later, second)) == ([], [])


def test_a_cancelled_next_meeting_is_passed_over_for_the_scheduled_one_after_it():
    registration = factories.registration_at_level(2)
    cancelled = factories.scheduled_meeting("level_2", starts_at=_in_days(14), registrations=[registration])
    services.meeting_cancel(actor=cancelled.created_by, meeting=cancelled, reason="Chair unavailable")
    rebooked = factories.scheduled_meeting("level_2", starts_at=_in_days(28), registrations=[registration])
    panel = factories.held_meeting("level_2", registrations=[registration])
    action = _minute_with_an_action(panel, registration, "Weekly appointments")
    _approve(panel)
    assert (_to_review(cancelled, registration), _to_review(rebooked, registration)) == ([], [action])


def test_an_earlier_panel_never_recorded_as_held_does_not_take_the_actions():
    registration = factories.registration_at_level(2)
    never_recorded = factories.scheduled_meeting(
        "level_2", starts_at=_in_days(-8), registrations=[registration], allow_past=True
    )
    upcoming = factories.scheduled_meeting("level_2", starts_at=_in_days(14), registrations=[registration])
    panel = factories.held_meeting("level_2", registrations=[registration])
    action = _minute_with_an_action(panel, registration, "Weekly appointments")
    _approve(panel)
    assert (_to_review(never_recorded, registration), _to_review(upcoming, registration)) == ([], [action])


def test_an_action_still_unfinished_after_one_review_is_carried_to_the_review_after_it_too():
    registration = factories.registration_at_level(2)
    first = factories.held_meeting("level_2", days_ago=20, registrations=[registration])
    action = _minute_with_an_action(first, registration, "Weekly appointments")
    second = factories.held_meeting("level_2", days_ago=10, registrations=[registration])
    assert _to_review(second, registration) == [action]
    services.case_minutes_record(
        actor=second.created_by,
        item=second.agenda_items.get(registration=registration),
        minutes=factories.minutes_input(),
    )  # reviewed there, and still not done
    third = factories.scheduled_meeting("level_2", starts_at=_in_days(14), registrations=[registration])
    assert _to_review(third, registration) == [action]


def test_approving_a_panel_leaves_other_cases_next_meetings_as_they_are():
    ours, theirs = factories.registration_at_level(2), factories.registration_at_level(2)
    their_next = factories.scheduled_meeting("level_2", starts_at=_in_days(14), registrations=[theirs])
    their_panel = factories.held_meeting("level_2", days_ago=2, registrations=[theirs])
    _minute_with_an_action(their_panel, theirs, "Their own action, carried when their minutes are approved")
    our_panel = factories.held_meeting("level_2", registrations=[ours])
    _minute_with_an_action(our_panel, ours, "Weekly appointments")
    _approve(our_panel)
    assert _to_review(their_next, theirs) == []


def test_moving_a_level_3_case_down_puts_it_at_level_2_reviewed_on_the_last_day_the_panel_allows():
    meeting = _panel(3)
    item = meeting.agenda_items.get()
    last_day = _latest_review(meeting, 2)
    services.case_minutes_record(
        actor=meeting.created_by,
        item=item,
        minutes=factories.minutes_input(CaseDecision.LEVEL_DOWN, next_review_date=last_day),
    )
    registration = Registration.objects.get(pk=item.registration_id)
    assert (registration.level, registration.next_review_due) == (2, last_day)


def test_another_areas_coordinator_cannot_minute_the_case_and_nothing_is_written():
    meeting = _panel(2)
    elsewhere = factories.coordinator(Area.objects.exclude(pk=meeting.area_id).order_by("pk")[0])
    before = _case_state(meeting)
    with pytest.raises(NotPermitted):
        services.case_minutes_record(
            actor=elsewhere, item=meeting.agenda_items.get(), minutes=factories.minutes_input()
        )
    assert _case_state(meeting) == before


def test_minutes_the_system_records_have_no_recorder_and_are_audited_as_the_system():
    meeting = _panel(2)
    minutes = services.case_minutes_record(
        actor=None, item=meeting.agenda_items.get(), minutes=factories.minutes_input()
    )
    assert CaseMinutes.objects.get(pk=minutes.pk).recorded_by is None
    event = AuditEvent.objects.filter(object_id=str(minutes.pk)).get()
    assert (event.actor, event.actor_label) == (None, "system")


def test_another_areas_coordinator_can_neither_draft_nor_approve_the_minutes():
    held = _minuted_already()
    factories.full_attendance(held)
    drafted = _drafted(senior=True)
    elsewhere = factories.coordinator(Area.objects.exclude(pk=held.area_id).order_by("pk")[0])
    before = list(Meeting.objects.order_by("pk").values_list("state", flat=True)), AuditEvent.objects.count()
    with pytest.raises(NotPermitted):
        services.meeting_draft_minutes(actor=elsewhere, meeting=held)
    with pytest.raises(NotPermitted):
        services.meeting_approve_minutes(actor=elsewhere, meeting=drafted, confirm_attendance_gaps=True)
    assert (list(Meeting.objects.order_by("pk").values_list("state", flat=True)), AuditEvent.objects.count()) == before
