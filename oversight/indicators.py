"""The SMB's performance indicators for one area and reporting year, by quarter (docs/indicators.md).

Reads only: every figure comes from the records the workflow already keeps (referrals, meetings,
attendance, risk actions), never from typed-in numbers. The figures of many areas are counted at once
(:func:`indicators_for_areas`, the national benchmark's 42): each query is grouped by area, so the cost in
queries is the same for one area or for all of them; :func:`area_indicators` is the one-area case.

Counts that only need calendar dates (first meetings against the due date stored at acceptance,
actions against their due date, attendance) are database aggregates. Working days cannot be counted
in SQL without a calendar table, so the two working-day indicators (screening, minutes) fetch one row
of two dates per record in a single query and count the working days with
:mod:`mappa_workflow.working_days`, the same code that set the deadlines in the first place. Reviews
(``oversight.indicators_reviews``) and Level 1 reviews (``oversight.indicators_level_one``) pair each due
date with the next meeting or review in Python, from a few rows per case.

Aggregates only: no person's name, reference or id leaves this module. Small numbers are hidden
with :func:`reporting.disclosure.suppress`, with the area's ``suppression_threshold``, as in the annual
report, so that a hidden quarter cannot be worked out from the year or from the other cell.
"""

from __future__ import annotations

import datetime as dt
import statistics as pystatistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from mappa_workflow.models import AgencyType, Area, AreaSettings
from mappa_workflow.working_days import add_working_days, working_days_between
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    RiskAction,
    RiskActionState,
)
from referrals.models import DECIDED, Referral, ReferralState

from .figures import MET, MISSED, IndicatorResult, Row, Target
from .figures import in_period as _in
from .figures import period_filters as _period_filters
from .figures import rate_counts as _rate_counts
from .figures import row as _row
from .indicators_level_one import level_one_reviews
from .indicators_reviews import review_outcomes
from .models import DEFAULT_TARGETS, Indicator, IndicatorTarget
from .panels import HELD_STATES, PANEL_TYPES, held_panels
from .periods import Period, periods

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


@dataclass(frozen=True)
class Scope:
    """What is being counted: some areas, with their settings and targets, in one reporting year, on ``today``."""

    areas: list[Area]
    year_periods: list[Period]
    today: dt.date
    settings: dict[Any, AreaSettings]
    targets: dict[Any, dict[str, Target]]

    @property
    def area_ids(self) -> list[Any]:
        return [area.pk for area in self.areas]

    @property
    def year(self) -> Period:
        return self.year_periods[-1]

    def threshold(self, area: Area) -> int:
        return self.settings[area.pk].suppression_threshold

    def target(self, area: Area, indicator: str) -> Target:
        return self.targets[area.pk][indicator]


def _grouped(rows: Iterable[tuple[Any, ...]]) -> dict[Any, list[tuple[Any, ...]]]:
    """Rows whose first value is an area id, by area, without it."""
    found: dict[Any, list[tuple[Any, ...]]] = defaultdict(list)
    for area_id, *rest in rows:
        found[area_id].append(tuple(rest))
    return found


# ---------------------------------------------------------------------------------------------
# The indicators
# ---------------------------------------------------------------------------------------------


def screening_taken_by_area(area_ids: Sequence[Any], year: Period) -> dict[Any, list[tuple[dt.date, int, Any]]]:
    """Per area: (decided on, working days from received to decided, referral id) of each referral decided in
    ``year``."""
    rows = Referral.objects.filter(
        area_id__in=area_ids, state__in=DECIDED, submitted_at__isnull=False, decided_on__range=(year.start, year.end)
    ).values_list("area_id", "submitted_at", "decided_on", "pk")
    return _grouped(
        (area_id, decided_on, working_days_between(timezone.localtime(submitted_at).date(), decided_on), pk)
        for area_id, submitted_at, decided_on, pk in rows
    )


