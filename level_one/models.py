"""Level 1 oversight: the register of cases the lead agency manages without MAPPA meetings, and the short
review that reconsiders each one at the area's interval (docs/level-one.md)."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from mappa_workflow.models import Agency, Area, User
from referrals.models import Individual, Referral, Registration


class LevelOneSettings(models.Model):
    """An area's Level 1 review interval. Four months follows police guidance (DOMAIN.md); an area may set its own."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="level_one_settings")
    review_interval_months = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="How often each Level 1 case is reconsidered, in calendar months.",
    )

    class Meta:
        verbose_name_plural = "Level 1 settings"

    def __str__(self) -> str:
        return f"Level 1 settings for {self.area}"

    @classmethod
    def for_area(cls, area: Area) -> LevelOneSettings:
        settings, _ = cls.objects.get_or_create(area=area)
        return settings


class LevelOneReview(models.Model):
    """One reconsideration of a Level 1 case by its lead agency: has the risk changed, is the plan robust,
    should it go to Level 2 (then ``referral`` is the MAPPA A sent to the co-ordinator)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="level_one_reviews")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="level_one_reviews")
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField()
    risk_changed = models.BooleanField()
    plan_robust = models.BooleanField()
    refer_to_level_2 = models.BooleanField()
    notes = models.TextField(help_text="What was considered and why the outcome.")
    next_review_due = models.DateField(null=True, blank=True)
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="level_one_review"
    )
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-reviewed_on", "-recorded_at"]
        indexes = [models.Index(fields=["registration", "-reviewed_on"], name="level_one_review_latest_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(refer_to_level_2=False) | Q(next_review_due__isnull=True),
                name="referred_review_sets_no_next_review",
            ),
            models.CheckConstraint(
                condition=Q(refer_to_level_2=True) | Q(next_review_due__isnull=False),
                name="level_one_review_sets_next_review",
            ),
        ]

    def __str__(self) -> str:
        return f"Level 1 review of {self.individual} on {self.reviewed_on:%d %b %Y}"
