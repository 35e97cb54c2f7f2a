"""Threshold meetings and Level 2/3 panels: agenda, invitations, attendance, minutes (MAPPA C),
disclosure decisions and risk management actions.

Change any of it only through ``meetings.services``: every state change there locks the row,
checks the rules, writes an audit row and tells other apps (signals) after commit.

One module on purpose, though it passes 500 lines: it is the app's schema, and its models share their
states, choices and constraints (the migrations follow this file).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mappa_workflow.models import Agency, AgencyType, Area, Seniority, User
from referrals.models import ExitReason, Referral, Registration


class MeetingType(models.TextChoices):
    THRESHOLD = "threshold", "Threshold (screening) meeting"
    LEVEL_2 = "level_2", "Level 2 panel"
    LEVEL_3 = "level_3", "Level 3 panel"

    @property
    def level(self) -> int | None:
        return {"level_2": 2, "level_3": 3}.get(self.value)

    @classmethod
    def for_level(cls, level: int) -> MeetingType:
        return {2: cls.LEVEL_2, 3: cls.LEVEL_3}[level]


# ---------------------------------------------------------------------------------------------
# Who sits on a panel, and who must be there: kept as data per area
# ---------------------------------------------------------------------------------------------


class PanelCondition(models.TextChoices):
    ALWAYS = "always", "Every meeting (core panel)"
    UNDER_18 = "under_18", "When a person on the agenda is under 18"
    IN_CUSTODY = "in_custody", "When a person on the agenda is in custody"
    CHILDREN_LINKED = "children_linked", "When children are linked to a person on the agenda"


class PanelMembership(models.Model):
    """An agency invited to an area's meetings of one type, always or when a case needs it."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="panel_memberships")
    meeting_type = models.CharField(max_length=20, choices=MeetingType.choices)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="panel_memberships")
    condition = models.CharField(max_length=20, choices=PanelCondition.choices, default=PanelCondition.ALWAYS)

    class Meta:
        ordering = ["area", "meeting_type", "condition", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "meeting_type", "agency", "condition"], name="panel_membership_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.get_meeting_type_display()}: {self.agency} ({self.get_condition_display()})"


class AttendanceRequirement(models.Model):
    """An agency type that must be present at a type of meeting, at or above a seniority.

    Rows with no area are the national default; an area with any rows of its own for a meeting
    type uses only those. Approving minutes with a requirement unmet needs a recorded confirmation.
    """

    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, null=True, blank=True, related_name="attendance_requirements"
    )
    meeting_type = models.CharField(max_length=20, choices=MeetingType.choices)
    agency_type = models.CharField(max_length=40, choices=AgencyType.choices)
    minimum_seniority = models.PositiveSmallIntegerField(choices=Seniority.choices, default=Seniority.PRACTITIONER)

    class Meta:
        ordering = ["area", "meeting_type", "agency_type"]
        constraints = [
            models.UniqueConstraint(fields=["area", "meeting_type", "agency_type"], name="attendance_requirement_once"),
            models.UniqueConstraint(
                fields=["meeting_type", "agency_type"],
                condition=Q(area__isnull=True),
                name="default_attendance_requirement_once",
            ),
        ]

    def __str__(self) -> str:
        where = self.area or "Default"
        return (
            f"{where} {self.get_meeting_type_display()}: {self.get_agency_type_display()} "
            f"({self.get_minimum_seniority_display()} or above)"
        )


# ---------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    MINUTES_DRAFTED = "minutes_drafted", "Minutes drafted"
    MINUTES_APPROVED = "minutes_approved", "Minutes approved and circulated"
    CANCELLED = "cancelled", "Cancelled"


