"""The transfer journey through the pages: Northamptonshire asks, Kent accepts and reads the handover pack,
Northamptonshire hands over. Kent then sees the pack and nothing else of Northamptonshire's records, and
Northamptonshire keeps its history, read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.models import AgencyType, Area
from meetings import services as meeting_services
from meetings.models import PlanHeading, RiskActionState
from referrals import services as referral_services
from referrals.models import LifeEventType
from tests import factories
from transfers.models import Transfer, TransferState

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

PLAN_TEXT = "Victim liaison officer to update the victim on licence conditions."
NORTH_ONLY = {
    "rationale": "Protective factors not yet in place",  # the last minutes: in the pack
    "action": "Check the curfew address each week",  # an open action: in the pack
    "event": "Order made at Northampton magistrates",  # a life event's details: not in the pack
    "disclosure": "Head teacher of Abington school",  # a disclosure decision: not in the pack
}


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


@pytest.fixture
def kent():
    return Area.objects.get(slug="kent")


@pytest.fixture
def case():
    registration = factories.registration_at_level(2)
    coordinator = factories.coordinator()
    referral_services.life_event_record(
        actor=coordinator,
        individual=registration.individual,
        event_type=LifeEventType.NOTIFICATION_ORDER_IMPOSED,
        occurred_on=timezone.localdate() - dt.timedelta(days=5),
        details=NORTH_ONLY["event"],
    )
    meeting = factories.held_meeting("level_2", registrations=[registration])
    minutes = meeting_services.case_minutes_record(
        actor=meeting.created_by, item=meeting.agenda_items.get(), minutes=factories.minutes_input()
    )
    meeting_services.disclosure_decision_record(
        actor=meeting.created_by,
        case_minutes=minutes,
        recipient=NORTH_ONLY["disclosure"],
        what_is_disclosed="The risk in general terms.",
        why="To protect pupils.",
        recipient_undertaking="Will not pass it on.",
        individual_told=True,
    )
    meeting_services.risk_action_create(
        actor=meeting.created_by,
        case_minutes=minutes,
        heading=PlanHeading.MONITORING_AND_CONTROL,
        description=NORTH_ONLY["action"],
        owning_agency=factories.agency(meeting.area, AgencyType.POLICE),
        officer_name="PC Synthetic",
        due_date=timezone.localdate() + dt.timedelta(days=10),
    )
    return registration


def _client(user) -> Client:
    return factories.verify_client(Client(), user)


def test_the_transfer_journey_and_what_each_area_sees(case, kent):
    north = _client(factories.coordinator())
    kent_coordinator = factories.coordinator(area=kent)
    kent_client = _client(kent_coordinator)
    person = case.individual
    today = timezone.localdate()

    case_page = north.get(reverse("web:case_detail", args=[person.pk])).content.decode()
    assert reverse("web:case_transfer", args=[person.pk]) in case_page

    # A request without an area names the field and writes nothing.
    url = reverse("web:case_transfer", args=[person.pk])
    response = north.post(url, {"reason": "Moving to Maidstone.", **_date("proposed_date", today)})
    assert response.status_code == 200 and "Select the area the case moves to" in response.content.decode()
    assert 'href="#id_receiving_area"' in response.content.decode()
    assert not Transfer.objects.exists()
    response = north.post(
        url, {"receiving_area": kent.pk, "reason": "Moving to Maidstone.", **_date("proposed_date", today)}
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and response.url == reverse("web:transfer_detail", args=[transfer.pk])

    # Kent sees the request (who, why, when) but not the pack until it accepts.
    assert transfer.reference in kent_client.get(reverse("web:transfer_list")).content.decode()
    detail = kent_client.get(reverse("web:transfer_detail", args=[transfer.pk])).content.decode()
    assert "Handover pack" not in detail and NORTH_ONLY["action"] not in detail
    response = kent_client.post(
        reverse("web:transfer_accept", args=[transfer.pk]),
        {"lead_agency": factories.agency(kent, AgencyType.PROBATION).pk, **_date("transfer_date", today)},
    )
    assert response.status_code == 302
    pack = kent_client.get(reverse("web:transfer_detail", args=[transfer.pk])).content.decode()
    for text in ("Handover pack", PLAN_TEXT, NORTH_ONLY["rationale"], NORTH_ONLY["action"], "Category 2, Level 2"):
        assert text in pack, text
    assert NORTH_ONLY["event"] not in pack and NORTH_ONLY["disclosure"] not in pack

    # Northamptonshire decides the open action and hands over; a missing decision names the action.
    complete = reverse("web:transfer_complete", args=[transfer.pk])
    response = north.post(complete, {})
    assert response.status_code == 200 and "moves or closes" in response.content.decode()
    action = case.risk_actions.get()
    response = north.post(
        complete, {f"action-{action.pk}": "moved", f"action-{action.pk}-reason": "Kent police to visit weekly."}
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.state == TransferState.COMPLETED

    # Kent: the case is theirs now, and its page shows nothing of Northamptonshire but the way to the pack.
    kent_case = kent_client.get(reverse("web:case_detail", args=[person.pk])).content.decode()
    assert "Managed at Level 2" in kent_case
    for text in NORTH_ONLY.values():
        assert text not in kent_case, text
    assert case.referrals.get().reference not in kent_case
    meeting = case.agenda_items.get().meeting
    for name, pk in (
        ("web:meeting_detail", meeting.pk),
        ("web:action_detail", action.pk),
        ("web:referral_detail", case.referrals.get().pk),
    ):
        assert kent_client.get(reverse(name, args=[pk])).status_code == 404, name
    api = Client(HTTP_AUTHORIZATION=f"Token {factories.api_token(kent_coordinator)}")
    for text in NORTH_ONLY.values():
        assert text not in api.get(f"/api/v1/individuals/{person.pk}/").content.decode()
    pack = kent_client.get(reverse("web:transfer_detail", args=[transfer.pk])).content.decode()
    assert NORTH_ONLY["action"] in pack and "Kent police to visit weekly." in pack

    # Northamptonshire keeps its history, read-only: the meeting and the closed action, no update form.
    assert north.get(reverse("web:case_detail", args=[person.pk])).status_code == 404
    assert north.get(reverse("web:meeting_detail", args=[meeting.pk])).status_code == 200
    action_page = north.get(reverse("web:action_detail", args=[action.pk])).content.decode()
    assert "Update this action" not in action_page
    action.refresh_from_db()
    assert action.state == RiskActionState.CLOSED_NOT_POSSIBLE
    history = north.get(reverse("web:transfer_detail", args=[transfer.pk])).content.decode()
    assert NORTH_ONLY["rationale"] in history and "read-only" in history


def test_other_roles_and_areas_never_see_a_transfer(case, kent):
    north = factories.coordinator()
    from transfers import services

    transfer = services.transfer_request(
        actor=north, registration=case, receiving_area=kent, reason="Moving.", proposed_date=timezone.localdate()
    )
    essex = Area.objects.get(slug="essex")
    for user in (
        factories.practitioner(AgencyType.POLICE),
        factories.practitioner(AgencyType.POLICE, area=kent),
        factories.smb_member(),
        factories.lay_adviser(area=kent),
        factories.coordinator(area=essex),
    ):
        client = _client(user)
        assert client.get(reverse("web:transfer_detail", args=[transfer.pk])).status_code in (403, 404)
        listing = client.get(reverse("web:transfer_list"))
        assert listing.status_code == 403 or transfer.reference not in listing.content.decode()
