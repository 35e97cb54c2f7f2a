"""Release planning: the work that hangs off a release from custody or a discharge from hospital, and the
third-party notifications and requests to share minutes that go with it (docs/release-planning.md).

Change these records only through ``release_planning.services``: every change there locks the row,
writes an audit row and any outbox rows in the same transaction.
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mappa_workflow import request_context
from mappa_workflow.models import Agency, Area, User
from mappa_workflow.validators import refuse_hidden_characters
from referrals.models import Individual, Registration


class ReleaseKind(models.TextChoices):
    CUSTODY = "custody", "Release from custody"
    HOSPITAL = "hospital", "Discharge from hospital"


class ChecklistItemKind(models.TextChoices):
    """What must be in place before release. Each has a lead time per area (ReleasePlanningSettings)."""

    APPROVED_ADDRESS = "approved_address", "Approved address or approved premises"
    LICENCE_CONDITIONS = "licence_conditions", "Licence conditions"
    MAPPA_J = "mappa_j", "MAPPA J sent to Jobcentre Plus"
    VICTIM_LIAISON = "victim_liaison", "Victim liaison contact"
    CHILDRENS_SERVICES = "childrens_services", "Children's services notified"
    PRISON_REPORT = "prison_report", "Prison report for the panel"


class ReleasePlanningSettings(models.Model):
    """An area's lead times for release planning. Only "MAPPA J 6 weeks before release" is in the guidance;
    every other default is a starting point for the area to set (DOMAIN.md: to verify)."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="release_planning_settings")
    level_decision_weeks = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="How many weeks before release the MAPPA level must be decided.",
    )
    approved_address_weeks = models.PositiveSmallIntegerField(default=8, validators=[MaxValueValidator(52)])
    licence_conditions_weeks = models.PositiveSmallIntegerField(default=4, validators=[MaxValueValidator(52)])
    mappa_j_weeks = models.PositiveSmallIntegerField(
        default=6, validators=[MaxValueValidator(52)], help_text="MAPPA guidance: 6 weeks before planned release."
    )
    victim_liaison_weeks = models.PositiveSmallIntegerField(default=8, validators=[MaxValueValidator(52)])
    childrens_services_weeks = models.PositiveSmallIntegerField(default=6, validators=[MaxValueValidator(52)])
    prison_report_working_days = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(260)],
        help_text="Working days before release by which the prison offender manager's report is due.",
    )
    horizon_weeks = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="How far ahead the dashboard lists releases.",
    )

    class Meta:
        verbose_name_plural = "release planning settings"

    def __str__(self) -> str:
        return f"Release planning settings for {self.area}"

    @classmethod
    def for_area(cls, area: Area) -> ReleasePlanningSettings:
        """The area's lead times (made with the defaults on first use), read once per request."""
        return request_context.once_per_request(
            ("release_planning_settings", area.pk), lambda: cls.objects.get_or_create(area=area)[0]
        )


class ReleasePlanState(models.TextChoices):
    PLANNING = "planning", "Planning"
    RELEASED = "released", "Released or discharged"
    WITHDRAWN = "withdrawn", "No longer expected"


class ReleasePlanQuerySet(models.QuerySet["ReleasePlan"]):
    def open(self) -> ReleasePlanQuerySet:
        return self.filter(state=ReleasePlanState.PLANNING)


class ReleasePlan(ConcurrentTransitionMixin, models.Model):
    """The plan for one expected release or discharge of a person in custody or hospital."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="release_plans")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="release_plans")
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ReleaseKind.choices)
    state = FSMField(default=ReleasePlanState.PLANNING, choices=ReleasePlanState.choices, protected=True)
    expected_date = models.DateField(help_text="The expected release or discharge date.")
    level_decision_due = models.DateField()
    decided_level = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(1, "Level 1"), (2, "Level 2"), (3, "Level 3")]
    )
    level_decided_on = models.DateField(null=True, blank=True)
    level_rationale = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ReleasePlanQuerySet.as_manager()

    class Meta:
        ordering = ["expected_date"]
        indexes = [models.Index(fields=["area", "state", "expected_date"], name="release_plan_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["individual"], condition=Q(state="planning"), name="one_open_release_plan_per_individual"
            ),
            models.CheckConstraint(
                condition=Q(decided_level__isnull=True) | (Q(level_decided_on__isnull=False) & ~Q(level_rationale="")),
                name="release_level_decision_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(state="planning") | Q(closed_on__isnull=False), name="closed_release_plan_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.individual} expected {self.expected_date:%d %b %Y}"

    @transition(field=state, source=ReleasePlanState.PLANNING, target=ReleasePlanState.RELEASED)
    def record_release(self, *, closed_on, note: str) -> None:  # type: ignore[no-untyped-def]
        self.closed_on, self.closing_note = closed_on, note

    @transition(field=state, source=ReleasePlanState.PLANNING, target=ReleasePlanState.WITHDRAWN)
    def withdraw(self, *, closed_on, note: str) -> None:  # type: ignore[no-untyped-def]
        self.closed_on, self.closing_note = closed_on, note


class ReleaseDateChange(models.Model):
    """One entry of the expected date's history: the first is the date the plan was made with."""

    plan = models.ForeignKey(ReleasePlan, on_delete=models.CASCADE, related_name="date_changes")
    previous_date = models.DateField(null=True, blank=True)
    new_date = models.DateField()
    changed_on = models.DateField(help_text="When the new date became known.")
    reason = models.TextField()
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.previous_date or 'first'} -> {self.new_date}"