NOT_CANCELLED = [
    MeetingState.SCHEDULED,
    MeetingState.HELD,
    MeetingState.MINUTES_DRAFTED,
    MeetingState.MINUTES_APPROVED,
]


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def for_area(self, area: Area) -> MeetingQuerySet:
        return self.filter(area=area)

    def not_cancelled(self) -> MeetingQuerySet:
        return self.filter(state__in=NOT_CANCELLED)

    def upcoming(self) -> MeetingQuerySet:
        return self.filter(state=MeetingState.SCHEDULED)

    def overlapping(self, starts_at: dt.datetime, ends_at: dt.datetime) -> MeetingQuerySet:
        """Meetings not cancelled whose time overlaps [starts_at, ends_at)."""
        return self.not_cancelled().filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class Meeting(ConcurrentTransitionMixin, models.Model):
    """One threshold meeting or Level 2/3 panel: its time, place, chair, agenda and minutes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="meetings")
    meeting_type = models.CharField(max_length=20, choices=MeetingType.choices)
    state = FSMField(default=MeetingState.SCHEDULED, choices=MeetingState.choices, protected=True)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=120)
    ends_at = models.DateTimeField(editable=False, help_text="Start plus duration, kept for overlap checks.")
    venue = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    chair = models.ForeignKey(User, on_delete=models.PROTECT, related_name="meetings_chaired")
    ics_uid = models.CharField(max_length=120, unique=True, editable=False)
    ics_sequence = models.PositiveIntegerField(default=0, editable=False)
    cancellation_reason = models.TextField(blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    attendance_gaps = models.TextField(
        blank=True, help_text="Required attendance missing when the minutes were approved, as recorded then."
    )
    attendance_gaps_confirmed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["area", "state", "starts_at"], name="meeting_area_state_start_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(state=MeetingState.CANCELLED) | ~Q(cancellation_reason=""),
                name="cancelled_meeting_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state=MeetingState.MINUTES_APPROVED) | Q(minutes_approved_at__isnull=False),
                name="approved_minutes_have_a_date",
            ),
            models.CheckConstraint(condition=~Q(venue="") | ~Q(video_link=""), name="meeting_has_venue_or_video_link"),
        ]

    def __str__(self) -> str:
        return f"{self.get_meeting_type_display()}, {timezone.localtime(self.starts_at):%-d %B %Y %H:%M}"

    @property
    def level(self) -> int | None:
        return MeetingType(self.meeting_type).level

    @property
    def is_threshold(self) -> bool:
        return self.meeting_type == MeetingType.THRESHOLD

    @property
    def meeting_date(self) -> dt.date:
        return timezone.localtime(self.starts_at).date()

    def all_cases_minuted(self) -> bool:
        return not self.agenda_items.filter(minutes__isnull=True).exists()

    # Transitions only set fields; meetings.services does the rest.
    @transition(field=state, source=MeetingState.SCHEDULED, target=MeetingState.SCHEDULED)
    def reschedule(self, *, starts_at: dt.datetime, duration_minutes: int) -> None:
        self.starts_at = starts_at
        self.duration_minutes = duration_minutes
        self.ends_at = starts_at + dt.timedelta(minutes=duration_minutes)
        self.ics_sequence += 1

    @transition(field=state, source=MeetingState.SCHEDULED, target=MeetingState.CANCELLED)
    def cancel(self, *, cancellation_reason: str) -> None:
        self.cancellation_reason = cancellation_reason
        self.ics_sequence += 1

    @transition(field=state, source=MeetingState.SCHEDULED, target=MeetingState.HELD)
    def hold(self) -> None:
        self.held_at = timezone.now()

    @transition(
        field=state,
        source=MeetingState.HELD,
        target=MeetingState.MINUTES_DRAFTED,
        conditions=[all_cases_minuted],  # type: ignore[list-item]  # django-fsm types a condition as taking any Model, not this one
    )
    def draft_minutes(self) -> None:
        pass

    @transition(field=state, source=MeetingState.MINUTES_DRAFTED, target=MeetingState.MINUTES_APPROVED)
    def approve_minutes(self, *, approved_by: User, gaps: str, gaps_confirmed_by: User | None) -> None:
        self.minutes_approved_at = timezone.now()
        self.minutes_approved_by = approved_by
        self.attendance_gaps = gaps
        self.attendance_gaps_confirmed_by = gaps_confirmed_by


class MeetingReschedule(models.Model):
    """A meeting moved to another time, and why (the invitations follow)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reschedules")
    previous_starts_at = models.DateTimeField()
    new_starts_at = models.DateTimeField()
    reason = models.TextField()
    rescheduled_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    rescheduled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rescheduled_at", "id"]

    def __str__(self) -> str:
        return f"{self.meeting}: moved from {timezone.localtime(self.previous_starts_at):%-d %B %Y %H:%M}"


