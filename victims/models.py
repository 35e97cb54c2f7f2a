"""Victims' views and concerns, recorded by a victim liaison officer (VLO) for a case or a meeting.

Who may read them is narrower than who may read the case (``victims/rules.py``): the area's
co-ordinators and chairs, and the VLO's own agency. They answer to the victim safety planning
heading of the risk management plan (``meetings.models.PlanHeading.VICTIM_SAFETY_PLANNING``).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from mappa_workflow.models import Agency, Area, User
from mappa_workflow.validators import refuse_hidden_characters
from meetings.models import Meeting
from referrals.models import Registration


class VictimViewQuerySet(models.QuerySet["VictimView"]):
    def recorded_after(self, moment) -> VictimViewQuerySet:  # type: ignore[no-untyped-def]
        return self if moment is None else self.filter(recorded_at__gt=moment)


class VictimView(models.Model):
    """What a victim (or victims) of the case said, as the VLO recorded it, and what they are afraid of."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="victim_views")
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="victim_views",
        help_text="The meeting the views were gathered for, if any.",
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", help_text="The VLO's agency.")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    views = models.TextField("Victims' views", validators=[refuse_hidden_characters])
    concerns = models.TextField("Concerns for the victims' safety", blank=True, validators=[refuse_hidden_characters])

    objects = VictimViewQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["registration", "recorded_at"], name="victim_view_case_idx")]
        constraints = [models.CheckConstraint(condition=~Q(views=""), name="victim_view_has_views")]

    def __str__(self) -> str:
        return f"Victims' views recorded {timezone.localtime(self.recorded_at):%-d %B %Y}"
