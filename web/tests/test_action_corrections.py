"""An action cannot be completed before the day it was set; a finished action can be reopened, or its
completion date corrected, with a reason that is logged and audited; the action page links to its case
and to the meeting that set it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.models import AgencyType, AuditEvent
from meetings.models import RiskActionState
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


@pytest.fixture
def action():
    return factories.risk_action(AgencyType.POLICE)  # set at a panel held yesterday


def test_an_action_cannot_be_completed_before_the_day_it_was_set(signed_in, action):
    client = signed_in(factories.coordinator())
    url = reverse("web:action_detail", args=[action.pk])
    set_on = timezone.localdate() - dt.timedelta(days=1)
    early = {"outcome": "completed", "text": "Visited", **_date("completed_on", set_on - dt.timedelta(days=1))}
    page = client.post(url, early).content.decode()
    assert f"The completion date cannot be before the action was set, on {set_on:%-d %B %Y}" in page
    action.refresh_from_db()
    assert action.state == RiskActionState.OPEN

    on_time = {"outcome": "completed", "text": "Visited", **_date("completed_on", set_on)}
    assert client.post(url, on_time).status_code == 302
    action.refresh_from_db()
    assert action.state == RiskActionState.COMPLETED and action.completed_on == set_on


def _completed(client, action):
    url = reverse("web:action_detail", args=[action.pk])
    client.post(url, {"outcome": "completed", "text": "Curfew address checked"})
    action.refresh_from_db()
    assert action.state == RiskActionState.COMPLETED
    return url


def test_a_completed_action_is_reopened_with_a_reason_that_is_logged_and_audited(signed_in, action):
    client = signed_in(factories.practitioner(AgencyType.POLICE))  # the owning agency
    url = _completed(client, action)
    page = client.get(url).content.decode()
    assert "Put this action right" in page

    no_reason = client.post(url, {"change": "reopen", "reason": ""}).content.decode()
    assert 'href="#id_reason">Enter the reason' in no_reason
    assert client.post(url, {"change": "reopen", "reason": "The equipment failed again"}).status_code == 302
    action.refresh_from_db()
    assert action.state == RiskActionState.IN_PROGRESS and action.completed_on is None
    assert "Reopened: The equipment failed again" in client.get(url).content.decode()
    event = AuditEvent.objects.filter(object_id=str(action.pk), transition="reopen").get()
    assert event.reason == "The equipment failed again"


def test_a_completion_date_is_corrected_with_a_reason_but_never_to_before_the_action_was_set(signed_in, action):
    client = signed_in(factories.coordinator())
    url = _completed(client, action)
    set_on = timezone.localdate() - dt.timedelta(days=1)
    too_early = {
        "change": "correct_date",
        "reason": "Typed the wrong day",
        **_date("completed_on", set_on - dt.timedelta(days=3)),
    }
    assert "cannot be before the action was set" in client.post(url, too_early).content.decode()
    action.refresh_from_db()
    assert action.completed_on == timezone.localdate()

    fixed = {"change": "correct_date", "reason": "Done the day of the panel", **_date("completed_on", set_on)}
    assert client.post(url, fixed).status_code == 302
    action.refresh_from_db()
    assert action.completed_on == set_on and action.state == RiskActionState.COMPLETED
    event = AuditEvent.objects.filter(object_id=str(action.pk), details__field="completed_on").get()
    assert event.reason == "Done the day of the panel" and event.details["to"] == set_on.isoformat()
    assert f"Completion date corrected from {timezone.localdate():%-d %B %Y} to {set_on:%-d %B %Y}" in (
        client.get(url).content.decode()
    )


def test_another_agency_cannot_reopen_an_action(signed_in, action):
    _completed(signed_in(factories.coordinator()), action)
    other = signed_in(factories.practitioner(AgencyType.PROBATION))
    url = reverse("web:action_detail", args=[action.pk])
    response = other.post(url, {"change": "reopen", "reason": "Not mine"})
    assert response.status_code in (403, 404)
    action.refresh_from_db()
    assert action.state == RiskActionState.COMPLETED


def test_the_action_page_links_to_its_case_and_the_meeting_that_set_it(signed_in, action):
    page = signed_in(factories.coordinator()).get(reverse("web:action_detail", args=[action.pk])).content.decode()
    meeting = action.case_minutes.agenda_item.meeting
    assert f'href="{reverse("web:case_detail", args=[action.registration.individual_id])}"' in page
    assert f'href="{reverse("web:meeting_detail", args=[meeting.pk])}"' in page
