"""The SMB's performance indicators for one area and reporting year, by quarter (docs/indicators.md).

Reads only: every figure comes from the records the workflow already keeps (referrals, meetings,
attendance, risk actions), never from typed-in numbers. One query per indicator, whatever the number
of records, plus the area's settings and targets: eight in all.

Counts that only need calendar dates (first meetings against the due date stored at acceptance,
actions against their due date, attendance) are database aggregates. Working days cannot be counted
in SQL without a calendar table, so the two working-day indicators (screening, minutes) fetch one row
of two dates per record in a single query and count the working days with
:mod:`mappa_workflow.working_days`, the same code that set the deadlines in the first place.

Aggregates only: no person's name, reference or id leaves this module. Small numbers are hidden
with :func:`reporting.disclosure.suppress`, with the area's ``suppression_threshold``, as in the annual
report, so that a hidden quarter cannot be worked out from the year or from the other cell.
"""

from __future__ import annotations

import datetime as dt
import statistics as pystatistics
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from mappa_workflow.models import AgencyType, Area, AreaSettings
from mappa_workflow.working_days import add_working_days, working_days_between
from meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    CaseMinutes,
    Meeting,
    MeetingState,
    MeetingType,
    RiskAction,
    RiskActionState,
)
from referrals.models import DECIDED, Referral, ReferralState, RegistrationPeriod

from .figures import MET, MISSED, IndicatorResult, Row, Target
from .figures import in_period as _in
from .figures import period_filters as _period_filters
from .figures import rate_counts as _rate_counts
from .figures import row as _row
from .indicators_level_one import level_one_reviews
from .models import DEFAULT_TARGETS, Indicator, IndicatorTarget
from .periods import Period, periods

HELD_STATES = [MeetingState.HELD, MeetingState.MINUTES_DRAFTED, MeetingState.MINUTES_APPROVED]
PANEL_TYPES = [MeetingType.LEVEL_2, MeetingType.LEVEL_3]
# Actions: done on time; done late or still open after the due date; closed as not done by the agency;
# and, outside the denominator, closed as not possible because circumstances changed.
LATE = "late_or_overdue"
NOT_DONE = "closed_not_done"
NOT_POSSIBLE = "closed_not_possible"
ACTION_PARTS: list[str] = [MET, LATE, NOT_DONE, NOT_POSSIBLE]
ATTENDANCE_PARTS: list[str] = [
    AttendanceStatus.PRESENT.value,
    AttendanceStatus.APOLOGIES_WITH_REPORT.value,
    AttendanceStatus.APOLOGIES.value,
    AttendanceStatus.ABSENT.value,
]


@dataclass(frozen=True)
class AreaIndicators:
    area: Area
    year: int
    periods: list[Period]
    suppression_threshold: int
    results: list[IndicatorResult]


# ---------------------------------------------------------------------------------------------
# The indicators
# ---------------------------------------------------------------------------------------------


def screening_taken(area: Area, year: Period) -> list[tuple[dt.date, int, Any]]:
    """(decided on, working days from received to decided, referral id) of each referral decided in ``year``."""
    rows = Referral.objects.filter(
        area=area, state__in=DECIDED, submitted_at__isnull=False, decided_on__range=(year.start, year.end)
    ).values_list("submitted_at", "decided_on", "pk")
    return [
        (decided_on, working_days_between(timezone.localtime(submitted_at).date(), decided_on), pk)
        for submitted_at, decided_on, pk in rows
    ]


def _screening(area: Area, year_periods: list[Period], target: Target, threshold: int) -> IndicatorResult:
    days_allowed = target.working_days if target.working_days is not None else 0
    taken = [(day, days) for day, days, _ in screening_taken(area, year_periods[-1])]
    counts = _rate_counts(((day, days <= days_allowed) for day, days in taken), year_periods)
    medians = {}
    for period in year_periods:
        in_period = [days for day, days in taken if _in(period, day)]
        medians[period.key] = float(pystatistics.median(in_period)) if in_period else None
    return IndicatorResult(
        Indicator.SCREENING,
        Indicator.SCREENING.label,
        f"referrals decided within {days_allowed} working days of being received",
        "referrals decided (accepted at Level 2 or 3, or managed at Level 1) in the period",
        target,
        [
            _row(
                "All referrals",
                counts,
                parts=(MET, MISSED),
                numerator_part=MET,
                target=target,
                threshold=threshold,
                medians=medians,
            )
        ],
    )


