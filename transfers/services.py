"""Every change to a transfer: request, accept, decline, withdraw, complete.

Each is one transaction: the transfer row is locked and its state checked, the django-fsm
transition runs, the row is saved, an audit row is written, and both areas' co-ordinators are
told through the outbox (emails that carry a link and the transfer's reference, never a name).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from mappa_workflow.audit import audit_record
from mappa_workflow.changes import announce
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, Area, AuditAction, User
from mappa_workflow.services_base import apply_transition, lock_for_change, require_text
from meetings import services as meeting_services
from meetings.models import RiskAction, RiskActionState
from need_to_know import permissions
from referrals import services as referral_services
from referrals.models import LifeEventType, Registration, RegistrationStatus

from .models import ActionOutcome, Transfer, TransferredAction, TransferState

WHAT = "This transfer"


def _announce(transfer: Transfer, change: str, actor: User | None) -> None:
    announce(about="transfer", object_id=transfer.pk, change=change, actor_id=actor.pk if actor else None)


def transfer_request(
    *, actor: User, registration: Registration, receiving_area: Area, reason: str, proposed_date: date
) -> Transfer:
    """The sending area's co-ordinator asks another area to take over a case it manages."""
    permissions.require(actor, "transfers.request_transfer", registration)
    reason = require_text(reason, field="reason", message="Say where the person is moving and why")
    if receiving_area is None:
        raise WorkflowError({"receiving_area": "Select the area the case moves to"})
    if receiving_area.pk == registration.area_id:
        raise WorkflowError({"receiving_area": "Select another area: the case is already managed here"})
    if proposed_date is None:
        raise WorkflowError({"proposed_date": "Enter the date you propose the receiving area takes over"})
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status == RegistrationStatus.EXITED:
            raise WorkflowError({"registration": "This case has left MAPPA: there is nothing to transfer"})
        if proposed_date <= locked.started_on:
            raise WorkflowError(
                {"proposed_date": f"The date must be after {locked.started_on:%-d %B %Y}, when the registration began"}
            )
        if Transfer.objects.filter(registration=locked).open().exists():
            raise WorkflowError({"registration": "A transfer of this case is already under way"})
        transfer = Transfer(
            reference=f"TR-{uuid.uuid4().hex[:8].upper()}",
            individual_id=locked.individual_id,
            registration=locked,
            sending_area_id=locked.area_id,
            receiving_area=receiving_area,
            reason=reason,
            proposed_date=proposed_date,
            requested_by=actor,
        )
        try:
            with transaction.atomic():
                transfer.save(force_insert=True)
        except IntegrityError as exc:  # two co-ordinators at once: the constraint keeps one
            raise WorkflowError({"registration": "A transfer of this case is already under way"}) from exc
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=transfer,
            to_state=transfer.state,
            reason=reason,
            details={"receiving_area": receiving_area.slug, "proposed_date": proposed_date},
            area_id=transfer.sending_area_id,
        )
        _announce(transfer, "requested", actor)
    return transfer


def transfer_accept(*, actor: User, transfer: Transfer, transfer_date: date, lead_agency: Agency) -> Transfer:
    """The receiving area's co-ordinator accepts, with the date it takes over and its lead agency.
    From now on the receiving area reads the handover pack."""
    permissions.require(actor, "transfers.decide_transfer", transfer)
    if transfer_date is None:
        raise WorkflowError({"transfer_date": "Enter the date your area takes over the case"})
    if lead_agency is None or lead_agency.area_id != transfer.receiving_area_id:
        raise WorkflowError({"lead_agency": f"Select the lead agency in {transfer.receiving_area}"})
    if not lead_agency.is_responsible_authority:
        raise WorkflowError({"lead_agency": "The lead agency must be police, probation or prison"})
    with transaction.atomic():
        locked = lock_for_change(transfer, state_field="state", what=WHAT)
        if transfer_date <= locked.registration.started_on:
            raise WorkflowError(
                {
                    "transfer_date": f"The date must be after {locked.registration.started_on:%-d %B %Y}, when the registration began"
                }
            )
        apply_transition(
            locked,
            "accept",
            actor=actor,
            what=WHAT,
            action_label="accept it",
            update_fields=["transfer_date", "receiving_lead_agency", "decided_by", "decided_at"],
            details={"transfer_date": transfer_date, "lead_agency": lead_agency.pk},
            transfer_date=transfer_date,
            lead_agency=lead_agency,
            decided_by=actor,
        )
        _announce(locked, "accepted", actor)
    return locked


def transfer_decline(*, actor: User, transfer: Transfer, reason: str) -> Transfer:
    """The receiving area's co-ordinator declines a request that is not theirs (the person is not moving
    to their area, say). An area cannot refuse a case that is moving to it: the reason is recorded and
    read by the sending area."""
    permissions.require(actor, "transfers.decide_transfer", transfer)
    reason = require_text(reason, field="reason", message="Say why your area is not the receiving area")
    with transaction.atomic():
        locked = lock_for_change(transfer, state_field="state", what=WHAT)
        apply_transition(
            locked,
            "decline",
            actor=actor,
            what=WHAT,
            action_label="decline it",
            update_fields=["closing_reason", "decided_by", "decided_at"],
            reason=reason,
            closing_reason=reason,
            decided_by=actor,
        )
        _announce(locked, "declined", actor)
    return locked


