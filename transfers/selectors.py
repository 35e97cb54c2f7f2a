"""Reads of transfers: the lists each area sees, and the handover pack.

The handover pack is all the receiving area reads of the sending area's records: the sending
registration's history (its periods), the current risk management plan and the decisions of the
last minutes, and the open actions (after completion: what became of each). Nothing else of the
sending area is shown to it (docs/transfers.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from mappa_workflow.models import Agency, AgencyType, Role
from meetings.models import CaseMinutes, RiskAction
from referrals.models import Referral, RegistrationPeriod

from .models import ActionOutcome, Transfer, TransferredAction, TransferState


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def visible_transfers(user: Any, qs: QuerySet[Transfer] | None = None) -> QuerySet[Transfer]:
    """Transfers into or out of the user's area, for its co-ordinators and chairs (Category 4 needs clearance)."""
    qs = Transfer.objects.all() if qs is None else qs
    if not _signed_in(user) or user.area_id is None or not user.has_role(Role.COORDINATOR, Role.CHAIR):
        return qs.none()
    qs = qs.filter(Q(sending_area_id=user.area_id) | Q(receiving_area_id=user.area_id))
    if not getattr(user, "counter_terrorism_cleared", False):
        qs = qs.exclude(
            individual_id__in=RegistrationPeriod.objects.filter(category=4).values("individual_id")
        ).exclude(individual_id__in=Referral.objects.filter(category=4).values("individual_id"))
    return qs


def transfer_list(user: Any) -> dict[str, list[Transfer]]:
    """The user's area's transfers, in (incoming) and out (outgoing): two queries."""
    qs = visible_transfers(user).select_related("individual", "sending_area", "receiving_area")
    return {
        "incoming": list(qs.filter(receiving_area_id=user.area_id)),
        "outgoing": list(qs.filter(sending_area_id=user.area_id)),
    }


@dataclass
class HandoverPack:
    transfer: Transfer
    periods: list[RegistrationPeriod]
    last_minutes: CaseMinutes | None
    open_actions: list[RiskAction] = field(default_factory=list)
    moved_actions: list[TransferredAction] = field(default_factory=list)
    closed_actions: list[TransferredAction] = field(default_factory=list)

    @property
    def current_period(self) -> RegistrationPeriod | None:
        return self.periods[-1] if self.periods else None


def handover_pack(transfer: Transfer) -> HandoverPack:
    """The pack, read from the sending registration (four queries)."""
    registration = transfer.registration
    periods = list(
        RegistrationPeriod.objects.filter(registration=registration)
        .select_related("lead_agency")
        .order_by("start_date")
    )
    last_minutes = (
        CaseMinutes.objects.filter(agenda_item__registration=registration)
        .select_related("agenda_item__meeting")
        .order_by("-agenda_item__meeting__starts_at")
        .first()
    )
    pack = HandoverPack(transfer=transfer, periods=periods, last_minutes=last_minutes)
    if transfer.state == TransferState.COMPLETED:
        for outcome in TransferredAction.objects.filter(transfer=transfer).select_related("action__owning_agency"):
            (pack.moved_actions if outcome.outcome == ActionOutcome.MOVED else pack.closed_actions).append(outcome)
    else:
        pack.open_actions = list(
            RiskAction.objects.filter(registration=registration).unfinished().select_related("owning_agency")
        )
    return pack


def receiving_lead_agency_default(transfer: Transfer) -> Agency | None:
    """The receiving area's agency of the type that leads the case now (what the acceptance form offers first)."""
    current = transfer.registration.periods.filter(end_date__isnull=True).select_related("lead_agency").first()
    agency_type = current.lead_agency.agency_type if current else AgencyType.PROBATION
    return Agency.objects.filter(area_id=transfer.receiving_area_id, agency_type=agency_type).order_by("pk").first()
