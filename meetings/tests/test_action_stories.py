"""The owning agency keeps a risk management action moving: a progress note, closing it unfinished, reopening it,
correcting the day it was done. Each leaves a line in the action's log under its author and an audit row saying
who did what to which action and why; a request that cannot be met names the field the page shows it against and
changes nothing; and someone working from a page loaded before a colleague changed the action is told to reload."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from mappa_workflow.exceptions import ConcurrentChangeError, NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, Area, AuditAction, AuditEvent
from meetings import services, signals
from meetings.models import CaseDecision, CaseMinutes, PlanHeading, RiskAction, RiskActionState
from notifications.models import MessageKind, OutboxMessage
from tests import factories

pytestmark = pytest.mark.django_db

RELOAD = "This action was changed by someone else while you were working on it. Reload the page and try again."


@pytest.fixture
def action() -> RiskAction:
    """An open action on the police, set at yesterday's Level 2 panel."""
    return factories.risk_action(AgencyType.POLICE)


@pytest.fixture
def police():
    return factories.practitioner(AgencyType.POLICE)


def _trail(action: RiskAction) -> tuple:
    action.refresh_from_db()
    return (
        action.state,
        action.completed_on,
        action.closed_reason,
        list(action.updates.values_list("text", "written_by", "state_after")),
        list(AuditEvent.objects.filter(object_id=str(action.pk)).values_list("pk", flat=True)),
    )


def _completed(action: RiskAction, police) -> RiskAction:
    return services.risk_action_complete(actor=police, action=action, note="Curfew address checked")


def _as_set(action: RiskAction, _police) -> RiskAction:
    return action


REFUSALS: dict[str, tuple[Callable, Callable, str, str]] = {
    "closing it with an outcome that is neither of the two": (
        _as_set,
        lambda actor, a: services.risk_action_close(actor=actor, action=a, outcome="completed", reason="Moved away"),
        "outcome",
        "Select 'not possible, circumstances changed' or 'not done by the agency'",
    ),
    "closing it without a reason": (
        _as_set,
        lambda actor, a: services.risk_action_close(
            actor=actor, action=a, outcome=RiskActionState.CLOSED_NOT_DONE, reason="  "
        ),
        "reason",
        "Enter the reason the action was not completed",
    ),
    "closing an action already done": (
        _completed,
        lambda actor, a: services.risk_action_close(
            actor=actor, action=a, outcome=RiskActionState.CLOSED_NOT_POSSIBLE, reason="Moved away"
        ),
        "state",
        "You cannot close it because this action is completed",
    ),
    "starting an action already started": (
        lambda a, officer: services.risk_action_start(actor=officer, action=a),
        lambda actor, a: services.risk_action_start(actor=actor, action=a),
        "state",
        "You cannot start it because this action is in progress",
    ),
    "completing an action closed as not done": (
        lambda a, officer: services.risk_action_close(
            actor=officer, action=a, outcome=RiskActionState.CLOSED_NOT_DONE, reason="Not done"
        ),
        lambda actor, a: services.risk_action_complete(actor=actor, action=a, note="Done after all"),
        "state",
        "You cannot complete it because this action is closed: not done by the agency",
    ),
    "adding an empty progress note": (
        _as_set,
        lambda actor, a: services.risk_action_add_update(actor=actor, action=a, text=" \n "),
        "text",
        "Enter the update",
    ),
}


@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_request_the_action_cannot_take_names_its_field_and_changes_nothing(action, police, refusal):
    given, call, field, message = REFUSALS[refusal]
    action = given(action, police)
    before = _trail(action)
    with pytest.raises(WorkflowError) as refused:
        call(police, action)
    assert refused.value.errors == {field: [message]}
    assert _trail(action) == before