def screening_taken(area: Area, year: Period) -> list[tuple[dt.date, int, Any]]:
    """(decided on, working days from received to decided, referral id) of each referral decided in ``year``."""
    return screening_taken_by_area([area.pk], year).get(area.pk, [])


def _screening(scope: Scope) -> dict[Any, IndicatorResult]:
    taken_by_area = screening_taken_by_area(scope.area_ids, scope.year)
    found = {}
    for area in scope.areas:
        target = scope.target(area, Indicator.SCREENING)
        days_allowed = target.working_days if target.working_days is not None else 0
        taken = [(day, days) for day, days, _ in taken_by_area.get(area.pk, [])]
        counts = _rate_counts(((day, days <= days_allowed) for day, days in taken), scope.year_periods)
        medians = {}
        for period in scope.year_periods:
            in_period = [days for day, days in taken if _in(period, day)]
            medians[period.key] = float(pystatistics.median(in_period)) if in_period else None
        found[area.pk] = IndicatorResult(
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
                    threshold=scope.threshold(area),
                    medians=medians,
                )
            ],
        )
    return found


@dataclass(frozen=True)
class FirstMeeting:
    """An accepted referral's first meeting: due by ``due`` (set at acceptance), first held on ``first_held``."""

    referral_id: Any
    state: str  # accepted at Level 2 or at Level 3
    due: dt.date
    first_held: dt.date | None  # London date of the first Level 2/3 panel held with the case on or after the decision
    today: dt.date

    @property
    def measured(self) -> bool:
        """Held, or overdue: a first meeting not yet due and not yet held is not counted."""
        return self.first_held is not None or self.due < self.today

    @property
    def met(self) -> bool:
        return self.first_held is not None and self.first_held <= self.due


def first_meetings_by_area(area_ids: Sequence[Any], today: dt.date) -> dict[Any, list[FirstMeeting]]:
    """Per area: every accepted referral with a first meeting due date, and when its first panel was held. Two
    queries: the referrals, and the panels held with their cases (paired here; as a subquery per referral,
    repeated for each quarter's count, PostgreSQL took seconds for 39 referrals)."""
    accepted = Referral.objects.filter(
        area_id__in=area_ids, registration__isnull=False, first_meeting_due__isnull=False
    )
    held = held_panels(accepted.values("registration_id"))
    found: dict[Any, list[FirstMeeting]] = defaultdict(list)
    for pk, area_id, state, due, decided_on, registration_id in accepted.values_list(
        "pk", "area_id", "state", "first_meeting_due", "decided_on", "registration_id"
    ):
        held_on = (timezone.localtime(starts_at).date() for starts_at in held[registration_id])
        first_held = next((day for day in held_on if decided_on is not None and day >= decided_on), None)
        found[area_id].append(FirstMeeting(pk, state, due, first_held, today))
    return found


def _first_meetings(scope: Scope) -> dict[Any, IndicatorResult]:
    outcomes = first_meetings_by_area(scope.area_ids, scope.today)
    levels: dict[str, int] = {ReferralState.ACCEPTED_LEVEL_2.value: 2, ReferralState.ACCEPTED_LEVEL_3.value: 3}
    found = {}
    for area in scope.areas:
        at_level = ((levels.get(outcome.state), outcome) for outcome in outcomes.get(area.pk, []))
        counts = _due_and_met_by_level(at_level, scope.year_periods)
        target = scope.target(area, Indicator.FIRST_MEETING)
        found[area.pk] = IndicatorResult(
            Indicator.FIRST_MEETING,
            Indicator.FIRST_MEETING.label,
            "cases whose first Level 2 or 3 meeting was held on or before the first meeting's due date",
            "cases accepted at Level 2 or 3 whose first meeting fell due in the period (and was held, or is overdue)",
            target,
            _level_rows(counts, scope.year_periods, target, scope.threshold(area)),
        )
    return found


