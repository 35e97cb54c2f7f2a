"""Third-party notifications and requests to share minutes: recorded with the chapter 10 tests, acknowledged,
shown on the case page, audited; minutes shared onward only with the chair's decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, AuditEvent
from notifications.models import MessageKind, OutboxMessage
from release_planning import services
from release_planning.models import SharingRequest, ThirdPartyNotification
from tests import factories

pytestmark = pytest.mark.django_db

ANSWERS = {
    "recipient_type": "housing",
    "recipient": "North Northamptonshire housing options (synthetic)",
    "what_was_shared": "That the person may not live where children under 16 live",
    "why_necessary": "The proposed address is in a block with a family housed by the council",
    "lawful_basis": "Duty to co-operate, Criminal Justice Act 2003 s.325",
    "why_proportionate": "Only the restriction is shared, not the offence",
    "recipient_undertaking": "Used only to allocate the address; not passed on",
}


@pytest.fixture
def case():
    probation = factories.practitioner(AgencyType.PROBATION)
    registration = factories.registration_at_level(2, referrer=probation)
    return {"probation": probation, "individual": registration.individual, "registration": registration}


def test_a_notification_records_who_what_why_and_whether_the_person_was_told(case, client):
    notification = services.third_party_notification_record(
        actor=case["probation"],
        individual=case["individual"],
        sent_on=timezone.localdate(),
        individual_told=False,
        why_individual_not_told="Telling him would alert him to the family's address",
        **ANSWERS,
    )
    assert notification.sent_by_agency == case["probation"].agency
    assert AuditEvent.objects.filter(object_id=str(notification.pk), action="create").exists()
    factories.verify_client(client, case["probation"])
    page = client.get(reverse("web:case_detail", args=[case["individual"].pk])).content.decode()
    assert "North Northamptonshire housing options (synthetic)" in page
    assert "Telling him would alert him" in page

    services.third_party_notification_acknowledge(
        actor=case["probation"], notification=notification, acknowledged_on=timezone.localdate()
    )
    notification.refresh_from_db()
    assert notification.state == "acknowledged"


def test_every_test_of_chapter_10_must_be_answered_and_nothing_is_saved_otherwise(case):
    with pytest.raises(WorkflowError) as refused:
        services.third_party_notification_record(
            actor=case["probation"],
            individual=case["individual"],
            sent_on=timezone.localdate() + dt.timedelta(days=1),
            individual_told=False,
            **{**ANSWERS, "lawful_basis": " ", "why_proportionate": ""},
        )
    assert {"lawful_basis", "why_proportionate", "why_individual_not_told", "sent_on"} <= set(refused.value.errors)
    assert not ThirdPartyNotification.objects.exists()


def test_an_agency_that_cannot_see_the_person_cannot_record_for_them(case):
    with pytest.raises(NotPermitted):
        services.third_party_notification_record(
            actor=factories.practitioner(AgencyType.HOUSING),
            individual=case["individual"],
            sent_on=timezone.localdate(),
            individual_told=True,
            **ANSWERS,
        )


def _minutes_item(case):
    coordinator = factories.coordinator()
    chair = factories.chair(email="chair@example.invalid")
    meeting = factories.held_meeting(chair_user=chair, actor=coordinator, registrations=[case["registration"]])
    item = meeting.agenda_items.get()
    from meetings import services as meeting_services

    factories.full_attendance(meeting)
    meeting_services.case_minutes_record(actor=coordinator, item=item, minutes=factories.minutes_input())
    return item, chair, coordinator


def test_minutes_are_shared_onward_only_with_the_chairs_decision(case):
    item, chair, coordinator = _minutes_item(case)
    request = services.sharing_request_record(
        actor=coordinator,
        agenda_item=item,
        requested_by="Solicitor for a family court party (synthetic)",
        purpose="Care proceedings about the children of the new partner",
    )
    told = OutboxMessage.objects.filter(kind=MessageKind.SHARING_REQUEST, recipient_email="chair@example.invalid")
    assert told.count() == 1 and case["individual"].family_name not in told.get().body_text
    with pytest.raises(NotPermitted):
        services.sharing_request_decide(actor=coordinator, request=request, outcome="agreed_in_full", reason="Yes")
    request = services.sharing_request_decide(
        actor=chair, request=request, outcome="agreed_summary", reason="The court needs the decisions, not the detail"
    )
    assert request.state == "agreed_summary" and request.decided_by == chair
    assert OutboxMessage.objects.filter(
        kind=MessageKind.SHARING_REQUEST, recipient_email=coordinator.email, subject__contains="executive summary"
    ).exists()
    with pytest.raises(WorkflowError):
        services.sharing_request_decide(actor=chair, request=request, outcome="refused", reason="Changed my mind")


def test_a_request_needs_who_asked_and_why(case):
    item, _, coordinator = _minutes_item(case)
    with pytest.raises(WorkflowError) as refused:
        services.sharing_request_record(actor=coordinator, agenda_item=item, requested_by="", purpose="x")
    assert "requested_by" in refused.value.errors
    assert not SharingRequest.objects.exists()
    assert not OutboxMessage.objects.filter(kind=MessageKind.SHARING_REQUEST).exists()
