"""Putting a finished action right, as the API and the pages both ask the service: only the owning agency and
the area's co-ordinators and chairs may, every refusal names its field and says why, and a refusal changes
nothing (no state, no log line, no audit row)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, AuditEvent
from meetings import services
from meetings.models import RiskAction, RiskActionState
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed():
    """An action set at yesterday's panel, done today by the police who own it."""
    action = factories.risk_action(AgencyType.POLICE)
    police = factories.practitioner(AgencyType.POLICE)
    return services.risk_action_complete(actor=police, action=action, note="Curfew address checked")


def _trail(action: RiskAction) -> tuple:
    action.refresh_from_db()
    return (
        action.state,
        action.completed_on,
        action.closed_reason,
        list(action.updates.values_list("text", flat=True)),
        AuditEvent.objects.filter(object_id=str(action.pk)).count(),
    )


def test_another_agency_and_another_area_are_refused_by_the_service_itself(completed):
    before = _trail(completed)
    probation = factories.practitioner(AgencyType.PROBATION)
    elsewhere = factories.coordinator(factories.Area.objects.exclude(pk=completed.area_id).order_by("pk").first())
    for outsider in (probation, elsewhere):
        with pytest.raises(NotPermitted):
            services.risk_action_reopen(actor=outsider, action=completed, reason="Not mine to reopen")
        with pytest.raises(NotPermitted):
            services.risk_action_correct_completion(
                actor=outsider, action=completed, completed_on=completed.set_on, reason="Not mine to correct"
            )
    assert _trail(completed) == before


def test_reopening_needs_a_reason_and_a_finished_action(completed):
    police = factories.practitioner(AgencyType.POLICE)
    before = _trail(completed)
    with pytest.raises(WorkflowError) as blank:
        services.risk_action_reopen(actor=police, action=completed, reason="  ")
    assert blank.value.errors == {"reason": ["Enter why the action is being reopened"]}
    assert _trail(completed) == before

    still_open = factories.risk_action(AgencyType.POLICE)
    with pytest.raises(WorkflowError) as not_finished:
        services.risk_action_reopen(actor=police, action=still_open, reason="Needed again")
    assert not_finished.value.errors == {"reason": ["Only a completed or closed action can be reopened"]}
    assert _trail(still_open)[0] == RiskActionState.OPEN


def test_a_reopened_action_is_in_progress_again_with_the_reason_logged_under_its_author(completed):
    police = factories.practitioner(AgencyType.POLICE)
    services.risk_action_reopen(actor=police, action=completed, reason="The address changed again")
    state, completed_on, closed_reason, log, _ = _trail(completed)
    assert (state, completed_on, closed_reason) == (RiskActionState.IN_PROGRESS, None, "")
    assert log[-1] == "Reopened: The address changed again"
    assert completed.updates.order_by("pk").last().written_by == police
    event = AuditEvent.objects.filter(object_id=str(completed.pk), transition="reopen").get()
    assert event.reason == "The address changed again"


def test_a_closed_action_reopens_without_its_closing_reason():
    action = factories.risk_action(AgencyType.POLICE)
    coordinator = factories.coordinator()
    closed = services.risk_action_close(
        actor=coordinator, action=action, outcome=RiskActionState.CLOSED_NOT_POSSIBLE, reason="Moved away"
    )
    assert closed.closed_reason == "Moved away"
    services.risk_action_reopen(actor=coordinator, action=closed, reason="Back in the area")
    assert _trail(action)[:3] == (RiskActionState.IN_PROGRESS, None, "")


@pytest.mark.parametrize(
    ("completed_on", "reason", "field", "message"),
    [
        (None, "Typed the wrong day", "completed_on", "Enter the date the action was completed"),
        ("tomorrow", "Typed the wrong day", "completed_on", "The completion date must be today or in the past"),
        ("set_on", "", "reason", "Enter why the completion date is being corrected"),
        ("today", "Typed the wrong day", "completed_on", "That is already the completion date"),
    ],
)
def test_a_completion_date_correction_that_cannot_be_made_names_its_field(
    completed, completed_on, reason, field, message
):
    day = {
        None: None,
        "tomorrow": timezone.localdate() + dt.timedelta(days=1),
        "set_on": completed.set_on,
        "today": timezone.localdate(),
    }[completed_on]
    before = _trail(completed)
    with pytest.raises(WorkflowError) as refused:
        services.risk_action_correct_completion(
            actor=factories.coordinator(), action=completed, completed_on=day, reason=reason
        )
    assert refused.value.errors == {field: [message]}
    assert _trail(completed) == before


def test_a_correction_before_the_day_the_action_was_set_says_which_day_that_was(completed):
    with pytest.raises(WorkflowError) as refused:
        services.risk_action_correct_completion(
            actor=factories.coordinator(),
            action=completed,
            completed_on=completed.set_on - dt.timedelta(days=1),
            reason="Typed the wrong day",
        )
    assert refused.value.errors == {
        "completed_on": [f"The completion date cannot be before the action was set, on {completed.set_on:%-d %B %Y}"]
    }


def test_only_a_completed_action_has_a_completion_date_to_correct():
    action = factories.risk_action(AgencyType.POLICE)
    with pytest.raises(WorkflowError) as refused:
        services.risk_action_correct_completion(
            actor=factories.coordinator(), action=action, completed_on=action.set_on, reason="Typed the wrong day"
        )
    assert refused.value.errors == {"completed_on": ["Only a completed action has a completion date to correct"]}
    assert _trail(action)[0] == RiskActionState.OPEN


def test_a_corrected_completion_date_is_logged_and_audited_from_and_to(completed):
    coordinator = factories.coordinator()
    today = timezone.localdate()
    services.risk_action_correct_completion(
        actor=coordinator, action=completed, completed_on=completed.set_on, reason="Done the day of the panel"
    )
    completed.refresh_from_db()
    assert completed.completed_on == completed.set_on
    update = completed.updates.order_by("pk").last()
    assert update.written_by == coordinator
    assert update.text == (
        f"Completion date corrected from {today:%-d %B %Y} to {completed.set_on:%-d %B %Y}: Done the day of the panel"
    )
    assert update.state_after == RiskActionState.COMPLETED
    event = AuditEvent.objects.filter(object_id=str(completed.pk), details__field="completed_on").get()
    assert event.actor == coordinator and event.reason == "Done the day of the panel"
    assert event.details == {"field": "completed_on", "from": today.isoformat(), "to": completed.set_on.isoformat()}


def test_the_system_puts_an_action_right_without_an_author(completed):
    reopened = services.risk_action_reopen(actor=None, action=completed, reason="Reopened by the nightly import")
    assert reopened.updates.order_by("pk").last().written_by is None
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        done = services.risk_action_complete(actor=None, action=reopened, note="Checked")
        services.risk_action_correct_completion(
            actor=None, action=done, completed_on=done.set_on, reason="Fixed by the import"
        )
    assert done.updates.order_by("pk").last().text.startswith("Completion date corrected")
    assert done.updates.order_by("pk").last().written_by is None