def _first_panel_held(registration: OuterRef, **since: Any) -> Subquery:
    """The London date of the earliest Level 2 or 3 panel held with ``registration`` on its agenda, ``since``."""
    return Subquery(
        AgendaItem.objects.filter(
            registration=registration, meeting__meeting_type__in=PANEL_TYPES, meeting__state__in=HELD_STATES, **since
        )
        .annotate(held_on=TruncDate("meeting__starts_at"))
        .values("registration")
        .annotate(first=Min("held_on"))
        .values("first")[:1]
    )


def first_meeting_records(area: Area, today: dt.date) -> tuple[QuerySet[Referral], Q, Q]:
    """Accepted referrals with the day their first panel was held (``first_held``), what is measured (held, or
    overdue) and what is on time."""
    first_held = _first_panel_held(OuterRef("registration"), meeting__starts_at__date__gte=OuterRef("decided_on"))
    found = Referral.objects.filter(area=area, registration__isnull=False, first_meeting_due__isnull=False).annotate(
        first_held=first_held
    )
    return (
        found,
        Q(first_held__isnull=False) | Q(first_meeting_due__lt=today),
        Q(first_held__lte=F("first_meeting_due")),
    )


def _first_meetings(
    area: Area, year_periods: list[Period], target: Target, threshold: int, today: dt.date
) -> IndicatorResult:
    found_in, measured, on_time = first_meeting_records(area, today)
    aggregates: dict[str, Any] = {}
    for level, state in ((2, ReferralState.ACCEPTED_LEVEL_2), (3, ReferralState.ACCEPTED_LEVEL_3)):
        for key, in_period in _period_filters(year_periods, "first_meeting_due").items():
            counted = Q(state=state) & in_period & measured
            aggregates[f"l{level}_{key}_{MET}"] = Count("pk", filter=counted & on_time)
            aggregates[f"l{level}_{key}_all"] = Count("pk", filter=counted)
    rows = _level_rows(found_in.aggregate(**aggregates), year_periods, target, threshold)
    return IndicatorResult(
        Indicator.FIRST_MEETING,
        Indicator.FIRST_MEETING.label,
        "cases whose first Level 2 or 3 meeting was held on or before the first meeting's due date",
        "cases accepted at Level 2 or 3 whose first meeting fell due in the period (and was held, or is overdue)",
        target,
        rows,
    )


def _reviews(area: Area, year_periods: list[Period], target: Target, threshold: int, today: dt.date) -> IndicatorResult:
    """Each review date a meeting set (``CaseMinutes.next_review_date``) against the case's next panel after it."""
    year = year_periods[-1]
    found_in, measured, on_time = review_records(area, year, today)
    aggregates: dict[str, Any] = {}
    for level in (2, 3):
        for key, in_period in _period_filters(year_periods, "next_review_date").items():
            counted = Q(level_when_due=level) & in_period & measured
            aggregates[f"l{level}_{key}_{MET}"] = Count("pk", filter=counted & on_time)
            aggregates[f"l{level}_{key}_all"] = Count("pk", filter=counted)
    found = found_in.aggregate(**aggregates)
    return IndicatorResult(
        Indicator.REVIEWS,
        Indicator.REVIEWS.label,
        "reviews whose next Level 2 or 3 meeting about the case was held on or before the review date",
        "review dates set by a meeting that fell in the period while the case was at Level 2 or 3 (and were met,"
        " or have passed)",
        target,
        _level_rows(found, year_periods, target, threshold),
    )


def review_records(area: Area, year: Period, today: dt.date) -> tuple[QuerySet[CaseMinutes], Q, Q]:
    """Minutes that set a review date in ``year``, with the case's next panel (``next_held``) and its level on the
    date (``level_when_due``), what is measured (met, or passed) and what is on time."""
    registration = OuterRef("agenda_item__registration")
    next_held = _first_panel_held(registration, meeting__starts_at__gt=OuterRef("agenda_item__meeting__starts_at"))
    # The level the case was managed at on the due date: none (so not counted) once it left Levels 2 and 3.
    level_when_due = RegistrationPeriod.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=OuterRef("next_review_date")),
        registration=registration,
        start_date__lte=OuterRef("next_review_date"),
    ).values("level")[:1]
    found = CaseMinutes.objects.filter(
        agenda_item__meeting__area=area,
        agenda_item__registration__isnull=False,
        next_review_date__range=(year.start, year.end),
    ).annotate(next_held=next_held, level_when_due=Subquery(level_when_due))
    return found, Q(next_held__isnull=False) | Q(next_review_date__lt=today), Q(next_held__lte=F("next_review_date"))


