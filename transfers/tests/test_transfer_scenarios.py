"""A case moves from Northamptonshire to Kent: request, accept with a date, the handover pack, the open
actions moved or closed, the two registrations, the statistics of both areas, and every refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, Area, AuditEvent
from meetings import services as meeting_services
from meetings.models import PlanHeading, RiskAction, RiskActionState
from notifications.models import MessageKind, OutboxMessage
from referrals import services as referral_services
from referrals.models import ExitReason, LifeEvent, LifeEventType, Location, RegistrationStatus
from reporting.statistics import compute_annual_report, current_reporting_year
from tests import factories
from transfers import selectors, services
from transfers.models import ActionOutcome, Transfer, TransferState

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


@pytest.fixture
def kent():
    return Area.objects.get(slug="kent")


@pytest.fixture
def case():
    """A Northamptonshire Level 2 case registered about two and a half years ago, recalled to custody and
    released since, discussed at a panel yesterday that set two actions."""
    today = timezone.localdate()
    registration = factories.registration_at_level(2, decided_on=today - dt.timedelta(days=900))
    coordinator = factories.coordinator()
    referral_services.life_event_record(
        actor=coordinator,
        individual=registration.individual,
        event_type=LifeEventType.RETURNED_TO_CUSTODY_LICENCE,
        occurred_on=today - dt.timedelta(days=500),
    )
    referral_services.life_event_record(
        actor=coordinator,
        individual=registration.individual,
        event_type=LifeEventType.RELEASED,
        occurred_on=today - dt.timedelta(days=300),
    )
    meeting = factories.held_meeting("level_2", registrations=[registration])
    minutes = meeting_services.case_minutes_record(
        actor=meeting.created_by, item=meeting.agenda_items.get(), minutes=factories.minutes_input()
    )
    for agency_type, text in (
        (AgencyType.POLICE, "Home visit at the new address"),
        (AgencyType.HOUSING, "Tenancy check"),
    ):
        meeting_services.risk_action_create(
            actor=meeting.created_by,
            case_minutes=minutes,
            heading=PlanHeading.MONITORING_AND_CONTROL,
            description=text,
            owning_agency=factories.agency(meeting.area, agency_type),
            officer_name="Officer Synthetic",
            due_date=today + dt.timedelta(days=10),
        )
    registration.refresh_from_db()
    return registration


def _tables(area, year):
    return {
        t.key: t.cell_values() for t in compute_annual_report(areas=area, year=year, suppression_threshold=0).tables
    }


def _request(case, kent, **overrides):
    values = {
        "actor": factories.coordinator(),
        "registration": case,
        "receiving_area": kent,
        "reason": "Moving to live with his sister in Maidstone.",
        "proposed_date": timezone.localdate(),
    }
    return services.transfer_request(**{**values, **overrides})


def test_a_case_moves_to_kent_and_each_area_keeps_counting_what_it_managed(case, kent):
    north = case.area
    today = timezone.localdate()
    this_year = current_reporting_year(today)
    years = [this_year - 3, this_year - 2, this_year - 1]
    before = {(area.slug, year): _tables(area, year) for area in (north, kent) for year in years}

    kent_coordinator = factories.coordinator(area=kent)
    transfer = _request(case, kent)
    assert transfer.state == TransferState.REQUESTED
    # Both areas' co-ordinators hear of it; the message names no one.
    messages = OutboxMessage.objects.filter(kind=MessageKind.TRANSFER_UPDATE, payload__change="requested")
    assert kent_coordinator.email in {m.recipient_email for m in messages}
    assert all(case.individual.family_name not in m.body_text + m.subject for m in messages)

    transfer = services.transfer_accept(
        actor=kent_coordinator,
        transfer=transfer,
        transfer_date=today,
        lead_agency=factories.agency(kent, AgencyType.PROBATION),
    )
    pack = selectors.handover_pack(transfer)
    assert [p.location for p in pack.periods] == [Location.COMMUNITY, Location.CUSTODY, Location.COMMUNITY]
    assert pack.last_minutes is not None and pack.last_minutes.rmp_victim_safety_planning
    assert sorted(a.description for a in pack.open_actions) == ["Home visit at the new address", "Tenancy check"]

    home_visit, tenancy = sorted(pack.open_actions, key=lambda a: a.description)
    decisions = {
        str(home_visit.pk): services.ActionDecision(ActionOutcome.MOVED, "Kent police to visit the new address."),
        str(tenancy.pk): services.ActionDecision(ActionOutcome.CLOSED, "Tenancy ends with the move."),
    }
    transfer = services.transfer_complete(actor=transfer.requested_by, transfer=transfer, actions=decisions)

    assert transfer.state == TransferState.COMPLETED
    case.refresh_from_db()
    assert case.status == RegistrationStatus.EXITED
    assert case.exit_reason == ExitReason.TRANSFERRED_OUT and case.ended_on == today
    arrived = transfer.new_registration
    assert arrived.area == kent and arrived.status == RegistrationStatus.LEVEL_2 and arrived.started_on == today
    assert arrived.periods.get().lead_agency == factories.agency(kent, AgencyType.PROBATION)
    # The sending area's actions are closed there with the reason; the moved one is in the pack for Kent.
    for action in RiskAction.objects.filter(registration=case):
        assert action.state == RiskActionState.CLOSED_NOT_POSSIBLE and transfer.reference in action.closed_reason
    pack = selectors.handover_pack(transfer)
    assert [t.action.description for t in pack.moved_actions] == ["Home visit at the new address"]
    assert [t.reason for t in pack.closed_actions] == ["Tenancy ends with the move."]
    assert set(LifeEvent.objects.filter(individual=case.individual).values_list("event_type", "area__slug")) >= {
        (LifeEventType.TRANSFERRED_OUT, "northamptonshire"),
        (LifeEventType.TRANSFERRED_IN, "kent"),
    }
    transitions = AuditEvent.objects.filter(object_type="transfers.Transfer", object_id=str(transfer.pk))
    assert list(transitions.values_list("transition", flat=True)) == ["", "accept", "complete"]

    # The years before the transfer: both areas' tables are exactly as they were.
    for (slug, year), tables in before.items():
        assert _tables(Area.objects.get(slug=slug), year) == tables, (slug, year)
    # This year the person is counted by Kent on 31 March (the snapshot), and by both in the yearly
    # Level 2/3 totals; once in the combined table.
    both = compute_annual_report(areas=[north, kent], year=this_year, suppression_threshold=0)
    yearly = next(t for t in both.tables if t.key == "level_2_3_yearly")
    north_yearly = next(
        t for t in compute_annual_report(areas=north, year=this_year).tables if t.key == "level_2_3_yearly"
    )
    kent_yearly = next(
        t for t in compute_annual_report(areas=kent, year=this_year).tables if t.key == "level_2_3_yearly"
    )
    total = ("total", "total")
    north_total, combined = north_yearly.cell_values()[total], yearly.cell_values()[total]
    assert kent_yearly.cell_values()[total] == 1
    if today == dt.date(this_year, 4, 1):
        # Moved on the year's first day: periods are half-open, so Northamptonshire's ended before the
        # year began and only Kent counts the person this year.
        assert north_total == 0 and combined == 1
    else:
        assert north_total >= 1 and combined == north_total


def test_the_receiving_area_reads_the_pack_only_once_it_accepts(case, kent):
    from need_to_know import permissions

    transfer = _request(case, kent)
    kent_coordinator, kent_chair = factories.coordinator(area=kent), factories.chair(area=kent)
    kent_police = factories.practitioner(AgencyType.POLICE, area=kent)
    assert permissions.has_perm(kent_coordinator, "transfers.view_transfer", transfer)
    assert not permissions.has_perm(kent_coordinator, "transfers.view_handover_pack", transfer)
    assert not permissions.has_perm(kent_police, "transfers.view_transfer", transfer)
    services.transfer_accept(
        actor=kent_coordinator,
        transfer=transfer,
        transfer_date=timezone.localdate(),
        lead_agency=factories.agency(kent, AgencyType.POLICE),
    )
    transfer.refresh_from_db()
    assert permissions.has_perm(kent_coordinator, "transfers.view_handover_pack", transfer)
    assert permissions.has_perm(kent_chair, "transfers.view_handover_pack", transfer)
    for outsider in (
        kent_police,
        factories.smb_member(area=kent),
        factories.coordinator(area=Area.objects.get(slug="essex")),
    ):
        assert not permissions.has_perm(outsider, "transfers.view_handover_pack", transfer)
        assert transfer not in selectors.visible_transfers(outsider)


def test_only_the_right_co_ordinators_move_a_transfer_on(case, kent):
    transfer = _request(case, kent)
    north_coordinator = factories.coordinator()
    with pytest.raises(NotPermitted):  # the sending area cannot accept its own request
        services.transfer_accept(
            actor=north_coordinator,
            transfer=transfer,
            transfer_date=timezone.localdate(),
            lead_agency=factories.agency(kent, AgencyType.POLICE),
        )
    with pytest.raises(NotPermitted):  # nor the receiving area withdraw it
        services.transfer_withdraw(actor=factories.coordinator(area=kent), transfer=transfer, reason="No")
    with pytest.raises(NotPermitted):  # a practitioner of the sending area cannot ask for one
        _request(case, kent, actor=factories.practitioner(AgencyType.PROBATION))


def test_bad_requests_name_the_field_and_change_nothing(case, kent):
    with pytest.raises(WorkflowError) as exc:
        _request(case, case.area)
    assert "receiving_area" in exc.value.errors
    with pytest.raises(WorkflowError) as exc:
        _request(case, kent, reason="  ")
    assert "reason" in exc.value.errors
    assert not Transfer.objects.exists()
    _request(case, kent)
    with pytest.raises(WorkflowError) as exc:
        _request(case, kent)
    assert "registration" in exc.value.errors
    assert Transfer.objects.count() == 1


def test_a_transfer_completes_only_on_its_date_and_with_every_open_action_decided(case, kent):
    transfer = _request(case, kent)
    transfer = services.transfer_accept(
        actor=factories.coordinator(area=kent),
        transfer=transfer,
        transfer_date=timezone.localdate() + dt.timedelta(days=7),
        lead_agency=factories.agency(kent, AgencyType.POLICE),
    )
    with pytest.raises(WorkflowError) as exc:
        services.transfer_complete(actor=transfer.requested_by, transfer=transfer, actions={})
    assert "state" in exc.value.errors
    Transfer.objects.filter(pk=transfer.pk).update(transfer_date=timezone.localdate())
    transfer.refresh_from_db()
    with pytest.raises(WorkflowError) as exc:
        services.transfer_complete(actor=transfer.requested_by, transfer=transfer, actions={})
    assert len(exc.value.errors) == 2  # one per open action
    case.refresh_from_db()
    assert case.status == RegistrationStatus.LEVEL_2
    assert RiskAction.objects.filter(registration=case).unfinished().count() == 2


def test_declined_and_withdrawn_transfers_keep_their_reason_and_free_the_case(case, kent):
    transfer = _request(case, kent)
    transfer = services.transfer_decline(
        actor=factories.coordinator(area=kent), transfer=transfer, reason="He is moving to Essex, not Kent."
    )
    assert transfer.state == TransferState.DECLINED and transfer.closing_reason.startswith("He is moving")
    again = _request(case, Area.objects.get(slug="essex"))
    again = services.transfer_withdraw(actor=again.requested_by, transfer=again, reason="The move fell through.")
    assert again.state == TransferState.WITHDRAWN
    with pytest.raises(WorkflowError):
        services.transfer_withdraw(actor=again.requested_by, transfer=again, reason="Twice")
