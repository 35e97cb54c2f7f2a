"""The panel's decision to disclose to a third party (a new partner, a school, an employer), recorded with the case's
minutes: everything the guidance asks for is kept as entered, the audit trail says who decided it, for which area and
why; a decision missing any part is refused with the message shown against that field, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AuditAction, AuditEvent
from meetings import services
from meetings.models import CaseMinutes, DisclosureDecision, MeetingState
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def minutes() -> CaseMinutes:
    meeting = factories.held_meeting("level_2", registrations=[factories.registration_at_level(2)])
    return services.case_minutes_record(
        actor=meeting.created_by, item=meeting.agenda_items.get(), minutes=factories.minutes_input()
    )


def _decision(**overrides: Any) -> dict[str, Any]:
    return {
        "recipient": "  The new partner, Ms Example  ",
        "what_is_disclosed": " Convictions for offences against children ",
        "why": " She has two children under 10 living with her; the risk is to them ",
        "recipient_undertaking": " Will not pass the information on without the police's agreement ",
        "individual_told": True,
        **overrides,
    }


def _record(minutes: CaseMinutes, **overrides: Any) -> DisclosureDecision:
    minutes = CaseMinutes.objects.select_related("agenda_item__meeting").get(pk=minutes.pk)  # as the page loads it
    return services.disclosure_decision_record(
        actor=minutes.agenda_item.meeting.created_by, case_minutes=minutes, **_decision(**overrides)
    )


def test_the_decision_is_kept_as_entered_and_the_audit_trail_says_who_decided_it_and_why(minutes):
    disclosure = _record(minutes)
    disclosure.refresh_from_db()
    assert (
        disclosure.case_minutes,
        disclosure.recipient,
        disclosure.what_is_disclosed,
        disclosure.why,
        disclosure.recipient_undertaking,
        disclosure.individual_told,
        disclosure.why_individual_not_told,
    ) == (
        minutes,
        "The new partner, Ms Example",
        "Convictions for offences against children",
        "She has two children under 10 living with her; the risk is to them",
        "Will not pass the information on without the police's agreement",
        True,
        "",
    )
    meeting = minutes.agenda_item.meeting
    event = AuditEvent.objects.get(object_type=DisclosureDecision._meta.label, object_id=str(disclosure.pk))
    assert (event.actor, event.action, event.area_id, event.reason) == (
        meeting.created_by,
        AuditAction.CREATE,
        meeting.area_id,
        "She has two children under 10 living with her; the risk is to them",
    )


def test_when_the_individual_was_not_told_the_reason_is_kept_and_dropped_once_they_were(minutes):
    untold = _record(minutes, individual_told=False, why_individual_not_told=" Telling him would put her at risk ")
    told = _record(minutes, individual_told=True, why_individual_not_told="A reason left over from the form")
    untold.refresh_from_db()
    told.refresh_from_db()
    assert (untold.individual_told, untold.why_individual_not_told) == (False, "Telling him would put her at risk")
    assert (told.individual_told, told.why_individual_not_told) == (True, "")


REFUSALS = [
    ({"recipient": "  "}, "recipient", "Enter who the information is disclosed to"),
    ({"what_is_disclosed": ""}, "what_is_disclosed", "Enter what is disclosed"),
    ({"why": None}, "why", "Enter why disclosure is necessary, lawful and proportionate"),
    ({"recipient_undertaking": "\n"}, "recipient_undertaking", "Enter the recipient's undertaking"),
    ({"individual_told": None}, "individual_told", "Say whether the individual was told about the disclosure"),
    (
        {"individual_told": False, "why_individual_not_told": " "},
        "why_individual_not_told",
        "Enter why the individual was not told",
    ),
]


@pytest.mark.parametrize(("overrides", "field", "message"), REFUSALS, ids=[r[1] for r in REFUSALS])
def test_a_decision_missing_a_part_is_refused_against_that_field_and_nothing_is_written(
    minutes, overrides, field, message
):
    with pytest.raises(WorkflowError) as refused:
        _record(minutes, **overrides)
    assert refused.value.errors == {field: [message]}
    assert not DisclosureDecision.objects.exists()
    assert not AuditEvent.objects.filter(object_type=DisclosureDecision._meta.label).exists()


def test_once_the_minutes_are_approved_a_disclosure_can_no_longer_be_added_to_them(minutes):
    meeting = minutes.agenda_item.meeting
    factories.full_attendance(meeting)
    drafted = services.meeting_draft_minutes(actor=meeting.created_by, meeting=meeting)
    _record(minutes)  # still possible while the minutes are drafted
    services.meeting_approve_minutes(actor=meeting.created_by, meeting=drafted, confirm_attendance_gaps=True)
    with pytest.raises(WorkflowError) as refused:
        _record(minutes, recipient="The school's designated safeguarding lead")
    approved = MeetingState.MINUTES_APPROVED.label.lower()
    assert refused.value.errors == {
        "state": [f"You cannot record a disclosure decision because the meeting is {approved}"]
    }
    assert list(DisclosureDecision.objects.values_list("recipient", flat=True)) == ["The new partner, Ms Example"]