class Invitation(models.Model):
    """An agency invited to a meeting, and why: the core panel or a need of a case on the agenda.

    ``reason`` never names a person: for a case need it is the need alone ("In custody") and ``need`` says
    which, so the people who have it are named only when the invitation is read, from the agenda as it is
    then and as far as the reader may see it (``need_to_know.selectors.invitations_as_seen_by``).
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    need = models.CharField(max_length=20, choices=PanelCondition.choices, blank=True)

    class Meta:
        ordering = ["agency__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "agency"], name="invite_agency_once")]

    def __str__(self) -> str:
        return f"{self.agency} ({self.reason})"


class AgendaItemKind(models.TextChoices):
    SCREENING = "screening", "Screening of a referral"
    FIRST_MEETING = "first_meeting", "First meeting"
    REVIEW = "review", "Review"


class AgendaItem(models.Model):
    """A case on a meeting's agenda: a referral to screen, or a registration's first meeting or review."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=AgendaItemKind.choices)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items")
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items"
    )
    actions_to_review: models.ManyToManyField[RiskAction, Any] = models.ManyToManyField(
        "RiskAction", blank=True, related_name="reviewed_at", help_text="Unfinished actions carried to this meeting."
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=AgendaItemKind.SCREENING) & Q(referral__isnull=False) & Q(registration__isnull=True))
                | (~Q(kind=AgendaItemKind.SCREENING) & Q(referral__isnull=True) & Q(registration__isnull=False)),
                name="agenda_item_is_a_referral_or_a_registration",
            ),
            models.UniqueConstraint(
                fields=["meeting", "referral"], condition=Q(referral__isnull=False), name="referral_once_per_agenda"
            ),
            models.UniqueConstraint(
                fields=["meeting", "registration"],
                condition=Q(registration__isnull=False),
                name="registration_once_per_agenda",
            ),
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_kind_display()}: {self.individual}"

    @property
    def individual(self):  # type: ignore[no-untyped-def]
        return self.referral.individual if self.referral_id else self.registration.individual


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES_WITH_REPORT = "apologies_with_report", "Apologies, written report sent"
    APOLOGIES = "apologies", "Apologies, no report"
    ABSENT = "absent", "Absent"
    OBSERVER = "observer", "Observer"


ATTENDING = [AttendanceStatus.PRESENT, AttendanceStatus.OBSERVER]


class Attendance(models.Model):
    """One person (or one agency's apologies) at a meeting, with their MAPPA D acknowledgement."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=30, choices=AttendanceStatus.choices)
    name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=200, blank=True)
    seniority = models.PositiveSmallIntegerField(choices=Seniority.choices, null=True, blank=True)
    confidentiality_acknowledged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the attendee acknowledged the confidentiality statement (MAPPA D)."
    )

    class Meta:
        ordering = ["meeting", "agency__name", "name"]
        verbose_name_plural = "attendance"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=ATTENDING) | (~Q(name="") & Q(confidentiality_acknowledged_at__isnull=False)),
                name="attendee_named_and_acknowledged_mappa_d",
            ),
            models.CheckConstraint(
                condition=Q(status=AttendanceStatus.OBSERVER) | Q(agency__isnull=False),
                name="only_observers_without_agency",
            ),
        ]

    def __str__(self) -> str:
        who = self.name or str(self.agency)
        return f"{who}: {self.get_status_display()}"


# ---------------------------------------------------------------------------------------------
# Minutes (MAPPA C), disclosure and the risk management plan
# ---------------------------------------------------------------------------------------------


class CaseDecision(models.TextChoices):
    """What a meeting decides for a case: a screening outcome, or a panel's level decision."""

    ACCEPT_LEVEL_2 = "accept_level_2", "Accept at Level 2"
    ACCEPT_LEVEL_3 = "accept_level_3", "Accept at Level 3"
    MANAGE_LEVEL_1 = "manage_level_1", "Manage at Level 1 (not adopted)"
    MORE_INFORMATION = "more_information", "Ask the referrer for more information"
    SAME_LEVEL = "same", "Remain at the same level"
    LEVEL_UP = "up", "Move up a level"
    LEVEL_DOWN = "down", "Move down a level"
    EXIT = "exit", "Exit MAPPA"


