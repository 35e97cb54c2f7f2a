"""Discarding a draft referral that will not be sent (started by mistake, or for the wrong person)."""

from __future__ import annotations

from django.db import transaction

from mappa_workflow import roles
from mappa_workflow.audit import audit_record
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AuditAction, User
from mappa_workflow.services_base import lock_for_change

from ..models import Individual, Referral, ReferralState


def referral_discard(*, actor: User, referral: Referral) -> None:
    """Delete a draft referral (never one that has been sent: that is withdrawn, and kept). The referring
    agency or the area's co-ordinator or chair may. A person added for this draft alone (no other referral,
    registration, period or life event) goes with it. The audit row, written first in the same transaction,
    keeps the reference, the person and who discarded it."""
    roles.require(actor, "referrals.edit_referral", referral)
    if referral.state != ReferralState.DRAFT:
        raise WorkflowError("Only a draft can be discarded: a referral that has been sent can be withdrawn")
    with transaction.atomic():
        locked = lock_for_change(referral, state_field="state", what="This referral")
        individual = Individual.objects.select_for_update().get(pk=locked.individual_id)
        orphan = not (
            individual.referrals.exclude(pk=locked.pk).exists()
            or individual.registrations.exists()
            or individual.periods.exists()
            or individual.life_events.exists()
        )
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=locked,
            area_id=locked.area_id,
            transition="discard",
            from_state=ReferralState.DRAFT,
            to_state="discarded",
            reason="Draft discarded before it was sent",
            details={
                "reference": locked.reference,
                "individual": str(individual.pk),
                "individual_deleted": orphan,
            },
        )
        locked.delete()
        if orphan:
            individual.delete()  # its aliases go with it (CASCADE)
