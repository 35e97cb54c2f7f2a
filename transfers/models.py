"""Transfers of a MAPPA case from one area to another (MAPPA Guidance chapter 17).

The sending area's co-ordinator requests; the receiving area's co-ordinator accepts with the date
the receiving area takes over (or declines a request that is not theirs: an area cannot block a
transfer, docs/transfers.md); once that date has come the sending co-ordinator completes it, which
ends the sending registration and opens one in the receiving area. Change it only through
``transfers.services``.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mappa_workflow.models import Agency, Area, User
from mappa_workflow.validators import refuse_hidden_characters
from meetings.models import RiskAction
from referrals.models import Individual, Registration


class TransferState(models.TextChoices):
    REQUESTED = "requested", "Requested"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    COMPLETED = "completed", "Completed"


OPEN_STATES = [TransferState.REQUESTED, TransferState.ACCEPTED]
# The receiving area reads the handover pack from acceptance on.
PACK_STATES = [TransferState.ACCEPTED, TransferState.COMPLETED]


class TransferQuerySet(models.QuerySet["Transfer"]):
    def open(self) -> TransferQuerySet:
        return self.filter(state__in=OPEN_STATES)


class Transfer(ConcurrentTransitionMixin, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="transfers_out", help_text="The sending registration."
    )
    sending_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="transfers_out")
    receiving_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="transfers_in")
    state = FSMField(default=TransferState.REQUESTED, choices=TransferState.choices, protected=True)
    reason = models.TextField(
        "Why the case moves", validators=[refuse_hidden_characters], help_text="Where the person is moving and why."
    )
    proposed_date = models.DateField(help_text="When the sending area proposes the receiving area takes over.")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    transfer_date = models.DateField(null=True, blank=True, help_text="The date the receiving area takes over.")
    receiving_lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    closing_reason = models.TextField(blank=True, help_text="Why it was declined or withdrawn.")
    completed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    new_registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers_in"
    )

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        indexes = [
            models.Index(fields=["sending_area", "state"], name="transfer_sending_idx"),
            models.Index(fields=["receiving_area", "state"], name="transfer_receiving_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(sending_area=F("receiving_area")), name="transfer_between_areas"),
            models.UniqueConstraint(
                fields=["registration"], condition=Q(state__in=OPEN_STATES), name="one_open_transfer_per_registration"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=PACK_STATES)
                | (Q(transfer_date__isnull=False) & Q(receiving_lead_agency__isnull=False)),
                name="accepted_transfer_has_date_and_lead",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[TransferState.DECLINED, TransferState.WITHDRAWN]) | ~Q(closing_reason=""),
                name="closed_transfer_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state=TransferState.COMPLETED) | Q(new_registration__isnull=False),
                name="completed_transfer_has_registration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.sending_area} to {self.receiving_area} ({self.get_state_display()})"

    @transition(field=state, source=TransferState.REQUESTED, target=TransferState.ACCEPTED)
    def accept(self, *, transfer_date, lead_agency: Agency, decided_by: User) -> None:  # type: ignore[no-untyped-def]
        self.transfer_date = transfer_date
        self.receiving_lead_agency = lead_agency
        self.decided_by = decided_by
        self.decided_at = timezone.now()

    @transition(field=state, source=TransferState.REQUESTED, target=TransferState.DECLINED)
    def decline(self, *, closing_reason: str, decided_by: User) -> None:
        self.closing_reason = closing_reason
        self.decided_by = decided_by
        self.decided_at = timezone.now()

    @transition(field=state, source=OPEN_STATES, target=TransferState.WITHDRAWN)
    def withdraw(self, *, closing_reason: str) -> None:
        self.closing_reason = closing_reason

    @transition(field=state, source=TransferState.ACCEPTED, target=TransferState.COMPLETED)
    def complete(self, *, completed_by: User | None, new_registration: Registration) -> None:
        self.completed_by = completed_by
        self.completed_at = timezone.now()
        self.new_registration = new_registration


class ActionOutcome(models.TextChoices):
    MOVED = "moved", "Moves to the receiving area"
    CLOSED = "closed", "Closed"


class TransferredAction(models.Model):
    """What became of one of the sending area's open actions when the transfer completed.

    The action itself is closed in the sending area (its history stays there); a moved one is listed
    in the handover pack for the receiving area's first meeting to adopt.
    """

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="actions")
    action = models.OneToOneField(RiskAction, on_delete=models.PROTECT, related_name="transfer_outcome")
    outcome = models.CharField(max_length=10, choices=ActionOutcome.choices)
    reason = models.TextField(validators=[refuse_hidden_characters])

    class Meta:
        ordering = ["action__due_date", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="transferred_action_has_reason")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.reason[:60]}"