class ChecklistItem(models.Model):
    """One thing to have in place before release, due a lead time before it."""

    plan = models.ForeignKey(ReleasePlan, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=30, choices=ChecklistItemKind.choices)
    due_date = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["due_date", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="checklist_item_once_per_plan"),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | ~Q(notes=""), name="completed_item_says_what_was_done"
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_done(self) -> bool:
        return self.completed_on is not None


# ---------------------------------------------------------------------------------------------
# Third-party notifications (MAPPA guidance chapter 10) and requests to share minutes onward
# ---------------------------------------------------------------------------------------------


class RecipientType(models.TextChoices):
    DWP = "dwp", "DWP / Jobcentre Plus"
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    HOUSING = "housing", "Housing"
    OTHER = "other", "Other"


class NotificationState(models.TextChoices):
    SENT = "sent", "Sent, awaiting acknowledgement"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


class ThirdPartyNotification(ConcurrentTransitionMixin, models.Model):
    """Information shared with a third party about a person, with the chapter 10 tests answered:
    necessary, lawful and proportionate; who, what, why, the recipient's undertaking, and whether the
    person was told (and why not)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="third_party_notifications")
    release_plan = models.ForeignKey(
        ReleasePlan, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    recipient_type = models.CharField(max_length=30, choices=RecipientType.choices)
    recipient = models.CharField(max_length=200, validators=[refuse_hidden_characters])
    what_was_shared = models.TextField()
    why_necessary = models.TextField()
    lawful_basis = models.TextField()
    why_proportionate = models.TextField()
    recipient_undertaking = models.TextField()
    individual_told = models.BooleanField()
    why_individual_not_told = models.TextField(blank=True)
    sent_on = models.DateField()
    state = FSMField(default=NotificationState.SENT, choices=NotificationState.choices, protected=True)
    acknowledged_on = models.DateField(null=True, blank=True)
    sent_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-sent_on", "-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(individual_told=True) | ~Q(why_individual_not_told=""),
                name="notification_says_why_individual_not_told",
            ),
            models.CheckConstraint(
                condition=Q(state="sent", acknowledged_on__isnull=True)
                | Q(state="acknowledged", acknowledged_on__isnull=False),
                name="acknowledged_notification_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification to {self.recipient} on {self.sent_on:%d %b %Y}"

    @transition(field=state, source=NotificationState.SENT, target=NotificationState.ACKNOWLEDGED)
    def acknowledge(self, *, acknowledged_on) -> None:  # type: ignore[no-untyped-def]
        self.acknowledged_on = acknowledged_on


class SharingDecision(models.TextChoices):
    AWAITING = "awaiting", "Awaiting the chair's decision"
    AGREED_IN_FULL = "agreed_in_full", "Agreed: the minutes in full"
    AGREED_SUMMARY = "agreed_summary", "Agreed: an executive summary only"
    REFUSED = "refused", "Refused"


class SharingRequest(ConcurrentTransitionMixin, models.Model):
    """A request to share a case's minutes beyond the meeting (MAPPA D: not without the chair's agreement)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="sharing_requests")
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem", on_delete=models.PROTECT, related_name="sharing_requests", help_text="Which minutes."
    )
    requested_by = models.CharField(max_length=200, validators=[refuse_hidden_characters])
    purpose = models.TextField()
    requested_on = models.DateField()
    state = FSMField(default=SharingDecision.AWAITING, choices=SharingDecision.choices, protected=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_on = models.DateField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-requested_on", "-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="awaiting") | (Q(decided_on__isnull=False) & ~Q(decision_reason="")),
                name="sharing_decision_is_complete",
            )
        ]

    def __str__(self) -> str:
        return f"Request from {self.requested_by} to share minutes"

    def _decide(self, *, decided_by, decided_on, reason_text: str) -> None:  # type: ignore[no-untyped-def]
        self.decided_by, self.decided_on, self.decision_reason = decided_by, decided_on, reason_text

    @transition(field=state, source=SharingDecision.AWAITING, target=SharingDecision.AGREED_IN_FULL)
    def agree_in_full(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self._decide(**kwargs)

    @transition(field=state, source=SharingDecision.AWAITING, target=SharingDecision.AGREED_SUMMARY)
    def agree_summary(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self._decide(**kwargs)

    @transition(field=state, source=SharingDecision.AWAITING, target=SharingDecision.REFUSED)
    def refuse(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self._decide(**kwargs)
