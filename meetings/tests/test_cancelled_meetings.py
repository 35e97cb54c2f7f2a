"""A cancelled meeting stays cancelled: it cannot be recorded as held, and nothing can be minuted at it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from mappa_workflow.exceptions import WorkflowError
from meetings import services
from meetings.models import Meeting, MeetingState
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_cancelled_meeting_cannot_be_recorded_as_held_even_once_its_time_has_come():
    meeting = factories.scheduled_meeting("level_2", registrations=[factories.registration_at_level(2)])
    services.meeting_cancel(actor=meeting.created_by, meeting=meeting, reason="Chair unavailable")

    with (
        time_machine.travel(meeting.starts_at + dt.timedelta(hours=1), tick=False),
        pytest.raises(WorkflowError) as refused,
    ):
        services.meeting_record_held(actor=meeting.created_by, meeting=Meeting.objects.get(pk=meeting.pk))
    assert "state" in refused.value.errors
    assert "cancelled" in " ".join(refused.value.errors["state"]).lower()
    assert Meeting.objects.get(pk=meeting.pk).state == MeetingState.CANCELLED
    assert timezone.now() < meeting.starts_at  # the clock is back where it was