def _reviews(scope: Scope) -> dict[Any, IndicatorResult]:
    """Each review date a meeting set (``CaseMinutes.next_review_date``) against the case's next panel after it."""
    outcomes = review_outcomes(scope.area_ids, scope.year, scope.today)
    found = {}
    for area in scope.areas:
        at_level = ((outcome.level, outcome) for outcome in outcomes.get(area.pk, []))
        counts = _due_and_met_by_level(at_level, scope.year_periods)
        target = scope.target(area, Indicator.REVIEWS)
        found[area.pk] = IndicatorResult(
            Indicator.REVIEWS,
            Indicator.REVIEWS.label,
            "reviews whose next Level 2 or 3 meeting about the case was held on or before the review date",
            "review dates set by a meeting that fell in the period while the case was at Level 2 or 3 (and were met,"
            " or have passed)",
            target,
            _level_rows(counts, scope.year_periods, target, scope.threshold(area)),
        )
    return found


def _due_and_met_by_level(outcomes: Iterable[tuple[int | None, Any]], year_periods: list[Period]) -> dict[str, int]:
    """How many measured outcomes (each with a ``due`` date and whether it was ``met``) fell due in each period,
    and how many of those were met, at Level 2 and at Level 3 (keys ``l{level}_{period}_all`` and ``..._met``)."""
    counts: dict[str, int] = defaultdict(int)
    for level, outcome in outcomes:
        if level not in (2, 3) or not outcome.measured:
            continue
        for period in year_periods:
            if _in(period, outcome.due):
                counts[f"l{level}_{period.key}_all"] += 1
                counts[f"l{level}_{period.key}_{MET}"] += outcome.met
    return counts


def _level_rows(found: Mapping[str, int], year_periods: list[Period], target: Target, threshold: int) -> list[Row]:
    rows = []
    for level in (2, 3):
        counts = {}
        for period in year_periods:
            met = found.get(f"l{level}_{period.key}_{MET}", 0)
            counts[(period.key, MET)] = met
            counts[(period.key, MISSED)] = found.get(f"l{level}_{period.key}_all", 0) - met
        rows.append(
            _row(f"Level {level}", counts, parts=(MET, MISSED), numerator_part=MET, target=target, threshold=threshold)
        )
    return rows


def minutes_outcomes_by_area(
    settings: Mapping[Any, AreaSettings], year: Period, today: dt.date
) -> dict[Any, list[tuple[dt.date, bool, Any]]]:
    """Per area of ``settings``: (held on, minutes approved on time, meeting id) of each meeting held in ``year``
    whose minutes are approved or overdue."""
    rows = Meeting.objects.filter(
        area_id__in=list(settings),
        state__in=HELD_STATES,
        starts_at__gte=year.first_instant,
        starts_at__lt=year.instant_after,
    ).values_list("area_id", "starts_at", "minutes_approved_at", "pk")
    outcomes: dict[Any, list[tuple[dt.date, bool, Any]]] = defaultdict(list)
    for area_id, starts_at, approved_at, pk in rows:
        held_on = timezone.localtime(starts_at).date()
        due = add_working_days(held_on, settings[area_id].minutes_due_working_days)
        approved_on = timezone.localtime(approved_at).date() if approved_at else None
        if approved_on is None and due >= today:
            continue  # not late yet: it counts once approved, or once the due date has passed
        outcomes[area_id].append((held_on, approved_on is not None and approved_on <= due, pk))
    return outcomes


def minutes_outcomes(
    area: Area, year: Period, settings: AreaSettings, today: dt.date
) -> list[tuple[dt.date, bool, Any]]:
    """(held on, minutes approved on time, meeting id) of each meeting held in ``year`` whose minutes are approved
    or overdue."""
    return minutes_outcomes_by_area({area.pk: settings}, year, today).get(area.pk, [])


