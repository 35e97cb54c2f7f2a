"""Per-area targets for the performance indicators (docs/indicators.md).

The national KPI list is not public (DOMAIN.md, "Performance"), so every target is an area's choice.
An area without a row for an indicator uses :data:`DEFAULT_TARGETS`; a row is only needed to differ.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models

from mappa_workflow.models import Area


class Indicator(models.TextChoices):
    SCREENING = "screening", "Referral received to screening decision"
    FIRST_MEETING = "first_meeting", "First Level 2 or 3 meeting held within the area's timescale"
    REVIEWS = "reviews", "Level 2 and 3 reviews held by their due date"
    MINUTES = "minutes", "Minutes approved within the area's timescale"
    ATTENDANCE = "attendance", "Attendance at Level 2 and 3 meetings"
    ACTIONS = "actions", "Risk management actions completed by their due date"
    LEVEL_ONE_REVIEWS = "level_one_reviews", "Level 1 cases reviewed within the area's Level 1 interval"


# indicator -> (green at or above this %, amber at or above this %, working days where the indicator has its own)
DEFAULT_TARGETS: dict[str, tuple[int, int, int | None]] = {
    Indicator.SCREENING: (90, 75, 10),
    Indicator.FIRST_MEETING: (90, 75, None),
    Indicator.REVIEWS: (90, 75, None),
    Indicator.MINUTES: (90, 75, None),
    Indicator.ATTENDANCE: (80, 65, None),
    Indicator.ACTIONS: (85, 70, None),
    Indicator.LEVEL_ONE_REVIEWS: (90, 75, None),
}


class IndicatorTarget(models.Model):
    """An area's own target for one indicator: green from ``green_percent``, amber from ``amber_percent``."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="indicator_targets")
    indicator = models.CharField(max_length=30, choices=Indicator.choices)
    green_percent = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    amber_percent = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    working_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Only for the screening indicator: a decision within this many working days counts as on time.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "indicator"], name="oversight_one_target_per_indicator"),
            models.CheckConstraint(
                condition=models.Q(amber_percent__lte=models.F("green_percent"), green_percent__lte=100),
                name="oversight_amber_not_above_green",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_indicator_display()} target {self.green_percent}%"


# The audit and SMB governance records live in their own modules; imported here so Django finds them in this app.
from .audits.models import AuditAnswer, AuditorCapacity, AuditSample, AuditState, QualityAudit  # noqa: E402,F401
from .governance.models import (  # noqa: E402,F401
    BoardMeeting,
    BoardMeetingStatus,
    BoardRole,
    BoardSeats,
    BoardTenure,
)
