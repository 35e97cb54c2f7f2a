"""Audit records: the quarter's sample, and one audit (meeting or case) with an answer per question.

A meeting audit (MAPPA L) is about a Level 2 or 3 meeting; a case audit about one registration. Both are
drafts until their auditor submits them with every question scored; only submitted audits count in the
results the SMB sees (:mod:`oversight.audits.results`).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mappa_workflow.models import Area, User
from meetings.models import Meeting
from referrals.models import Registration

from .questions import ITEM_CHOICES, QUESTIONS, AuditKind, Score, TimelinessBand


class AuditSample(models.Model):
    """The meetings (or cases) of one quarter drawn at random for audit, with the seed that drew them.

    Drawn once per area, kind and quarter: the seed and the candidates' order (start time, then id) make
    the draw repeatable, so anyone can check that the sample was not chosen by hand.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=AuditKind.choices)
    year = models.PositiveSmallIntegerField(help_text="Reporting year: 2025 is 1 April 2025 to 31 March 2026.")
    quarter = models.PositiveSmallIntegerField()
    seed = models.BigIntegerField()
    size_asked = models.PositiveSmallIntegerField()
    candidates = models.PositiveIntegerField(help_text="How many records the sample was drawn from.")
    meetings = models.ManyToManyField(Meeting, blank=True, related_name="+")
    registrations = models.ManyToManyField(Registration, blank=True, related_name="+")
    drawn_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "kind", "year", "quarter"], name="audit_sample_once_a_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="audit_sample_quarter_1_to_4"),
            models.CheckConstraint(condition=Q(size_asked__gte=1), name="audit_sample_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} sample, {self.year}/{(self.year + 1) % 100:02d} Q{self.quarter}"


class AuditState(models.TextChoices):
    DRAFT = "draft", "In progress"
    SUBMITTED = "submitted", "Submitted"


class AuditorCapacity(models.TextChoices):
    COORDINATOR = "coordinator", "MAPPA co-ordinator"
    SMB_MEMBER = "smb_member", "SMB member"
    LAY_ADVISER = "lay_adviser", "Lay adviser observing"


class QualityAudit(ConcurrentTransitionMixin, models.Model):
    """One auditor's audit of one meeting (MAPPA L) or one case. Change it only through oversight.services."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=AuditKind.choices)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="quality_audits")
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, null=True, blank=True, related_name="quality_audits"
    )
    sample = models.ForeignKey(AuditSample, on_delete=models.PROTECT, null=True, blank=True, related_name="audits")
    auditor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    capacity = models.CharField(max_length=20, choices=AuditorCapacity.choices)
    state = FSMField(default=AuditState.DRAFT, choices=AuditState.choices, protected=True)
    period_date = models.DateField(
        help_text="The meeting's date, or the case's first decision: the quarter it counts in."
    )
    comment = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=AuditKind.MEETING, meeting__isnull=False, registration__isnull=True))
                | (Q(kind=AuditKind.CASE, registration__isnull=False, meeting__isnull=True)),
                name="audit_is_of_a_meeting_or_a_case",
            ),
            models.UniqueConstraint(
                fields=["meeting", "auditor"], condition=Q(meeting__isnull=False), name="meeting_audited_once_each"
            ),
            models.UniqueConstraint(
                fields=["registration", "auditor"],
                condition=Q(registration__isnull=False),
                name="case_audited_once_each",
            ),
            models.CheckConstraint(
                condition=~Q(state=AuditState.SUBMITTED) | Q(submitted_at__isnull=False),
                name="submitted_audit_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.get_capacity_display().lower()}"

    def all_scored(self) -> bool:
        keys = {q.key for q in QUESTIONS[self.kind]}
        scored = set(self.answers.filter(score__isnull=False).values_list("item", flat=True))
        return keys <= scored

    @transition(field=state, source=AuditState.DRAFT, target=AuditState.SUBMITTED, conditions=[all_scored])  # type: ignore[list-item]  # django-fsm types a condition as taking any Model
    def submit(self) -> None:
        self.submitted_at = timezone.now()


class AuditAnswer(models.Model):
    """One question of an audit: what the records show (prefilled), and the auditor's score."""

    audit = models.ForeignKey(QualityAudit, on_delete=models.CASCADE, related_name="answers")
    item = models.CharField(max_length=40, choices=ITEM_CHOICES)
    position = models.PositiveSmallIntegerField()
    evidence = models.TextField(blank=True, help_text="What the records show, in counts: never a person's details.")
    suggested_score = models.PositiveSmallIntegerField(choices=Score.choices, null=True, blank=True)
    suggested_band = models.CharField(max_length=20, choices=TimelinessBand.choices, blank=True)
    score = models.PositiveSmallIntegerField(choices=Score.choices, null=True, blank=True)
    band = models.CharField(max_length=20, choices=TimelinessBand.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["audit", "position"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "item"], name="audit_answers_each_question_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=4), name="audit_score_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(suggested_score__isnull=True) | Q(suggested_score__gte=1, suggested_score__lte=4),
                name="audit_suggested_score_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()}: {self.score or 'not scored'}"