def _minutes(scope: Scope) -> dict[Any, IndicatorResult]:
    outcomes = minutes_outcomes_by_area(scope.settings, scope.year, scope.today)
    found = {}
    for area in scope.areas:
        target = scope.target(area, Indicator.MINUTES)
        counts = _rate_counts(((held_on, met) for held_on, met, _ in outcomes.get(area.pk, [])), scope.year_periods)
        found[area.pk] = IndicatorResult(
            Indicator.MINUTES,
            Indicator.MINUTES.label,
            "meetings whose minutes were approved and circulated within"
            f" {scope.settings[area.pk].minutes_due_working_days} working days of the meeting",
            "meetings held in the period (threshold, Level 2 and Level 3) whose minutes are approved or overdue",
            target,
            [
                _row(
                    "All meetings",
                    counts,
                    parts=(MET, MISSED),
                    numerator_part=MET,
                    target=target,
                    threshold=scope.threshold(area),
                )
            ],
        )
    return found


def attendance_records(area_ids: Sequence[Any], year: Period) -> QuerySet[Attendance]:
    """Agencies' attendance lines at Level 2 and 3 panels of the areas held in ``year`` (observers left out)."""
    return Attendance.objects.filter(
        meeting__area_id__in=area_ids,
        meeting__meeting_type__in=PANEL_TYPES,
        meeting__state__in=HELD_STATES,
        meeting__starts_at__gte=year.first_instant,
        meeting__starts_at__lt=year.instant_after,
        agency__isnull=False,
        status__in=ATTENDANCE_PARTS,
    )


def _attendance(scope: Scope) -> dict[Any, IndicatorResult]:
    aggregates = {
        f"{key}_{status}": Count("pk", filter=in_period & Q(status=status))
        for key, in_period in _period_filters(scope.year_periods, "meeting__starts_at__date").items()
        for status in ATTENDANCE_PARTS
    }
    by_area: dict[Any, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in (
        attendance_records(scope.area_ids, scope.year)
        .values("meeting__area_id", "agency__agency_type")
        .annotate(**aggregates)
        .order_by()
    ):
        by_area[row["meeting__area_id"]][row["agency__agency_type"]] = dict(row)
    found = {}
    for area in scope.areas:
        target = scope.target(area, Indicator.ATTENDANCE)
        rows = []
        for agency_type in AgencyType:
            counted = by_area[area.pk].get(agency_type.value)
            if counted is None:
                continue
            counts = {
                (p.key, status): counted[f"{p.key}_{status}"] for p in scope.year_periods for status in ATTENDANCE_PARTS
            }
            rows.append(
                _row(
                    agency_type.label,
                    counts,
                    parts=ATTENDANCE_PARTS,
                    numerator_part=AttendanceStatus.PRESENT,
                    target=target,
                    threshold=scope.threshold(area),
                )
            )
        found[area.pk] = IndicatorResult(
            Indicator.ATTENDANCE,
            Indicator.ATTENDANCE.label,
            "agency attendances recorded as present",
            "agency attendances recorded at Level 2 and 3 meetings held in the period: present, apologies with a"
            " written report, apologies without one, absent (observers left out)",
            target,
            rows,
        )
    return found


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


def _actions(scope: Scope) -> dict[Any, IndicatorResult]:
    outcomes = action_outcomes(scope.today)
    aggregates: dict[str, Any] = {
        f"{key}_{part}": Count("pk", filter=in_period & outcome)
        for key, in_period in _period_filters(scope.year_periods, "due_date").items()
        for part, outcome in outcomes.items()
    }
    by_area: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        RiskAction.objects.filter(area_id__in=scope.area_ids, due_date__range=(scope.year.start, scope.year.end))
        .values("area_id", "owning_agency__name")
        .annotate(**aggregates)
        .order_by("area_id", "owning_agency__name")
    ):
        by_area[row["area_id"]].append(row)
    found = {}
    for area in scope.areas:
        target = scope.target(area, Indicator.ACTIONS)
        rows = []
        for row in by_area[area.pk]:
            counts = {(p.key, part): row[f"{p.key}_{part}"] for p in scope.year_periods for part in ACTION_PARTS}
            if not any(counts.values()):
                continue
            rows.append(
                _row(
                    row["owning_agency__name"],
                    counts,
                    parts=(MET, LATE, NOT_DONE),
                    numerator_part=MET,
                    target=target,
                    threshold=scope.threshold(area),
                    outside=(NOT_POSSIBLE,),
                )
            )
        found[area.pk] = IndicatorResult(
            Indicator.ACTIONS,
            Indicator.ACTIONS.label,
            "actions completed on or before their due date",
            "risk management actions due in the period that are completed, closed as not done by the agency, or"
            " still open after their due date (actions closed as not possible because circumstances changed are"
            " shown but left out)",
            target,
            rows,
        )
    return found


