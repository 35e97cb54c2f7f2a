"""A co-ordinator inviting one more agency to a panel, and recording a panel as held: what they are told when it
cannot be done (against the field the page shows it by), and what the invitation keeps when it can."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AgencyType, Area, AuditEvent
from meetings import services
from meetings.models import Invitation, Meeting, MeetingState
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel():
    return factories.scheduled_meeting("level_2", registrations=[factories.registration_at_level(2)])


def _invitations(meeting) -> list:
    return sorted(Invitation.objects.filter(meeting=meeting).values_list("agency_id", "reason"))


def test_inviting_without_choosing_an_agency_asks_for_one(panel):
    before = (_invitations(panel), AuditEvent.objects.count())
    with pytest.raises(WorkflowError) as refused:
        services.meeting_invite_agency(actor=factories.coordinator(), meeting=panel, agency=None, reason="Tenancy")
    assert refused.value.errors == {"agency": ["Select the agency to invite"]}
    assert (_invitations(panel), AuditEvent.objects.count()) == before


def test_another_areas_agency_cannot_be_invited_and_the_message_names_both(panel):
    kent = Area.objects.get(slug="kent")
    kent_housing = factories.agency(kent, AgencyType.HOUSING)
    before = (_invitations(panel), AuditEvent.objects.count())
    with pytest.raises(WorkflowError) as refused:
        services.meeting_invite_agency(
            actor=factories.coordinator(), meeting=panel, agency=kent_housing, reason="Tenancy"
        )
    assert refused.value.errors == {"agency": [f"{kent_housing} is not an agency of {panel.area}"]}
    assert (_invitations(panel), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("reason", ["", "  "])
def test_inviting_an_agency_without_saying_why_is_refused_against_the_reason(panel, reason):
    dwp = factories.agency(panel.area, AgencyType.DWP)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_invite_agency(actor=factories.coordinator(), meeting=panel, agency=dwp, reason=reason)
    assert refused.value.errors == {"reason": ["Enter why the agency is invited to this meeting"]}
    assert not Invitation.objects.filter(meeting=panel, agency=dwp).exists()


def test_a_long_reason_is_kept_to_the_two_hundred_characters_the_invitation_holds(panel):
    dwp = factories.agency(panel.area, AgencyType.DWP)
    invitation = services.meeting_invite_agency(
        actor=factories.coordinator(), meeting=panel, agency=dwp, reason="Benefit sanctions. " * 20
    )
    stored = Invitation.objects.get(pk=invitation.pk).reason
    assert stored.startswith("Added by the co-ordinator: Benefit sanctions. ")
    assert len(stored) == 200


def test_a_panel_cannot_be_recorded_as_held_before_it_starts_and_says_when_it_does(panel):
    starts = timezone.make_aware(dt.datetime(2027, 3, 28, 10, 0))  # the Sunday the clocks go forward
    panel.starts_at = starts
    panel.ends_at = starts + dt.timedelta(hours=2)
    panel.save(update_fields=["starts_at", "ends_at"])
    with time_machine.travel(starts - dt.timedelta(minutes=1), tick=False), pytest.raises(WorkflowError) as refused:
        services.meeting_record_held(actor=factories.coordinator(), meeting=panel)
    assert refused.value.errors == {"state": ["The meeting has not started yet: it starts at 28 March 2027 10:00"]}
    panel.refresh_from_db()
    assert panel.state == MeetingState.SCHEDULED


def test_a_panel_moved_later_since_the_page_was_loaded_cannot_be_recorded_as_held(panel):
    coordinator = factories.coordinator()
    started = timezone.now() - dt.timedelta(hours=1)
    Meeting.objects.filter(pk=panel.pk).update(starts_at=started, ends_at=started + dt.timedelta(hours=2))
    page_copy = Meeting.objects.get(pk=panel.pk)  # loaded while the meeting had started
    moved_to = (timezone.localtime() + dt.timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    Meeting.objects.filter(pk=panel.pk).update(starts_at=moved_to, ends_at=moved_to + dt.timedelta(hours=2))
    with pytest.raises(WorkflowError) as refused:
        services.meeting_record_held(actor=coordinator, meeting=page_copy)
    assert refused.value.errors == {
        "state": [f"The meeting has not started yet: it starts at {moved_to:%-d %B %Y} 10:00"]
    }
    assert Meeting.objects.get(pk=panel.pk).state == MeetingState.SCHEDULED