def test_a_progress_note_is_logged_under_its_author_and_audited_against_the_action(action, police):
    update = services.risk_action_add_update(actor=police, action=action, text="  Visited the address: no answer. ")
    assert (update.text, update.written_by, update.state_after) == (
        "Visited the address: no answer.",
        police,
        RiskActionState.OPEN,
    )
    event = AuditEvent.objects.filter(object_id=str(action.pk)).latest("pk")
    assert (event.action, event.object_type, event.actor, event.reason) == (
        AuditAction.CHANGE,
        "meetings.RiskAction",
        police,
        "Visited the address: no answer.",
    )


def test_the_system_adds_a_progress_note_without_an_author(action):
    update = services.risk_action_add_update(actor=None, action=action, text="Imported from the police system")
    assert update.written_by is None
    event = AuditEvent.objects.filter(object_id=str(action.pk)).latest("pk")
    assert (event.actor, event.actor_label, event.reason) == (None, "system", "Imported from the police system")


def test_another_agency_cannot_write_in_the_police_actions_log(action):
    before = _trail(action)
    with pytest.raises(NotPermitted):
        services.risk_action_add_update(
            actor=factories.practitioner(AgencyType.PROBATION), action=action, text="Not our action"
        )
    assert _trail(action) == before


def test_closing_an_unfinished_action_logs_and_audits_the_reason_under_the_closer(action, police):
    closed = services.risk_action_close(
        actor=police, action=action, outcome=RiskActionState.CLOSED_NOT_POSSIBLE, reason="Moved out of the area"
    )
    assert (closed.state, closed.closed_reason) == (RiskActionState.CLOSED_NOT_POSSIBLE, "Moved out of the area")
    assert list(closed.updates.values_list("text", "written_by", "state_after")) == [
        ("Moved out of the area", police.pk, RiskActionState.CLOSED_NOT_POSSIBLE)
    ]
    event = AuditEvent.objects.filter(object_id=str(action.pk), transition="close_not_possible").get()
    assert (event.actor, event.reason, event.to_state) == (
        police,
        "Moved out of the area",
        RiskActionState.CLOSED_NOT_POSSIBLE,
    )


def test_reopening_is_audited_under_the_officer_and_the_log_shows_the_action_in_progress(action, police):
    done = _completed(action, police)
    services.risk_action_reopen(actor=police, action=done, reason="The address changed again")
    update = action.updates.order_by("pk").last()
    assert (update.text, update.written_by, update.state_after) == (
        "Reopened: The address changed again",
        police,
        RiskActionState.IN_PROGRESS,
    )
    event = AuditEvent.objects.filter(object_id=str(action.pk), transition="reopen").get()
    assert (event.actor, event.reason, event.from_state, event.to_state) == (
        police,
        "The address changed again",
        RiskActionState.COMPLETED,
        RiskActionState.IN_PROGRESS,
    )


def test_a_page_loaded_before_a_colleague_changed_the_action_is_told_to_reload(action, police):
    """Two officers have the action open; one acts first, the other's change is refused and changes nothing."""
    stale_open = RiskAction.objects.get(pk=action.pk)
    done = _completed(action, police)
    before = _trail(action)
    with pytest.raises(ConcurrentChangeError) as note:
        services.risk_action_add_update(actor=police, action=stale_open, text="Visited: no answer")
    assert note.value.errors == {"__all__": [RELOAD]}
    assert _trail(action) == before

    stale_done = RiskAction.objects.get(pk=done.pk)
    services.risk_action_reopen(actor=police, action=done, reason="Needed again")
    before = _trail(action)
    with pytest.raises(ConcurrentChangeError) as reopen:
        services.risk_action_reopen(actor=police, action=stale_done, reason="Needed again")
    assert reopen.value.errors == {"__all__": [RELOAD]}
    with pytest.raises(ConcurrentChangeError) as correction:
        services.risk_action_correct_completion(
            actor=police, action=stale_done, completed_on=stale_done.set_on, reason="Typed the wrong day"
        )
    assert correction.value.errors == {"__all__": [RELOAD]}
    assert _trail(action) == before