def targets_by_area(areas: Sequence[Area]) -> dict[Any, dict[str, Target]]:
    """Each area's targets, with :data:`oversight.models.DEFAULT_TARGETS` where it has not set its own."""
    found: dict[Any, dict[str, Target]] = {
        area.pk: {key: Target(*values) for key, values in DEFAULT_TARGETS.items()} for area in areas
    }
    for row in IndicatorTarget.objects.filter(area__in=areas):
        default_days = DEFAULT_TARGETS[row.indicator][2]
        found[row.area_id][row.indicator] = Target(
            row.green_percent, row.amber_percent, row.working_days if row.working_days is not None else default_days
        )
    return found


def targets_for(area: Area) -> dict[str, Target]:
    """The area's targets, with :data:`oversight.models.DEFAULT_TARGETS` where it has not set its own."""
    return targets_by_area([area])[area.pk]


def settings_by_area(areas: Sequence[Area]) -> dict[Any, AreaSettings]:
    """Each area's settings; an area that has never saved its own has the defaults (read, not created: the
    SMB's page writes nothing)."""
    saved = {settings.area_id: settings for settings in AreaSettings.objects.filter(area__in=areas)}
    return {area.pk: saved.get(area.pk) or AreaSettings(area=area) for area in areas}


def scope_for(areas: Sequence[Area], year: int, today: dt.date | None = None) -> Scope:
    areas = list(areas)
    return Scope(
        areas=areas,
        year_periods=periods(year),
        today=today or timezone.localdate(),
        settings=settings_by_area(areas),
        targets=targets_by_area(areas),
    )


def indicators_for_areas(*, areas: Sequence[Area], year: int, today: dt.date | None = None) -> list[AreaIndicators]:
    """Every indicator of each of ``areas`` for reporting year ``year`` by quarter, suppressed with each area's
    threshold, in the order of ``areas``. The same queries whether one area is asked for or all of them.

    Safe to show to SMB members and lay advisers: it returns counts, never a record. ``today`` (London
    date) decides what is overdue yet; a record not yet due and not yet done is left out.
    """
    return indicators_in(scope_for(areas, year, today))


def indicators_in(scope: Scope) -> list[AreaIndicators]:
    by_indicator = [
        _screening(scope),
        _first_meetings(scope),
        _reviews(scope),
        _minutes(scope),
        _attendance(scope),
        _actions(scope),
        level_one_reviews(scope.areas, scope.year_periods, scope.targets, scope.settings, scope.today),
    ]
    return [
        AreaIndicators(
            area,
            int(scope.year.start.year),
            scope.year_periods,
            scope.threshold(area),
            [results[area.pk] for results in by_indicator],
        )
        for area in scope.areas
    ]


def area_indicators(*, area: Area, year: int, today: dt.date | None = None) -> AreaIndicators:
    """Every indicator of ``area`` for reporting year ``year`` by quarter, suppressed with the area's threshold
    (:func:`indicators_for_areas` for one area)."""
    return indicators_for_areas(areas=[area], year=year, today=today)[0]