SCREENING_DECISIONS = [
    CaseDecision.ACCEPT_LEVEL_2,
    CaseDecision.ACCEPT_LEVEL_3,
    CaseDecision.MANAGE_LEVEL_1,
    CaseDecision.MORE_INFORMATION,
]
LEVEL_DECISIONS = [CaseDecision.SAME_LEVEL, CaseDecision.LEVEL_UP, CaseDecision.LEVEL_DOWN, CaseDecision.EXIT]


# The free-text headings of a case's minutes (MAPPA C), in the order they are written and shown.
MINUTES_TEXT_FIELDS = (
    "risk_summary",
    "rationale",
    "differing_views",
    "why_level_2_cannot_manage",
    "rmp_supervision",
    "rmp_monitoring_and_control",
    "rmp_interventions_and_treatment",
    "rmp_victim_safety_planning",
    "contingency",
)


class CaseMinutes(models.Model):
    """The minutes of one case at one meeting (MAPPA C)."""

    agenda_item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="minutes")
    risk_summary = models.TextField(help_text="Summary of the risk of serious harm.")
    decision = models.CharField(max_length=20, choices=CaseDecision.choices)
    rationale = models.TextField()
    differing_views = models.TextField(blank=True)
    exit_reason = models.CharField(max_length=40, choices=ExitReason.choices, blank=True)
    why_level_2_cannot_manage = models.TextField(blank=True)
    rmp_supervision = models.TextField("Supervision", blank=True)
    rmp_monitoring_and_control = models.TextField("Monitoring and control", blank=True)
    rmp_interventions_and_treatment = models.TextField("Interventions and treatment", blank=True)
    rmp_victim_safety_planning = models.TextField("Victim safety planning", blank=True)
    contingency = models.TextField(blank=True)
    next_review_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "case minutes"
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision=CaseDecision.EXIT) | ~Q(exit_reason=""), name="exit_decision_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Minutes: {self.agenda_item}"


class DisclosureDecision(models.Model):
    """A decision to disclose to a third party: necessary, lawful and proportionate, and recorded."""

    case_minutes = models.ForeignKey(CaseMinutes, on_delete=models.CASCADE, related_name="disclosures")
    recipient = models.CharField(max_length=200, help_text="To whom (victim, employer, new partner...).")
    what_is_disclosed = models.TextField()
    why = models.TextField(help_text="Why disclosure is necessary, lawful and proportionate.")
    recipient_undertaking = models.TextField(help_text="What the recipient undertakes to do with the information.")
    individual_told = models.BooleanField()
    why_individual_not_told = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(individual_told=True) | ~Q(why_individual_not_told=""),
                name="disclosure_says_why_individual_not_told",
            )
        ]

    def __str__(self) -> str:
        return f"Disclosure to {self.recipient}"


class PlanHeading(models.TextChoices):
    SUPERVISION = "supervision", "Supervision"
    MONITORING_AND_CONTROL = "monitoring_and_control", "Monitoring and control"
    INTERVENTIONS_AND_TREATMENT = "interventions_and_treatment", "Interventions and treatment"
    VICTIM_SAFETY_PLANNING = "victim_safety_planning", "Victim safety planning"
    CONTINGENCY = "contingency", "Contingency"


