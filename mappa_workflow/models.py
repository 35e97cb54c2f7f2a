"""Shared records: MAPPA areas, agencies, users and their roles, area settings and the audit trail."""

from __future__ import annotations

import uuid
from datetime import date

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTransform
from django.utils.functional import cached_property

from . import request_context


class AgencyType(models.TextChoices):
    POLICE = "police", "Police"
    PROBATION = "probation", "Probation"
    PRISON = "prison", "Prison"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care / children's trust"
    YOUTH_JUSTICE = "youth_justice", "Youth justice service"
    HOUSING = "housing", "Housing authority"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    HEALTH = "health", "Health"
    DWP = "dwp", "DWP / Jobcentre Plus"
    ELECTRONIC_MONITORING = "electronic_monitoring", "Electronic monitoring"
    IMMIGRATION_ENFORCEMENT = "immigration_enforcement", "Immigration enforcement"
    OTHER = "other", "Other duty-to-co-operate or associate agency"

    @classmethod
    def responsible_authority(cls) -> set[str]:
        return {cls.POLICE, cls.PROBATION, cls.PRISON}


class Area(models.Model):
    """A MAPPA area: one of the 42 police force areas of England and Wales."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100, unique=True)
    country = models.CharField(max_length=20, choices=[("england", "England"), ("wales", "Wales")])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AreaPopulation(models.Model):
    """An area's resident population aged 10 and over for a year, with where the figure came from.

    Used for the Category 1 rate per 100,000. ``year`` is the reporting year's start (2024 = 2024/25).
    """

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    population_aged_10_and_over = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    source = models.TextField(help_text="Where the estimate comes from, as the annual report will cite it.")

    class Meta:
        ordering = ["area", "year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="one_population_per_area_year"),
            models.CheckConstraint(condition=models.Q(population_aged_10_and_over__gt=0), name="population_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year}/{(self.year + 1) % 100:02d}: {self.population_aged_10_and_over:,}"


class Agency(models.Model):
    """An agency taking part in MAPPA in an area (responsible authority, duty to co-operate or associate)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="agencies")
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=40, blank=True)
    agency_type = models.CharField(max_length=40, choices=AgencyType.choices)
    email = models.EmailField(blank=True, help_text="Shared inbox for MAPPA correspondence.")

    class Meta:
        ordering = ["area", "name"]
        verbose_name_plural = "agencies"
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="agency_name_unique_in_area")]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_responsible_authority(self) -> bool:
        return self.agency_type in AgencyType.responsible_authority()


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "MAPPA co-ordinator"
    CHAIR = "chair", "Chair"
    PRACTITIONER = "practitioner", "Agency practitioner"
    SMB_MEMBER = "smb_member", "Strategic Management Board member"
    LAY_ADVISER = "lay_adviser", "Lay adviser"
    ADMINISTRATOR = "administrator", "Administrator"
    # Held with PRACTITIONER by an agency's victim liaison officer: records victims' views (victims app).
    VICTIM_LIAISON = "victim_liaison", "Victim liaison officer"


class Seniority(models.IntegerChoices):
    """Grades that matter to MAPPA: a Level 3 chair must be superintendent-equivalent or above."""

    PRACTITIONER = 1, "Practitioner"
    MANAGER = 2, "Team manager (inspector equivalent)"
    SENIOR_MANAGER = 3, "Senior manager (chief inspector equivalent)"
    SUPERINTENDENT = 4, "Superintendent or equivalent"
    CHIEF_OFFICER = 5, "Chief officer or equivalent"


class User(AbstractUser):
    """A person who signs in. Belongs to one area and one agency, and holds one or more roles."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    job_title = models.CharField(max_length=120, blank=True)
    seniority = models.PositiveSmallIntegerField(choices=Seniority.choices, default=Seniority.PRACTITIONER)
    counter_terrorism_cleared = models.BooleanField(
        default=False, help_text="May see Category 4 (terrorism and terrorism-risk) records."
    )
    is_synthetic = models.BooleanField(default=False, help_text="A demo or generated account.")

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.role_assignments.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}"


class AreaSettings(models.Model):
    """Timescales and reporting choices an area may set for itself. Defaults follow DOMAIN.md (to verify)."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="settings")
    first_meeting_working_days_level_2 = models.PositiveSmallIntegerField(default=20)
    first_meeting_working_days_level_3 = models.PositiveSmallIntegerField(default=5)
    review_weeks_level_2 = models.PositiveSmallIntegerField(default=16)
    review_weeks_level_3 = models.PositiveSmallIntegerField(default=8)
    minutes_due_working_days = models.PositiveSmallIntegerField(default=10)
    due_soon_days = models.PositiveSmallIntegerField(
        default=5, help_text="How many working days ahead something counts as due soon."
    )
    scheduling_window_working_days = models.PositiveSmallIntegerField(
        default=20,
        help_text=(
            "When a Level 2 or 3 panel is scheduled, cases due for a first meeting or review up to this many working"
            " days after the meeting are offered for its agenda (overdue cases always are)."
        ),
    )
    suppression_threshold = models.PositiveSmallIntegerField(
        default=0, help_text="Published cells from 1 to this number show '*'. 0 turns suppression off."
    )
    coordination_team_email = models.EmailField(
        blank=True,
        help_text=(
            "The MAPPA co-ordination team's shared inbox. When set, a referral awaiting screening is emailed there"
            " once, not to each co-ordinator."
        ),
    )

    class Meta:
        verbose_name_plural = "area settings"

    def __str__(self) -> str:
        return f"Settings for {self.area}"

    @classmethod
    def for_area(cls, area: Area) -> AreaSettings:
        """The area's settings (made with the defaults on first use); read once per request, since a page's
        parts each ask (the dashboard: cases due and meetings' timescales). Changed only in the admin."""
        return request_context.once_per_request(
            ("area_settings", area.pk), lambda: cls.objects.get_or_create(area=area)[0]
        )


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    TRANSITION = "transition", "Transition"
    VIEW = "view", "Viewed"
    EXPORT = "export", "Exported"
    SIGN_IN = "sign_in", "Signed in"


class AuditEvent(models.Model):
    """One row of the append-only audit trail. Each row's hash covers its content and the previous row's hash."""

    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=200, help_text="Who acted, as they were named at the time.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, db_index=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    transition = models.CharField(max_length=60, blank=True)
    from_state = models.CharField(max_length=60, blank=True)
    to_state = models.CharField(max_length=60, blank=True)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx"),
            # "who viewed this case" (audit.case_viewers) finds views by the person they were about: without
            # this it read the whole trail, which grows with every page view, on each case page
            models.Index(
                KeyTransform("individual_id", "details"), condition=Q(action="view"), name="audit_viewed_individual_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"


def reporting_year_bounds(year: int) -> tuple[date, date]:
    """The reporting year starting in April of ``year``: (1 April year, 31 March year+1), both inclusive."""
    return date(year, 4, 1), date(year + 1, 3, 31)
