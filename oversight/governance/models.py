"""The SMB's meetings, its members and lay advisers with their tenures, and how many lay adviser seats it has.

MAPPA Guidance: each area's Strategic Management Board meets at least three times a year, and has two lay
advisers appointed for a fixed term (DOMAIN.md, "Strategic Management Board"). These records name board
members only, never a person managed under MAPPA. See docs/smb.md.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from mappa_workflow.models import Agency, Area, User

DEFAULT_LAY_ADVISER_SEATS = 2


class BoardMeetingStatus(models.TextChoices):
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class BoardRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    MEMBER = "member", "Member"
    LAY_ADVISER = "lay_adviser", "Lay adviser"


class BoardSeats(models.Model):
    """An area's number of lay adviser seats, where it differs from the Guidance's two."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="board_seats")
    lay_advisers = models.PositiveSmallIntegerField(
        default=DEFAULT_LAY_ADVISER_SEATS,
        validators=[MaxValueValidator(10)],
        help_text="How many lay advisers the board should have; the governance page shows the vacancies.",
    )

    class Meta:
        verbose_name = "SMB seats"
        verbose_name_plural = "SMB seats"
        constraints = [models.CheckConstraint(condition=Q(lay_advisers__lte=10), name="oversight_seats_at_most_10")]

    def __str__(self) -> str:
        return f"{self.area}: {self.lay_advisers} lay adviser seats"


class BoardMeeting(models.Model):
    """One SMB meeting: held (with how many members attended) or cancelled."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="board_meetings")
    meeting_date = models.DateField()
    status = models.CharField(max_length=10, choices=BoardMeetingStatus.choices)
    members_present = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How many board members attended (held meetings only)."
    )
    note = models.TextField(blank=True, help_text="Why it was cancelled, or anything the record should say.")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area", "meeting_date"]
        verbose_name = "SMB meeting"
        constraints = [
            models.UniqueConstraint(fields=["area", "meeting_date"], name="oversight_one_board_meeting_a_day"),
            models.CheckConstraint(
                condition=Q(status=BoardMeetingStatus.HELD, members_present__gte=1)
                | Q(status=BoardMeetingStatus.CANCELLED, members_present__isnull=True),
                name="oversight_board_attendance_only_when_held",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} SMB meeting, {self.meeting_date:%-d %B %Y} ({self.get_status_display().lower()})"


class BoardTenureQuerySet(models.QuerySet["BoardTenure"]):
    def in_tenure_on(self, day: dt.date) -> BoardTenureQuerySet:
        """Tenures that include ``day`` (the end date is the last day of the tenure)."""
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


class BoardTenure(models.Model):
    """Someone's time on an area's SMB in one role: from ``starts_on`` to ``ends_on`` (the last day), or open.

    A lay adviser is appointed for a fixed term, so has an end date from the start; a member's may be open.
    A chair or member represents an agency of the area; a lay adviser represents none (DOMAIN.md).

    ``user`` is the account of the person who holds the tenure, where they sign in (an SMB member account of the
    area for a chair or member, a lay adviser account for a lay adviser). It is what lets the chair in tenure
    record the SMB's decision on a serious case review (docs/serious-case-reviews.md); a tenure without one is
    still a record of the board.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="board_tenures")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=BoardRole.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="board_tenures",
        help_text="The account they sign in with, if they have one.",
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="The last day of the tenure; blank while open.")
    end_reason = models.CharField(max_length=200, blank=True, help_text="Why the tenure was ended early.")
    appointed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = BoardTenureQuerySet.as_manager()

    class Meta:
        ordering = ["area", "role", "name", "starts_on"]
        verbose_name = "SMB tenure"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="oversight_tenure_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(role=BoardRole.LAY_ADVISER, ends_on__isnull=False)
                | (~Q(role=BoardRole.LAY_ADVISER) & Q(agency__isnull=False)),
                name="oversight_tenure_lay_term_fixed_member_has_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.get_role_display().lower()} of the {self.area} SMB"
