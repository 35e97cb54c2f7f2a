"""Serious further offences (SFOs) and the serious case reviews (SCRs) the SMB decides on (MAPPA Guidance ch. 20).

These are case records (each is about one person's registration), kept in their own app just above the
registration history so that the annual statistics (``reporting``) can count them and the need-to-know
rules can guard them, while the SMB's work on them (the services) lives in ``oversight.services.reviews``.
Change them only through those services.

The SFO's category and level are those of the registration period in force on the day of the offence,
copied when it is recorded (never typed), so a later change of level does not rewrite history.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mappa_workflow.models import Agency, Area, User
from mappa_workflow.validators import refuse_hidden_characters
from referrals.models import Category, Individual, Level, Registration

# Working days from the SFO being recorded to the SMB's decision on a review (DOMAIN.md, ch. 20).
DECISION_WORKING_DAYS = 5


class ReviewCriterion(models.TextChoices):
    """The guidance's reasons to hold a review (ch. 20). The wording is a default to verify against the
    current guidance (DOMAIN.md marks the list as not confirmed); it is stored by key, so rewording is safe."""

    MANAGED_AT_LEVEL_2_OR_3 = "level_2_or_3", "Managed at Level 2 or 3 when the offence was committed"
    SERIOUS_VIOLENT_OR_SEXUAL = (
        "serious_offence",
        "Charged with murder, attempted murder, manslaughter, rape or another serious violent or sexual offence",
    )
    JOINT_WORKING_CONCERN = "joint_working", "Concern about how the agencies worked together to manage the risk"
    LESSONS_FOR_MAPPA = "lessons", "There may be lessons for MAPPA practice"
    PUBLIC_CONCERN = "public_concern", "The case has caused, or may cause, serious public concern"


class SeriousFurtherOffence(models.Model):
    """A MAPPA case charged with a serious further offence, as the co-ordinator records it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="serious_further_offences")
    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="+")
    offence_date = models.DateField(help_text="When the offence was committed: its category and level are that day's.")
    charged_on = models.DateField(help_text="The reporting year it counts in.")
    offence = models.TextField(validators=[refuse_hidden_characters])
    category = models.PositiveSmallIntegerField(choices=Category.choices, editable=False)
    level = models.PositiveSmallIntegerField(choices=Level.choices, editable=False)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-charged_on", "-recorded_at"]
        indexes = [models.Index(fields=["area", "charged_on"], name="sfo_area_charged_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(charged_on__gte=F("offence_date")), name="sfo_charged_after_offence"),
            models.UniqueConstraint(fields=["registration", "offence_date"], name="sfo_once_per_offence_date"),
        ]

    def __str__(self) -> str:
        return f"Serious further offence {self.reference}"


class ReviewState(models.TextChoices):
    DECISION_DUE = "decision_due", "Decision due"
    NOT_REVIEWED = "decided_not_to_review", "Decided not to review"
    COMMISSIONED = "review_commissioned", "Review commissioned"
    REPORT_DRAFTED = "report_drafted", "Report drafted"
    REPORT_APPROVED = "report_approved", "Report approved"
    CLOSED = "closed", "Closed: action plan complete"


# The report (MAPPA O) is written without names: its sections are what SMB members and lay advisers read.
REPORT_SECTIONS = (
    ("background", "Background"),
    ("chronology", "Chronology"),
    ("findings", "Findings"),
    ("learning_points", "Learning points"),
)


class SeriousCaseReviewQuerySet(models.QuerySet["SeriousCaseReview"]):
    def decision_due(self) -> SeriousCaseReviewQuerySet:
        return self.filter(state=ReviewState.DECISION_DUE)


class SeriousCaseReview(ConcurrentTransitionMixin, models.Model):
    """The SMB's decision on reviewing one SFO, and the review (MAPPA O) if it commissions one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    serious_further_offence = models.OneToOneField(
        SeriousFurtherOffence, on_delete=models.PROTECT, related_name="review"
    )
    # Repeats the SFO's person so that area isolation and the Category 4 barrier apply to the review itself.
    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="+")
    state = FSMField(default=ReviewState.DECISION_DUE, choices=ReviewState.choices, protected=True)
    decision_due = models.DateField(help_text="5 working days from the SFO being recorded.")
    criteria_met = models.JSONField(default=list, blank=True, help_text="Keys of ReviewCriterion.")
    decision_reasons = models.TextField(blank=True, validators=[refuse_hidden_characters])
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_on = models.DateField(null=True, blank=True)
    decided_late = models.BooleanField(default=False)
    remit = models.TextField(blank=True, validators=[refuse_hidden_characters])
    lay_adviser = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    background = models.TextField(blank=True, validators=[refuse_hidden_characters])
    chronology = models.TextField(blank=True, validators=[refuse_hidden_characters])
    findings = models.TextField(blank=True, validators=[refuse_hidden_characters])
    learning_points = models.TextField(blank=True, validators=[refuse_hidden_characters])
    report_drafted_on = models.DateField(null=True, blank=True)
    report_approved_on = models.DateField(null=True, blank=True)
    report_approved_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_on = models.DateField(null=True, blank=True)

    objects = SeriousCaseReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-decision_due"]
        indexes = [models.Index(fields=["area", "state"], name="scr_area_state_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state=ReviewState.DECISION_DUE) | Q(decided_on__isnull=False, decided_by__isnull=False),
                name="scr_decided_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[ReviewState.DECISION_DUE, ReviewState.NOT_REVIEWED])
                | Q(lay_adviser__isnull=False),
                name="scr_review_involves_a_lay_adviser",
            ),
        ]

    def __str__(self) -> str:
        return f"Serious case review {self.reference}"

    def actions_complete(self) -> bool:
        actions = list(self.actions.all())
        return bool(actions) and all(a.state == ActionState.COMPLETED for a in actions)

    @transition(field=state, source=ReviewState.DECISION_DUE, target=ReviewState.NOT_REVIEWED)
    def decide_not_to_review(self) -> None:
        """The SMB decided the criteria do not call for a review (the reasons say why)."""

    @transition(field=state, source=ReviewState.DECISION_DUE, target=ReviewState.COMMISSIONED)
    def commission(self) -> None:
        """The SMB commissioned a review, with its remit and a lay adviser."""

    @transition(
        field=state, source=[ReviewState.COMMISSIONED, ReviewState.REPORT_DRAFTED], target=ReviewState.REPORT_DRAFTED
    )
    def draft_report(self) -> None:
        self.report_drafted_on = timezone.localdate()

    @transition(field=state, source=ReviewState.REPORT_DRAFTED, target=ReviewState.REPORT_APPROVED)
    def approve_report(self) -> None:
        self.report_approved_on = timezone.localdate()

    @transition(
        field=state,
        source=ReviewState.REPORT_APPROVED,
        target=ReviewState.CLOSED,
        conditions=[actions_complete],  # type: ignore[list-item]  # django-fsm types a condition as taking any Model
    )
    def close(self) -> None:
        self.closed_on = timezone.localdate()


class ActionState(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"


class ReviewAction(ConcurrentTransitionMixin, models.Model):
    """One action of a review's action plan (MAPPA O, section 8): what, which agency, by when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review = models.ForeignKey(SeriousCaseReview, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(validators=[refuse_hidden_characters])
    owning_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    state = FSMField(default=ActionState.OPEN, choices=ActionState.choices, protected=True)
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["due_date", "added_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=ActionState.COMPLETED) | Q(completed_on__isnull=False),
                name="scr_action_completed_has_a_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.description[:60]} ({self.owning_agency})"

    @property
    def is_overdue(self) -> bool:
        return self.state == ActionState.OPEN and self.due_date < timezone.localdate()

    @transition(field=state, source=ActionState.OPEN, target=ActionState.COMPLETED)
    def complete(self, *, on: object = None) -> None:
        self.completed_on = on or timezone.localdate()  # type: ignore[assignment]