def _level_rows(found: Mapping[str, int], year_periods: list[Period], target: Target, threshold: int) -> list[Row]:
    rows = []
    for level in (2, 3):
        counts = {}
        for period in year_periods:
            met = found[f"l{level}_{period.key}_{MET}"]
            counts[(period.key, MET)] = met
            counts[(period.key, MISSED)] = found[f"l{level}_{period.key}_all"] - met
        rows.append(
            _row(f"Level {level}", counts, parts=(MET, MISSED), numerator_part=MET, target=target, threshold=threshold)
        )
    return rows


def minutes_outcomes(
    area: Area, year: Period, settings: AreaSettings, today: dt.date
) -> list[tuple[dt.date, bool, Any]]:
    """(held on, minutes approved on time, meeting id) of each meeting held in ``year`` whose minutes are approved
    or overdue."""
    rows = Meeting.objects.filter(
        area=area, state__in=HELD_STATES, starts_at__date__range=(year.start, year.end)
    ).values_list("starts_at", "minutes_approved_at", "pk")
    outcomes = []
    for starts_at, approved_at, pk in rows:
        held_on = timezone.localtime(starts_at).date()
        due = add_working_days(held_on, settings.minutes_due_working_days)
        approved_on = timezone.localtime(approved_at).date() if approved_at else None
        if approved_on is None and due >= today:
            continue  # not late yet: it counts once approved, or once the due date has passed
        outcomes.append((held_on, approved_on is not None and approved_on <= due, pk))
    return outcomes


def _minutes(
    area: Area, year_periods: list[Period], target: Target, threshold: int, today: dt.date, settings: AreaSettings
) -> IndicatorResult:
    outcomes = [(held_on, met) for held_on, met, _ in minutes_outcomes(area, year_periods[-1], settings, today)]
    counts = _rate_counts(outcomes, year_periods)
    return IndicatorResult(
        Indicator.MINUTES,
        Indicator.MINUTES.label,
        f"meetings whose minutes were approved and circulated within {settings.minutes_due_working_days}"
        " working days of the meeting",
        "meetings held in the period (threshold, Level 2 and Level 3) whose minutes are approved or overdue",
        target,
        [_row("All meetings", counts, parts=(MET, MISSED), numerator_part=MET, target=target, threshold=threshold)],
    )


def attendance_records(area: Area, year: Period) -> QuerySet[Attendance]:
    """Agencies' attendance lines at Level 2 and 3 panels held in ``year`` (observers left out)."""
    return Attendance.objects.filter(
        meeting__area=area,
        meeting__meeting_type__in=PANEL_TYPES,
        meeting__state__in=HELD_STATES,
        meeting__starts_at__date__range=(year.start, year.end),
        agency__isnull=False,
        status__in=ATTENDANCE_PARTS,
    )


def _attendance(area: Area, year_periods: list[Period], target: Target, threshold: int) -> IndicatorResult:
    aggregates = {
        f"{key}_{status}": Count("pk", filter=in_period & Q(status=status))
        for key, in_period in _period_filters(year_periods, "meeting__starts_at__date").items()
        for status in ATTENDANCE_PARTS
    }
    found: dict[str, dict[str, Any]] = {
        row["agency__agency_type"]: dict(row)
        for row in attendance_records(area, year_periods[-1])
        .values("agency__agency_type")
        .annotate(**aggregates)
        .order_by("agency__agency_type")
    }
    rows = []
    for agency_type in AgencyType:
        if agency_type.value not in found:
            continue
        counts = {
            (p.key, status): found[agency_type.value][f"{p.key}_{status}"]
            for p in year_periods
            for status in ATTENDANCE_PARTS
        }
        rows.append(
            _row(
                agency_type.label,
                counts,
                parts=ATTENDANCE_PARTS,
                numerator_part=AttendanceStatus.PRESENT,
                target=target,
                threshold=threshold,
            )
        )
    return IndicatorResult(
        Indicator.ATTENDANCE,
        Indicator.ATTENDANCE.label,
        "agency attendances recorded as present",
        "agency attendances recorded at Level 2 and 3 meetings held in the period: present, apologies with a written"
        " report, apologies without one, absent (observers left out)",
        target,
        rows,
    )


