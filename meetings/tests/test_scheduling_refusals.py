"""A co-ordinator's change to a scheduled panel that cannot be made is refused with a message naming the field the
page shows it against, and changes nothing: not the meeting, its agenda, its invitations or the audit trail."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AgencyType, AuditEvent
from meetings import services
from meetings.models import AgendaItem, Invitation, Meeting
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel():
    return factories.scheduled_meeting("level_2", registrations=[factories.registration_at_level(2)])


@pytest.fixture
def elsewhere():
    """A case on another panel's agenda."""
    return factories.scheduled_meeting("level_3", registrations=[factories.registration_at_level(3)]).agenda_items.get()


def _state(meeting) -> tuple:
    meeting.refresh_from_db()
    return (
        meeting.state,
        meeting.starts_at,
        meeting.venue,
        meeting.video_link,
        meeting.ics_sequence,
        sorted(AgendaItem.objects.filter(meeting=meeting).values_list("pk", flat=True)),
        sorted(Invitation.objects.filter(meeting=meeting).values_list("agency_id", "reason")),
        AuditEvent.objects.count(),
    )


REFUSALS: dict[str, tuple[Callable, str, str]] = {
    "adding no cases": (
        lambda c, m, _: services.meeting_add_cases(actor=c, meeting=m, registrations=[], referrals=[]),
        "registrations",
        "Select at least one case to add",
    ),
    "taking a case off without a reason": (
        lambda c, m, _: services.meeting_remove_case(actor=c, meeting=m, item=m.agenda_items.get(), reason=" "),
        "reason",
        "Enter the reason for taking the case off the agenda",
    ),
    "taking off a case of another meeting": (
        lambda c, m, other: services.meeting_remove_case(actor=c, meeting=m, item=other, reason="Wrong panel"),
        "agenda_item",
        "That case is not on this meeting's agenda",
    ),
    "leaving neither venue nor video link": (
        lambda c, m, _: services.meeting_update_arrangements(actor=c, meeting=m, venue="", video_link=""),
        "venue",
        "Enter a venue or a video link",
    ),
    "rescheduling without a reason": (
        lambda c, m, _: services.meeting_reschedule(actor=c, meeting=m, starts_at=m.starts_at, reason=""),
        "reason",
        "Enter the reason for rescheduling",
    ),
    "rescheduling to the same time": (
        lambda c, m, _: services.meeting_reschedule(
            actor=c, meeting=m, starts_at=m.starts_at, reason="Room double-booked"
        ),
        "starts_at",
        "Choose a different date or time from the current one",
    ),
    "cancelling without a reason": (
        lambda c, m, _: services.meeting_cancel(actor=c, meeting=m, reason=""),
        "reason",
        "Enter the reason for cancelling the meeting",
    ),
}


@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_change_that_cannot_be_made_names_its_field_and_changes_nothing(panel, elsewhere, refusal):
    call, field, message = REFUSALS[refusal]
    coordinator = factories.coordinator()
    before = _state(panel)
    with pytest.raises(WorkflowError) as refused:
        call(coordinator, panel, elsewhere)
    assert refused.value.errors == {field: [message]}
    assert _state(panel) == before


def test_inviting_an_agency_twice_says_why_it_was_invited_the_first_time(panel):
    coordinator = factories.coordinator()
    housing = factories.agency(panel.area, AgencyType.DWP)  # not a core panel agency
    invitation = services.meeting_invite_agency(actor=coordinator, meeting=panel, agency=housing, reason="Tenancy")
    assert (invitation.agency, invitation.meeting_id) == (housing, panel.pk)
    event = AuditEvent.objects.filter(object_id=str(panel.pk), details__invited_agency=housing.pk).get()
    assert event.actor == coordinator
    before = _state(panel)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_invite_agency(actor=coordinator, meeting=panel, agency=housing, reason="Again")
    assert refused.value.errors == {"agency": [f"{housing} is already invited ({invitation.reason})"]}
    assert _state(panel) == before


def test_a_new_venue_is_saved_audited_and_raises_the_invitations_sequence(panel):
    before = _state(panel)
    services.meeting_update_arrangements(actor=factories.coordinator(), meeting=panel, venue="  Wootton Hall, room 2 ")
    after = _state(panel)
    assert after[2] == "Wootton Hall, room 2"
    assert after[4] > before[4]
    event = AuditEvent.objects.filter(object_id=str(panel.pk)).latest("pk")
    assert event.details == {"fields": ["venue"]}
    assert Meeting.objects.get(pk=panel.pk).venue == "Wootton Hall, room 2"