# ---------------------------------------------------------------------------------------------
# Setting an action at the panel
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def minuted() -> CaseMinutes:
    """A Level 2 case minuted at yesterday's panel, whose minutes are still in draft."""
    meeting = factories.held_meeting("level_2", registrations=[factories.registration_at_level(2)])
    return services.case_minutes_record(
        actor=meeting.created_by, item=meeting.agenda_items.get(), minutes=factories.minutes_input()
    )


def _new_action(minutes: CaseMinutes, **changes: Any) -> dict[str, Any]:
    area = minutes.agenda_item.meeting.area
    return {
        "case_minutes": minutes,
        "heading": PlanHeading.MONITORING_AND_CONTROL,
        "description": "  Check the curfew address.  ",
        "owning_agency": factories.agency(area, AgencyType.POLICE),
        "officer_name": " PC Jo Synthetic ",
        "due_date": minutes.agenda_item.meeting.meeting_date + dt.timedelta(days=14),
        **changes,
    }


def _screening_minutes() -> CaseMinutes:
    referral = factories.submitted_referral(submitted_on=timezone.localdate() - dt.timedelta(days=5))
    threshold = factories.held_meeting("threshold", days_ago=2, referrals=[referral])
    return services.case_minutes_record(
        actor=threshold.created_by,
        item=threshold.agenda_items.get(),
        minutes=factories.minutes_input(CaseDecision.ACCEPT_LEVEL_2),
    )


def _approved(minutes: CaseMinutes) -> CaseMinutes:
    meeting = minutes.agenda_item.meeting
    factories.full_attendance(meeting)
    meeting = services.meeting_draft_minutes(actor=meeting.created_by, meeting=meeting)
    services.meeting_approve_minutes(actor=meeting.created_by, meeting=meeting, confirm_attendance_gaps=True)
    return CaseMinutes.objects.select_related("agenda_item__meeting").get(pk=minutes.pk)


def _another_area_agency(minutes: CaseMinutes):
    other = Area.objects.exclude(pk=minutes.agenda_item.meeting.area_id).order_by("pk")[0]
    return factories.agency(other, AgencyType.POLICE)


NEW_ACTION_REFUSALS: dict[
    str, tuple[Callable[[CaseMinutes], dict[str, Any]], str, Callable[[CaseMinutes, dict[str, Any]], str]]
] = {
    "an action on a screening decision": (
        lambda m: _new_action(_screening_minutes()),
        "agenda_item",
        lambda m, g: "Actions belong to a Level 2 or 3 risk management plan, not to screening",
    ),
    "no plan heading": (
        lambda m: _new_action(m, heading="housing"),
        "heading",
        lambda m, g: "Select the risk management plan heading",
    ),
    "no description": (lambda m: _new_action(m, description=" "), "description", lambda m, g: "Describe the action"),
    "no owning agency": (
        lambda m: _new_action(m, owning_agency=None),
        "owning_agency",
        lambda m, g: "Select the agency that owns the action",
    ),
    "an agency of another area": (
        lambda m: _new_action(m, owning_agency=_another_area_agency(m)),
        "owning_agency",
        lambda m, g: f"{g['owning_agency']} is not an agency of {m.agenda_item.meeting.area}",
    ),
    "no named officer": (
        lambda m: _new_action(m, officer_name=""),
        "officer_name",
        lambda m, g: "Enter the named officer for the action",
    ),
    "no due date": (
        lambda m: _new_action(m, due_date=None),
        "due_date",
        lambda m, g: "Enter the date the action is due",
    ),
    "due before the panel that set it": (
        lambda m: _new_action(m, due_date=m.agenda_item.meeting.meeting_date - dt.timedelta(days=1)),
        "due_date",
        lambda m, g: "The action cannot be due before the meeting that set it",
    ),
    "an officer of another agency": (
        lambda m: _new_action(m, officer=factories.practitioner(AgencyType.PROBATION)),
        "officer",
        lambda m, g: f"{g['officer']} does not work for {g['owning_agency']}",
    ),
    "minutes already approved": (
        lambda m: _new_action(_approved(m)),
        "state",
        lambda m, g: "You cannot add an action because the meeting is minutes approved and circulated",
    ),
}


