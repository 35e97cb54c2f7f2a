"""Risk management actions: the owning agency works them through, and whatever is unfinished
comes back to the case's next meeting for review."""

import datetime as dt

import pytest
from django.utils import timezone

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType
from meetings import services
from meetings.models import RiskActionState
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def _meeting_with_actions(registration, count=2, days_ago=1):
    meeting = factories.held_meeting("level_2", days_ago=days_ago, registrations=[registration])
    factories.full_attendance(meeting)
    minutes = services.case_minutes_record(
        actor=meeting.created_by, item=meeting.agenda_items.get(), minutes=factories.minutes_input()
    )
    actions = [
        services.risk_action_create(
            actor=meeting.created_by,
            case_minutes=minutes,
            heading=heading,
            description=f"Action {n}",
            owning_agency=factories.agency(meeting.area, AgencyType.POLICE),
            officer_name="DC Synthetic",
            due_date=timezone.localdate() + dt.timedelta(days=7),
        )
        for n, heading in enumerate(["supervision", "victim_safety_planning", "contingency"][:count])
    ]
    return meeting, actions


def test_the_owning_agency_starts_and_completes_an_action_with_an_update_log():
    _, (action, _) = _meeting_with_actions(factories.registration_at_level(2))
    officer = factories.practitioner(AgencyType.POLICE)
    action = services.risk_action_start(actor=officer, action=action, note="Home visit booked")
    services.risk_action_add_update(actor=officer, action=action, text="Visit done; address confirmed")
    action = services.risk_action_complete(actor=officer, action=action, note="Exclusion zone in force")
    assert (action.state, action.completed_on) == (RiskActionState.COMPLETED, timezone.localdate())
    assert [(u.text, u.state_after) for u in action.updates.all()] == [
        ("Home visit booked", RiskActionState.IN_PROGRESS),
        ("Visit done; address confirmed", RiskActionState.IN_PROGRESS),
        ("Exclusion zone in force", RiskActionState.COMPLETED),
    ]


def test_another_agency_cannot_update_an_action_it_does_not_own():
    _, (action, _) = _meeting_with_actions(factories.registration_at_level(2))
    with pytest.raises(NotPermitted):
        services.risk_action_start(actor=factories.practitioner(AgencyType.HOUSING), action=action)


@pytest.mark.parametrize(
    "outcome", [RiskActionState.CLOSED_NOT_POSSIBLE, RiskActionState.CLOSED_NOT_DONE], ids=["not_possible", "not_done"]
)
def test_an_unfinished_action_is_closed_with_its_reason(outcome):
    _, (action, _) = _meeting_with_actions(factories.registration_at_level(2))
    closed = services.risk_action_close(
        actor=factories.coordinator(), action=action, outcome=outcome, reason="Moved out"
    )
    assert (closed.state, closed.closed_reason) == (outcome, "Moved out")
    with pytest.raises(WorkflowError) as error:
        services.risk_action_complete(actor=factories.coordinator(), action=closed, note="Done after all")
    assert "state" in error.value.errors


def test_unfinished_actions_come_onto_the_cases_next_meeting_for_review():
    registration = factories.registration_at_level(2)
    first, (done, unfinished, started) = _meeting_with_actions(registration, count=3)
    coordinator = first.created_by
    services.risk_action_complete(actor=coordinator, action=done, note="Done")
    services.risk_action_start(actor=coordinator, action=started)
    follow_up = factories.scheduled_meeting("level_2", registrations=[registration])
    assert set(follow_up.agenda_items.get().actions_to_review.all()) == {unfinished, started}

    # A meeting already booked when the minutes are approved gets what is still unfinished then.
    other = factories.registration_at_level(2)
    second, (still_open, closed, completed) = _meeting_with_actions(other, count=3, days_ago=2)
    booked = factories.scheduled_meeting(
        "level_2", registrations=[other], starts_at=timezone.now() + dt.timedelta(days=9)
    )
    services.risk_action_close(actor=coordinator, action=closed, outcome="closed_not_done", reason="No capacity")
    services.risk_action_complete(actor=coordinator, action=completed, note="Done")
    second = services.meeting_draft_minutes(actor=coordinator, meeting=second)
    services.meeting_approve_minutes(actor=coordinator, meeting=second)
    # Closed without being done still comes back once, so the panel hears the reason.
    assert set(booked.agenda_items.get().actions_to_review.all()) >= {still_open, closed}
    assert completed not in booked.agenda_items.get().actions_to_review.all()