class RiskActionState(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CLOSED_NOT_POSSIBLE = "closed_not_possible", "Closed: not possible, circumstances changed"
    CLOSED_NOT_DONE = "closed_not_done", "Closed: not done by the agency"


UNFINISHED = [RiskActionState.OPEN, RiskActionState.IN_PROGRESS]
FINISHED = [RiskActionState.COMPLETED, RiskActionState.CLOSED_NOT_POSSIBLE, RiskActionState.CLOSED_NOT_DONE]


class RiskActionQuerySet(models.QuerySet["RiskAction"]):
    def unfinished(self) -> RiskActionQuerySet:
        return self.filter(state__in=UNFINISHED)

    def overdue(self, today: dt.date) -> RiskActionQuerySet:
        return self.unfinished().filter(due_date__lt=today)


class RiskAction(ConcurrentTransitionMixin, models.Model):
    """An action of a risk management plan, owned by an agency and a named officer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="risk_actions")
    case_minutes = models.ForeignKey(CaseMinutes, on_delete=models.PROTECT, related_name="actions")
    heading = models.CharField(max_length=40, choices=PlanHeading.choices)
    description = models.TextField()
    owning_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="risk_actions")
    officer_name = models.CharField(max_length=200)
    officer = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="risk_actions")
    due_date = models.DateField()
    state = FSMField(default=RiskActionState.OPEN, choices=RiskActionState.choices, protected=True)
    completed_on = models.DateField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RiskActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "created_at"]
        indexes = [
            models.Index(fields=["registration", "state"], name="action_registration_state_idx"),
            models.Index(fields=["owning_agency", "state", "due_date"], name="action_agency_state_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state__in=[RiskActionState.CLOSED_NOT_POSSIBLE, RiskActionState.CLOSED_NOT_DONE])
                | ~Q(closed_reason=""),
                name="closed_action_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state=RiskActionState.COMPLETED) | Q(completed_on__isnull=False),
                name="completed_action_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_heading_display()}: {self.description[:60]}"

    @property
    def is_unfinished(self) -> bool:
        return self.state in UNFINISHED

    @transition(field=state, source=RiskActionState.OPEN, target=RiskActionState.IN_PROGRESS)
    def start(self) -> None:
        pass

    @transition(field=state, source=UNFINISHED, target=RiskActionState.COMPLETED)
    def complete(self, *, completed_on: dt.date) -> None:
        self.completed_on = completed_on

    @transition(field=state, source=UNFINISHED, target=RiskActionState.CLOSED_NOT_POSSIBLE)
    def close_not_possible(self, *, closed_reason: str) -> None:
        self.closed_reason = closed_reason

    @transition(field=state, source=UNFINISHED, target=RiskActionState.CLOSED_NOT_DONE)
    def close_not_done(self, *, closed_reason: str) -> None:
        self.closed_reason = closed_reason

    @transition(field=state, source=FINISHED, target=RiskActionState.IN_PROGRESS)
    def reopen(self) -> None:
        """Completed or closed by mistake (or the risk came back): work on it again. The reason is in the log."""
        self.completed_on = None
        self.closed_reason = ""

    @property
    def set_on(self) -> dt.date:
        """The day the action was set: the day of the meeting whose minutes set it (London time)."""
        return timezone.localtime(self.case_minutes.agenda_item.meeting.starts_at).date()


class RiskActionUpdate(models.Model):
    """The update log of an action, written by the owning agency (or at a review)."""

    action = models.ForeignKey(RiskAction, on_delete=models.CASCADE, related_name="updates")
    written_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()
    state_after = models.CharField(max_length=30, choices=RiskActionState.choices)

    class Meta:
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"{self.written_at:%Y-%m-%d}: {self.text[:60]}"


# What agencies send before a meeting: kept in their own module, registered with this app's models.
from .models_reports import AgencyReport, AttendanceConfirmation, ReportChase  # noqa: E402, F401
