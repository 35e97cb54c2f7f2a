"""Individuals, MAPPA registrations as dated periods, life events and MAPPA A referrals.

One module on purpose, though it passes 500 lines: it is the app's schema, and its models share their
states, choices and constraints (the migrations follow this file).
"""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mappa_workflow.models import Agency, Area, User
from mappa_workflow.validators import refuse_hidden_characters

from .identifiers import ndelius_validator, pnc_validator, telephone_validator, visor_validator


class Category(models.IntegerChoices):
    SEXUAL = 1, "Category 1: Subject to sex offender notification requirements"
    VIOLENT = 2, "Category 2: Violent offenders"
    OTHER_DANGEROUS = 3, "Category 3: Other dangerous offenders"
    TERRORISM = 4, "Category 4: Terrorism and terrorism risk"


class Level(models.IntegerChoices):
    LEVEL_1 = 1, "Level 1"
    LEVEL_2 = 2, "Level 2"
    LEVEL_3 = 3, "Level 3"


class Location(models.TextChoices):
    COMMUNITY = "community", "In the community"
    CUSTODY = "custody", "In custody"
    HOSPITAL = "hospital", "Detained in hospital"


class Gender(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    OTHER = "other", "Other"
    NOT_STATED = "not_stated", "Not stated"


class RiskOfSeriousHarm(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class ExitReason(models.TextChoices):
    NOTIFICATION_PERIOD_ENDED = "notification_period_ended", "Notification period ended"
    LIFETIME_NOTIFICATION_REVOKED = "lifetime_notification_revoked", "Lifetime notification revoked on application"
    LICENCE_OR_ORDER_ENDED = "licence_or_order_ended", "Licence or order ended"
    RISK_REDUCED = "risk_reduced", "Risk reduced"
    TRANSFERRED_OUT = "transferred_out", "Transferred to another area"
    DECEASED = "deceased", "Deceased"


def age_on(born: date, day: date) -> int:
    """Age in whole years on ``day`` (a birthday that day counts)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class IndividualQuerySet(models.QuerySet["Individual"]):
    def search(self, term: str) -> IndividualQuerySet:
        term = term.strip()
        if not term:
            return self
        return self.filter(
            Q(family_name__icontains=term)
            | Q(given_names__icontains=term)
            | Q(aliases__name__icontains=term)
            | Q(visor_reference__iexact=term)
            | Q(pnc_reference__iexact=term)
            | Q(ndelius_reference__iexact=term)
        ).distinct()


class Individual(models.Model):
    """A MAPPA-eligible person. Always synthetic in this project (``is_synthetic`` is never false)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="individuals")
    given_names = models.CharField(max_length=100, validators=[refuse_hidden_characters])
    family_name = models.CharField(max_length=100, validators=[refuse_hidden_characters])
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=20, choices=Gender.choices)
    ethnicity_as_stated = models.CharField(max_length=100, blank=True, help_text="In the person's own words.")
    address = models.TextField(blank=True)
    no_fixed_abode = models.BooleanField(default=False)
    area_of_closest_links = models.CharField(
        max_length=200, blank=True, help_text="Where the person has closest links when there is no fixed abode."
    )
    visor_reference = models.CharField(
        max_length=20, blank=True, validators=[refuse_hidden_characters, visor_validator]
    )
    pnc_reference = models.CharField(max_length=20, blank=True, validators=[refuse_hidden_characters, pnc_validator])
    ndelius_reference = models.CharField(
        max_length=20, blank=True, validators=[refuse_hidden_characters, ndelius_validator]
    )
    children_linked = models.BooleanField(default=False, help_text="Children live with or are linked to the person.")
    is_synthetic = models.BooleanField(default=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = IndividualQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_names"]
        indexes = [models.Index(fields=["area", "family_name"], name="individual_area_name_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(is_synthetic=True), name="individual_is_synthetic"),
            models.CheckConstraint(
                condition=Q(no_fixed_abode=False) | ~Q(area_of_closest_links=""),
                name="no_fixed_abode_needs_area_of_closest_links",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_names}"

    def clean(self) -> None:
        errors = {}
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            errors["date_of_birth"] = "Date of birth must be in the past"
        elif self.date_of_birth and self.date_of_birth.year < 1900:
            errors["date_of_birth"] = "Date of birth must be after 1900"
        if self.no_fixed_abode and not self.area_of_closest_links.strip():
            errors["area_of_closest_links"] = "Enter the area of closest links when there is no fixed abode"
        if errors:
            raise ValidationError(errors)

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)

    @property
    def is_under_18(self) -> bool:
        return self.age_on(timezone.localdate()) < 18


class Alias(models.Model):
    individual = models.ForeignKey(Individual, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, validators=[refuse_hidden_characters])

    class Meta:
        verbose_name_plural = "aliases"
        constraints = [models.UniqueConstraint(fields=["individual", "name"], name="alias_once_per_individual")]

    def __str__(self) -> str:
        return self.name


class RegistrationStatus(models.TextChoices):
    LEVEL_1 = "level_1", "Managed at Level 1"
    LEVEL_2 = "level_2", "Managed at Level 2"
    LEVEL_3 = "level_3", "Managed at Level 3"
    EXITED = "exited", "Exited MAPPA"


STATUS_FOR_LEVEL = {1: RegistrationStatus.LEVEL_1, 2: RegistrationStatus.LEVEL_2, 3: RegistrationStatus.LEVEL_3}
LEVEL_FOR_STATUS = {status: level for level, status in STATUS_FOR_LEVEL.items()}


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def active(self) -> RegistrationQuerySet:
        return self.exclude(status=RegistrationStatus.EXITED)

    def managed_at_level_2_or_3(self) -> RegistrationQuerySet:
        return self.filter(status__in=[RegistrationStatus.LEVEL_2, RegistrationStatus.LEVEL_3])


class Registration(ConcurrentTransitionMixin, models.Model):
    """One spell of MAPPA management of an individual in an area, from registration to exit.

    Its history is a chain of :class:`RegistrationPeriod` rows with no gaps and no overlaps.
    ``status`` is the management level state machine; the services keep it equal to the open
    period's level. Change it only through ``referrals.services``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="registrations")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="registrations")
    status = FSMField(choices=RegistrationStatus.choices, protected=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    exit_reason = models.CharField(max_length=40, choices=ExitReason.choices, blank=True)
    exit_notes = models.TextField(blank=True)
    first_meeting_due = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    # Probation's MAPPA details name who manages the case day to day (docs/import-format.md, "MAPPA details").
    # A database default too: the history importer's bulk INSERT names only the columns it fills.
    officer_name = models.CharField(
        "Named officer", max_length=200, blank=True, default="", db_default="", validators=[refuse_hidden_characters]
    )
    team = models.CharField(
        max_length=120, blank=True, default="", db_default="", validators=[refuse_hidden_characters]
    )
    notes = models.TextField(blank=True, default="", db_default="", validators=[refuse_hidden_characters])

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=RegistrationStatus.EXITED) & Q(ended_on__isnull=False) & ~Q(exit_reason=""))
                | (~Q(status=RegistrationStatus.EXITED) & Q(ended_on__isnull=True) & Q(exit_reason="")),
                name="registration_exit_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="registration_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["individual"],
                condition=~Q(status=RegistrationStatus.EXITED),
                name="one_active_registration_per_individual",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.individual} ({self.get_status_display()})"

    @property
    def level(self) -> int | None:
        return LEVEL_FOR_STATUS.get(self.status)

    # The transitions only set the state; the services open and close the periods around them.
    @transition(field=status, source=RegistrationStatus.LEVEL_1, target=RegistrationStatus.LEVEL_2)
    def escalate_to_level_2(self) -> None:
        pass

    @transition(
        field=status, source=[RegistrationStatus.LEVEL_1, RegistrationStatus.LEVEL_2], target=RegistrationStatus.LEVEL_3
    )
    def escalate_to_level_3(self) -> None:
        pass

    @transition(field=status, source=RegistrationStatus.LEVEL_3, target=RegistrationStatus.LEVEL_2)
    def de_escalate_to_level_2(self) -> None:
        pass

    @transition(
        field=status,
        source=[RegistrationStatus.LEVEL_2, RegistrationStatus.LEVEL_3],
        target=RegistrationStatus.LEVEL_1,
    )
    def de_escalate_to_level_1(self) -> None:
        pass

    @transition(
        field=status,
        source=[RegistrationStatus.LEVEL_1, RegistrationStatus.LEVEL_2, RegistrationStatus.LEVEL_3],
        target=RegistrationStatus.EXITED,
    )
    def exit(self, *, ended_on: date, exit_reason: str, notes: str) -> None:
        self.ended_on = ended_on
        self.exit_reason = exit_reason
        self.exit_notes = notes


class RegistrationPeriodQuerySet(models.QuerySet["RegistrationPeriod"]):
    def on(self, day: date) -> RegistrationPeriodQuerySet:
        """Periods in force on ``day`` (periods are half-open: [start_date, end_date))."""
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gt=day), start_date__lte=day)

    def overlapping(self, first: date, last: date) -> RegistrationPeriodQuerySet:
        """Periods in force on at least one day from ``first`` to ``last`` inclusive."""
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gt=first), start_date__lte=last)

    def in_community(self) -> RegistrationPeriodQuerySet:
        return self.filter(location=Location.COMMUNITY)


class RegistrationPeriod(models.Model):
    """A stretch of a registration during which category, level, location and lead agency did not change.

    ``end_date`` is exclusive: the next period starts on it. ``individual`` and ``area`` repeat the
    registration's so that statistics aggregate without joins.
    """

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="periods")
    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="periods")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    category = models.PositiveSmallIntegerField(choices=Category.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    location = models.CharField(max_length=20, choices=Location.choices)
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    change_reason = models.CharField(max_length=200, blank=True)

    objects = RegistrationPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["start_date"]
        indexes = [
            models.Index(fields=["area", "start_date", "end_date"], name="period_area_dates_idx"),
            models.Index(fields=["individual", "start_date"], name="period_individual_idx"),
            # The yearly Level 2/3 table reads only these few percent of periods (docs/performance.md).
            models.Index(fields=["area", "start_date"], condition=Q(level__in=[2, 3]), name="period_level_2_3_idx"),
            # Who is ever Category 4 (hidden from anyone without clearance): a few rows, read on every case page.
            models.Index(fields=["individual"], condition=Q(category=4), name="period_category_4_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=models.F("start_date")),
                name="period_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~Q(category=3) | Q(level__in=[2, 3]), name="category_3_only_at_level_2_or_3"
            ),
            models.CheckConstraint(condition=Q(category__in=[1, 2, 3, 4]), name="category_is_1_to_4"),
            models.CheckConstraint(condition=Q(level__in=[1, 2, 3]), name="level_is_1_to_3"),
            models.UniqueConstraint(fields=["registration", "start_date"], name="one_period_starts_per_day"),
            models.UniqueConstraint(
                fields=["registration"], condition=Q(end_date__isnull=True), name="one_open_period_per_registration"
            ),
        ]

    def __str__(self) -> str:
        end = self.end_date.isoformat() if self.end_date else "open"
        return f"{self.start_date.isoformat()} to {end}: Category {self.category}, Level {self.level}, {self.location}"


class LifeEventType(models.TextChoices):
    BREACH_NOTIFICATION_CAUTION = "breach_notification_caution", "Cautioned for breach of notification requirements"
    BREACH_NOTIFICATION_CONVICTION = (
        "breach_notification_conviction",
        "Convicted for breach of notification requirements",
    )
    LIFETIME_NOTIFICATION_REVOKED = "lifetime_notification_revoked", "Lifetime notification revoked on application"
    SHPO_IMPOSED = "shpo_imposed", "Sexual Harm Prevention Order (SHPO) imposed"
    NOTIFICATION_ORDER_IMPOSED = "notification_order_imposed", "Notification Order imposed"
    SRO_MADE = "sro_made", "Sexual Risk Order made"
    SRO_BREACHED = "sro_breached", "Sexual Risk Order breached: became subject to notification"
    RETURNED_TO_CUSTODY_LICENCE = "returned_to_custody_licence", "Returned to custody: breach of licence"
    RETURNED_TO_CUSTODY_SHPO = "returned_to_custody_shpo", "Returned to custody: breach of SHPO"
    RELEASED = "released", "Released from custody"
    HOSPITAL_ADMISSION = "hospital_admission", "Detained in hospital"
    HOSPITAL_DISCHARGE = "hospital_discharge", "Discharged from hospital"
    TRANSFERRED_IN = "transferred_in", "Transferred in from another area"
    TRANSFERRED_OUT = "transferred_out", "Transferred out to another area"


class LifeEvent(models.Model):
    """A dated event in an individual's history. Those that change where or how the person is managed
    (custody, release, hospital, transfer, revocation, SRO breach) change the periods in the same service."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="life_events")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, null=True, blank=True, related_name="life_events"
    )
    event_type = models.CharField(max_length=40, choices=LifeEventType.choices)
    occurred_on = models.DateField()
    foreign_travel_restriction = models.BooleanField(
        default=False, help_text="For an SHPO: it includes a foreign travel restriction."
    )
    details = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_on", "recorded_at"]
        indexes = [models.Index(fields=["area", "event_type", "occurred_on"], name="event_area_type_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(foreign_travel_restriction=False) | Q(event_type="shpo_imposed"),
                name="foreign_travel_restriction_only_on_shpo",
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on.isoformat()} {self.get_event_type_display()}"


class ReferralState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    MORE_INFORMATION_REQUESTED = "more_information_requested", "More information requested"
    RESUBMITTED = "resubmitted", "Resubmitted"
    ACCEPTED_LEVEL_2 = "accepted_level_2", "Accepted at Level 2"
    ACCEPTED_LEVEL_3 = "accepted_level_3", "Accepted at Level 3"
    MANAGED_AT_LEVEL_1 = "managed_at_level_1", "Managed at Level 1 (not adopted)"
    WITHDRAWN = "withdrawn", "Withdrawn"


AWAITING_SCREENING = [ReferralState.SUBMITTED, ReferralState.RESUBMITTED]
OPEN_FOR_EDITING = [ReferralState.DRAFT, ReferralState.MORE_INFORMATION_REQUESTED]
DECIDED = [ReferralState.ACCEPTED_LEVEL_2, ReferralState.ACCEPTED_LEVEL_3, ReferralState.MANAGED_AT_LEVEL_1]


MISSING_ANSWER_MESSAGES = {
    "category": "Select the MAPPA category",
    "level_requested": "Select the level you are referring for",
    "current_location": "Select where the person is now",
    "index_offence": "Enter the index offence",
    "index_offence_date": "Enter the date of the index offence",
    "sentence": "Enter the sentence",
    "sentence_date": "Enter the date of sentence",
    "reason_for_referral": "Enter the reason for referral",
    "risk_of_serious_harm": "Select the current risk of serious harm",
    "referring_officer_name": "Enter the referring officer's name",
}


class ReferralQuerySet(models.QuerySet["Referral"]):
    def awaiting_screening(self) -> ReferralQuerySet:
        return self.filter(state__in=AWAITING_SCREENING)

    def decided(self) -> ReferralQuerySet:
        return self.filter(state__in=DECIDED)

    def for_area(self, area: Area) -> ReferralQuerySet:
        return self.filter(area=area)


class Referral(ConcurrentTransitionMixin, models.Model):
    """A MAPPA A referral from an agency to the area's MAPPA co-ordinator.

    Change it only through ``referrals.services``: each transition there locks the row, checks
    the state the user saw, writes an audit row and runs side effects after commit.
    """

    MANDATORY_FOR_SUBMISSION = (
        "category",
        "level_requested",
        "current_location",
        "index_offence",
        "index_offence_date",
        "sentence",
        "sentence_date",
        "reason_for_referral",
        "risk_of_serious_harm",
        "referring_officer_name",
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="referrals")
    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="referrals")
    state = FSMField(default=ReferralState.DRAFT, choices=ReferralState.choices, protected=True)

    # MAPPA A: what is asked for and why
    level_requested = models.PositiveSmallIntegerField(null=True, blank=True, choices=[(2, "Level 2"), (3, "Level 3")])
    category = models.PositiveSmallIntegerField(null=True, blank=True, choices=Category.choices)
    why_level_2_cannot_manage = models.TextField(
        blank=True, help_text="For a Level 3 referral: what Level 2 management cannot deliver."
    )
    reason_for_referral = models.TextField(blank=True)
    risk_of_serious_harm = models.CharField(max_length=20, choices=RiskOfSeriousHarm.choices, blank=True)

    # Where the person is
    current_location = models.CharField(max_length=20, choices=Location.choices, blank=True)
    proposed_release_address = models.TextField(blank=True)
    expected_release_date = models.DateField(null=True, blank=True)

    # Offending
    index_offence = models.TextField(blank=True)
    index_offence_date = models.DateField(null=True, blank=True)
    sentence = models.CharField(max_length=200, blank=True)
    sentence_date = models.DateField(null=True, blank=True)
    sentence_expiry_date = models.DateField(null=True, blank=True)
    previous_relevant_offending = models.TextField(blank=True)
    hospital_detention = models.TextField(blank=True, help_text="Any detention under the Mental Health Act.")

    # Who refers
    referring_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals_made")
    referring_officer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="referrals_made")
    referring_officer_name = models.CharField(max_length=200, blank=True)
    referring_officer_phone = models.CharField(max_length=40, blank=True, validators=[telephone_validator])
    referring_officer_email = models.EmailField(blank=True)

    # Screening
    submitted_at = models.DateTimeField(null=True, blank=True)
    more_information_request = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decision_rationale = models.TextField(blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    withdrawal_reason = models.TextField(blank=True)
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    first_meeting_due = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["area", "state"], name="referral_area_state_idx"),
            models.Index(fields=["individual"], condition=Q(category=4), name="referral_category_4_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(category=3) | Q(level_requested__in=[2, 3]) | Q(level_requested__isnull=True),
                name="referral_category_3_needs_level_2_or_3",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=DECIDED) | (~Q(decision_rationale="") & Q(decided_on__isnull=False)),
                name="referral_decision_has_rationale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.individual}"

    def missing_for_submission(self) -> dict[str, str]:
        """Mandatory MAPPA A answers not yet given, as field -> message."""
        missing = {
            name: MISSING_ANSWER_MESSAGES[name]
            for name in self.MANDATORY_FOR_SUBMISSION
            if getattr(self, name) in (None, "")
        }
        if self.level_requested == 3 and not self.why_level_2_cannot_manage.strip():
            missing["why_level_2_cannot_manage"] = "Say what Level 2 management cannot deliver for a Level 3 referral"
        if self.current_location == Location.CUSTODY and not self.proposed_release_address.strip():
            missing["proposed_release_address"] = "Enter the proposed release address, or 'not yet known'"
        return missing

    def is_complete(self) -> bool:
        return not self.missing_for_submission()

    @property
    def is_awaiting_screening(self) -> bool:
        return self.state in AWAITING_SCREENING

    @property
    def decided_level(self) -> int | None:
        return {
            ReferralState.ACCEPTED_LEVEL_2: 2,
            ReferralState.ACCEPTED_LEVEL_3: 3,
            ReferralState.MANAGED_AT_LEVEL_1: 1,
        }.get(self.state)

    # Transitions set state and the fields the state implies; services do everything else.
    @transition(field=state, source=ReferralState.DRAFT, target=ReferralState.SUBMITTED, conditions=[is_complete])  # type: ignore[list-item]  # django-fsm types a condition as taking any Model, not this one
    def submit(self) -> None:
        self.submitted_at = timezone.now()

    @transition(field=state, source=AWAITING_SCREENING, target=ReferralState.MORE_INFORMATION_REQUESTED)
    def request_more_information(self, *, request: str) -> None:
        self.more_information_request = request

    @transition(
        field=state,
        source=ReferralState.MORE_INFORMATION_REQUESTED,
        target=ReferralState.RESUBMITTED,
        conditions=[is_complete],  # type: ignore[list-item]  # django-fsm types a condition as taking any Model, not this one
    )
    def resubmit(self) -> None:
        self.submitted_at = timezone.now()

    def _decide(self, *, decided_on: date, rationale: str, decided_by: User | None) -> None:
        self.decided_on = decided_on
        self.decision_rationale = rationale
        self.decided_by = decided_by

    @transition(field=state, source=AWAITING_SCREENING, target=ReferralState.ACCEPTED_LEVEL_2)
    def accept_at_level_2(self, *, decided_on: date, rationale: str, decided_by: User | None) -> None:
        self._decide(decided_on=decided_on, rationale=rationale, decided_by=decided_by)

    @transition(field=state, source=AWAITING_SCREENING, target=ReferralState.ACCEPTED_LEVEL_3)
    def accept_at_level_3(self, *, decided_on: date, rationale: str, decided_by: User | None) -> None:
        self._decide(decided_on=decided_on, rationale=rationale, decided_by=decided_by)

    @transition(field=state, source=AWAITING_SCREENING, target=ReferralState.MANAGED_AT_LEVEL_1)
    def manage_at_level_1(self, *, decided_on: date, rationale: str, decided_by: User | None) -> None:
        self._decide(decided_on=decided_on, rationale=rationale, decided_by=decided_by)

    @transition(
        field=state,
        source=[ReferralState.DRAFT, *AWAITING_SCREENING, ReferralState.MORE_INFORMATION_REQUESTED],
        target=ReferralState.WITHDRAWN,
    )
    def withdraw(self, *, withdrawal_reason: str) -> None:
        self.withdrawal_reason = withdrawal_reason