def transfer_withdraw(*, actor: User, transfer: Transfer, reason: str) -> Transfer:
    """The sending area's co-ordinator withdraws a request (or an accepted transfer not yet completed)."""
    permissions.require(actor, "transfers.withdraw_transfer", transfer)
    reason = require_text(reason, field="reason", message="Say why the transfer is withdrawn")
    with transaction.atomic():
        locked = lock_for_change(transfer, state_field="state", what=WHAT)
        apply_transition(
            locked,
            "withdraw",
            actor=actor,
            what=WHAT,
            action_label="withdraw it",
            update_fields=["closing_reason"],
            reason=reason,
            closing_reason=reason,
        )
        _announce(locked, "withdrawn", actor)
    return locked


@dataclass(frozen=True)
class ActionDecision:
    """What the sending co-ordinator decides for one open action: it moves, or it closes; with a reason."""

    outcome: str
    reason: str


def transfer_complete(*, actor: User, transfer: Transfer, actions: dict[str, ActionDecision]) -> Transfer:
    """The sending area's co-ordinator hands the case over on or after the accepted date.

    In one transaction: every open action of the sending registration is closed in the sending area
    (moved, for the receiving area's first meeting to adopt, or closed), each with its reason; the sending
    registration ends ("transferred out") on the transfer date and a registration opens in the receiving
    area on that date with the same category, level and location and the accepted lead agency (the
    periods before keep their area, so each area's statistics count what it managed); both areas are told.
    ``actions`` maps each open action's id to its decision; a missing or incomplete one names the action.
    """
    permissions.require(actor, "transfers.complete_transfer", transfer)
    today = timezone.localdate()
    with transaction.atomic():
        locked = lock_for_change(transfer, state_field="state", what=WHAT)
        if locked.state != TransferState.ACCEPTED:
            raise WorkflowError(
                {"state": f"You cannot complete it because this transfer is {locked.get_state_display().lower()}"}
            )
        assert locked.transfer_date is not None and locked.receiving_lead_agency is not None
        if locked.transfer_date > today:
            raise WorkflowError(
                {"state": f"The receiving area takes over on {locked.transfer_date:%-d %B %Y}: complete it then"}
            )
        registration = Registration.objects.select_for_update().get(pk=locked.registration_id)
        if registration.status == RegistrationStatus.EXITED:
            raise WorkflowError({"state": "This case has already left MAPPA in this area; withdraw the transfer"})
        current = registration.periods.filter(end_date__isnull=True).first()
        assert current is not None
        open_actions = list(
            RiskAction.objects.filter(registration=registration).unfinished().order_by("due_date", "pk")
        )
        errors: dict[str, str] = {}
        for action in open_actions:
            decision = actions.get(str(action.pk))
            if decision is None or decision.outcome not in ActionOutcome.values:
                errors[f"action-{action.pk}"] = f"Say whether '{action.description[:60]}' moves or closes"
            elif not (decision.reason or "").strip():
                errors[f"action-{action.pk}-reason"] = f"Give the reason for '{action.description[:60]}'"
        if errors:
            raise WorkflowError(errors)
        for action in open_actions:
            decision = actions[str(action.pk)]
            reason = decision.reason.strip()
            wording = (
                f"Moved to {locked.receiving_area} with transfer {locked.reference}: {reason}"
                if decision.outcome == ActionOutcome.MOVED
                else f"Closed on transfer {locked.reference} to {locked.receiving_area}: {reason}"
            )
            meeting_services.risk_action_close(
                actor=actor, action=action, outcome=RiskActionState.CLOSED_NOT_POSSIBLE, reason=wording
            )
            TransferredAction.objects.create(transfer=locked, action=action, outcome=decision.outcome, reason=reason)
        referral_services.life_event_record(
            actor=actor,
            individual=locked.individual,
            event_type=LifeEventType.TRANSFERRED_OUT,
            occurred_on=locked.transfer_date,
            details=f"Transfer {locked.reference} to {locked.receiving_area}",
        )
        # The receiving registration follows from the accepted transfer, not from a permission of the
        # sending co-ordinator in the receiving area: the system opens it, and this service's audit row names who.
        arrived = referral_services.life_event_record(
            actor=None,
            individual=locked.individual,
            event_type=LifeEventType.TRANSFERRED_IN,
            occurred_on=locked.transfer_date,
            details=f"Transfer {locked.reference} from {locked.sending_area}",
            new_registration=referral_services.NewRegistration(
                category=current.category,
                level=current.level,
                location=current.location,
                lead_agency=locked.receiving_lead_agency,
            ),
        )
        assert arrived.registration is not None
        apply_transition(
            locked,
            "complete",
            actor=actor,
            what=WHAT,
            action_label="complete it",
            update_fields=["completed_by", "completed_at", "new_registration"],
            details={"new_registration": str(arrived.registration.pk), "actions": len(open_actions)},
            completed_by=actor,
            new_registration=arrived.registration,
        )
        _announce(locked, "completed", actor)
    return locked