def action_outcomes(today: dt.date) -> dict[str, Q]:
    """Each part of the actions indicator as a filter on ``RiskAction``; an action in none is not yet measured."""
    finished = [RiskActionState.COMPLETED, RiskActionState.CLOSED_NOT_DONE, RiskActionState.CLOSED_NOT_POSSIBLE]
    return {
        MET: Q(state=RiskActionState.COMPLETED, completed_on__lte=F("due_date")),
        LATE: Q(state=RiskActionState.COMPLETED, completed_on__gt=F("due_date"))
        | (~Q(state__in=finished) & Q(due_date__lt=today)),
        NOT_DONE: Q(state=RiskActionState.CLOSED_NOT_DONE),
        NOT_POSSIBLE: Q(state=RiskActionState.CLOSED_NOT_POSSIBLE),
    }


def _actions(area: Area, year_periods: list[Period], target: Target, threshold: int, today: dt.date) -> IndicatorResult:
    outcomes = action_outcomes(today)
    aggregates: dict[str, Any] = {
        f"{key}_{part}": Count("pk", filter=in_period & outcome)
        for key, in_period in _period_filters(year_periods, "due_date").items()
        for part, outcome in outcomes.items()
    }
    year = year_periods[-1]
    found = (
        RiskAction.objects.filter(area=area, due_date__range=(year.start, year.end))
        .values("owning_agency__name")
        .annotate(**aggregates)
        .order_by("owning_agency__name")
    )
    rows = []
    for row in found:
        counts = {(p.key, part): row[f"{p.key}_{part}"] for p in year_periods for part in ACTION_PARTS}
        if not any(counts.values()):
            continue
        rows.append(
            _row(
                row["owning_agency__name"],
                counts,
                parts=(MET, LATE, NOT_DONE),
                numerator_part=MET,
                target=target,
                threshold=threshold,
                outside=(NOT_POSSIBLE,),
            )
        )
    return IndicatorResult(
        Indicator.ACTIONS,
        Indicator.ACTIONS.label,
        "actions completed on or before their due date",
        "risk management actions due in the period that are completed, closed as not done by the agency, or still"
        " open after their due date (actions closed as not possible because circumstances changed are shown but"
        " left out)",
        target,
        rows,
    )


def targets_for(area: Area) -> dict[str, Target]:
    """The area's targets, with :data:`oversight.models.DEFAULT_TARGETS` where it has not set its own."""
    found: dict[str, Target] = {key: Target(*values) for key, values in DEFAULT_TARGETS.items()}
    for row in IndicatorTarget.objects.filter(area=area):
        default_days = DEFAULT_TARGETS[row.indicator][2]
        found[row.indicator] = Target(
            row.green_percent, row.amber_percent, row.working_days if row.working_days is not None else default_days
        )
    return found


def area_indicators(*, area: Area, year: int, today: dt.date | None = None) -> AreaIndicators:
    """Every indicator of ``area`` for reporting year ``year`` by quarter, suppressed with the area's threshold.

    Safe to show to SMB members and lay advisers: it returns counts, never a record. ``today`` (London
    date) decides what is overdue yet; a record not yet due and not yet done is left out.
    """
    today = today or timezone.localdate()
    year_periods = periods(year)
    settings = AreaSettings.for_area(area)
    threshold = settings.suppression_threshold
    targets = targets_for(area)
    results = [
        _screening(area, year_periods, targets[Indicator.SCREENING], threshold),
        _first_meetings(area, year_periods, targets[Indicator.FIRST_MEETING], threshold, today),
        _reviews(area, year_periods, targets[Indicator.REVIEWS], threshold, today),
        _minutes(area, year_periods, targets[Indicator.MINUTES], threshold, today, settings),
        _attendance(area, year_periods, targets[Indicator.ATTENDANCE], threshold),
        _actions(area, year_periods, targets[Indicator.ACTIONS], threshold, today),
        level_one_reviews(area, year_periods, targets[Indicator.LEVEL_ONE_REVIEWS], threshold, today),
    ]
    return AreaIndicators(area, year, year_periods, threshold, results)