@pytest.mark.parametrize("refusal", NEW_ACTION_REFUSALS)
def test_an_action_the_panel_cannot_set_names_its_field_and_nothing_is_written(minuted, refusal):
    answers, field, message = NEW_ACTION_REFUSALS[refusal]
    chair = minuted.agenda_item.meeting.created_by
    given = answers(minuted)
    before = (RiskAction.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count())
    with pytest.raises(WorkflowError) as refused:
        services.risk_action_create(actor=chair, **given)
    assert refused.value.errors == {field: [message(minuted, given)]}
    assert (RiskAction.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count()) == before


def test_a_new_action_is_audited_and_its_owner_is_told_once_the_minutes_are_saved(
    minuted, django_capture_on_commit_callbacks, received
):
    chair = minuted.agenda_item.meeting.created_by
    given = _new_action(minuted)
    heard = []

    def listener(sender, action_id, **kwargs):
        heard.append(action_id)

    signals.action_assigned.connect(listener, sender=RiskAction, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            action = services.risk_action_create(actor=chair, **given)
    finally:
        signals.action_assigned.disconnect(listener, sender=RiskAction)
    assert heard == [action.pk]  # a listener for actions (sender RiskAction) hears it
    assert (action.description, action.officer_name, action.state, action.registration_id) == (
        "Check the curfew address.",
        "PC Jo Synthetic",
        RiskActionState.OPEN,
        minuted.agenda_item.registration_id,
    )
    event = AuditEvent.objects.filter(object_id=str(action.pk)).get()
    assert (event.action, event.actor, event.area_id, event.to_state, event.details) == (
        AuditAction.CREATE,
        chair,
        minuted.agenda_item.meeting.area_id,
        RiskActionState.OPEN,
        {
            "agency": given["owning_agency"].pk,
            "due_date": given["due_date"].isoformat(),
            "heading": PlanHeading.MONITORING_AND_CONTROL,
        },
    )
    told = OutboxMessage.objects.filter(payload__action_id=str(action.pk)).get()
    assert (told.kind, told.recipient_email) == (MessageKind.ACTION_ASSIGNED, given["owning_agency"].email)
    assert received == [("action_assigned", {"action_id": action.pk})]


# ---------------------------------------------------------------------------------------------
# Starting and completing it
# ---------------------------------------------------------------------------------------------


def test_starting_without_a_note_logs_started_under_the_officer(action, police):
    started = services.risk_action_start(actor=police, action=action)
    assert list(started.updates.values_list("text", "written_by", "state_after")) == [
        ("Started", police.pk, RiskActionState.IN_PROGRESS)
    ]
    event = AuditEvent.objects.filter(object_id=str(action.pk), transition="start").get()
    assert (event.actor, event.reason, event.from_state, event.to_state) == (
        police,
        "Started",
        RiskActionState.OPEN,
        RiskActionState.IN_PROGRESS,
    )


def test_completing_is_dated_today_unless_told_and_audited_with_what_was_done(action, police):
    done = services.risk_action_complete(actor=police, action=action, note=" Curfew address checked ")
    assert (done.state, done.completed_on) == (RiskActionState.COMPLETED, timezone.localdate())
    assert list(done.updates.values_list("text", "written_by", "state_after")) == [
        ("Curfew address checked", police.pk, RiskActionState.COMPLETED)
    ]
    event = AuditEvent.objects.filter(object_id=str(action.pk), transition="complete").get()
    assert (event.actor, event.reason, event.to_state) == (police, "Curfew address checked", RiskActionState.COMPLETED)
    other = factories.risk_action(AgencyType.POLICE)
    on_the_day = services.risk_action_complete(actor=None, action=other, note="Done", completed_on=other.set_on)
    assert (on_the_day.completed_on, on_the_day.updates.get().written_by) == (other.set_on, None)


@pytest.mark.parametrize(
    ("note", "completed_on", "field", "message"),
    [
        (" ", None, "note", "Say what was done"),
        ("Done", "tomorrow", "completed_on", "The completion date must be today or in the past"),
        ("Done", "before it was set", "completed_on", "The completion date cannot be before the action was set, on {}"),
    ],
)
def test_a_completion_that_cannot_be_right_names_its_field_and_changes_nothing(
    action, police, note, completed_on, field, message
):
    day = {
        None: None,
        "tomorrow": timezone.localdate() + dt.timedelta(days=1),
        "before it was set": action.set_on - dt.timedelta(days=1),
    }[completed_on]
    before = _trail(action)
    with pytest.raises(WorkflowError) as refused:
        services.risk_action_complete(actor=police, action=action, note=note, completed_on=day)
    assert refused.value.errors == {field: [message.format(f"{action.set_on:%-d %B %Y}")]}
    assert _trail(action) == before


def test_an_action_may_be_due_on_the_day_of_the_panel_that_set_it(minuted):
    day = minuted.agenda_item.meeting.meeting_date
    action = services.risk_action_create(
        actor=minuted.agenda_item.meeting.created_by, **_new_action(minuted, due_date=day)
    )
    assert action.due_date == day


def test_another_areas_coordinator_cannot_set_an_action_and_nothing_is_written(minuted):
    elsewhere = factories.coordinator(Area.objects.exclude(pk=minuted.agenda_item.meeting.area_id).order_by("pk")[0])
    given = _new_action(minuted)
    before = (RiskAction.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count())
    with pytest.raises(NotPermitted):
        services.risk_action_create(actor=elsewhere, **given)
    assert (RiskAction.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count()) == before


def test_an_officer_with_an_account_is_named_on_the_action_and_told_at_their_own_address(minuted):
    officer = factories.practitioner(AgencyType.POLICE)
    given = _new_action(minuted, officer=officer, owning_agency=factories.agency(officer.area, AgencyType.POLICE))
    action = services.risk_action_create(actor=minuted.agenda_item.meeting.created_by, **given)
    assert RiskAction.objects.get(pk=action.pk).officer == officer
    told = OutboxMessage.objects.filter(payload__action_id=str(action.pk)).get()
    assert (told.recipient, told.recipient_email) == (officer, officer.email)


UNFINISHED_CHANGES: dict[str, Callable] = {
    "start it": lambda actor, a: services.risk_action_start(actor=actor, action=a, note="Visit booked"),
    "complete it": lambda actor, a: services.risk_action_complete(actor=actor, action=a, note="Visit done"),
    "close it": lambda actor, a: services.risk_action_close(
        actor=actor, action=a, outcome=RiskActionState.CLOSED_NOT_DONE, reason="Not done"
    ),
    "add a note": lambda actor, a: services.risk_action_add_update(actor=actor, action=a, text="Visit booked"),
}


@pytest.mark.parametrize("change", UNFINISHED_CHANGES)
def test_another_agency_cannot_move_the_police_action_on(action, change):
    before = _trail(action)
    with pytest.raises(NotPermitted):
        UNFINISHED_CHANGES[change](factories.practitioner(AgencyType.HOUSING), action)
    assert _trail(action) == before


@pytest.mark.parametrize("change", UNFINISHED_CHANGES)
def test_moving_on_an_action_a_colleague_has_just_closed_is_refused_with_reload(action, police, change):
    stale = RiskAction.objects.get(pk=action.pk)
    services.risk_action_close(
        actor=police, action=action, outcome=RiskActionState.CLOSED_NOT_POSSIBLE, reason="Moved away"
    )
    before = _trail(action)
    with pytest.raises(ConcurrentChangeError) as refused:
        UNFINISHED_CHANGES[change](police, stale)
    assert refused.value.errors == {"__all__": [RELOAD]}
    assert _trail(action) == before
