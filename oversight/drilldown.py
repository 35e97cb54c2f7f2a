"""The records behind one figure of the indicators, for the area's co-ordinators and chairs (docs/indicators.md,
"Drill-down").

Each list comes from the same code that counts the figure (``oversight.indicators`` and
``oversight.indicators_level_one``), so the records counted here are the figure's denominator and those met its
numerator. Only records the reader may see are listed (the need-to-know rules: a Category 4 case without clearance
is left out), with how many were left out, so the list still adds up to the figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from mappa_workflow.models import AgencyType, Area
from meetings.models import AttendanceStatus, CaseMinutes, Meeting, RiskAction
from need_to_know import permissions
from referrals.models import Referral, ReferralState, Registration

from .figures import in_period
from .indicators import (
    LATE,
    MET,
    NOT_DONE,
    NOT_POSSIBLE,
    action_outcomes,
    attendance_records,
    first_meetings_by_area,
    minutes_outcomes,
    screening_taken,
    settings_by_area,
    targets_for,
)
from .indicators_level_one import level_one_outcomes, review_interval
from .indicators_reviews import review_outcomes
from .models import Indicator
from .periods import Period, periods

LEVEL_STATES = {"Level 2": ReferralState.ACCEPTED_LEVEL_2, "Level 3": ReferralState.ACCEPTED_LEVEL_3}
ACTION_OUTCOME_LABELS = {MET: "On time", LATE: "Late or overdue", NOT_DONE: "Closed, not done by the agency"}


class UnknownFigure(LookupError):
    """No such indicator, row or period: the page answers 404."""


@dataclass(frozen=True)
class DrillRow:
    day: dt.date
    what: str
    detail: str
    outcome: str
    met: bool
    counted: bool
    url_name: str
    url_arg: Any
    person_record: Any = None  # the loaded record naming the person, for the audit of who was listed


@dataclass(frozen=True)
class DrillDown:
    indicator: str
    title: str
    row_label: str
    period: Period
    rows: list[DrillRow]
    not_shown: int  # records behind the figure that this reader may not see

    @property
    def counted(self) -> int:
        return sum(1 for row in self.rows if row.counted) + self.not_shown

    @property
    def met(self) -> int:
        return sum(1 for row in self.rows if row.counted and row.met)


def _period(year: int, key: str) -> Period:
    found = next((p for p in periods(year) if p.key == key), None)
    if found is None:
        raise UnknownFigure(key)
    return found


def _on(day: dt.date | None) -> str:
    return f"{day:%-d %B %Y}" if day else "not yet"


def _screening(user: Any, area: Area, year: Period, period: Period, row: str) -> tuple[list[DrillRow], int]:
    if row != "All referrals":
        raise UnknownFigure(row)
    allowed = targets_for(area)[Indicator.SCREENING].working_days or 0
    taken = {pk: (day, days) for day, days, pk in screening_taken(area, year) if in_period(period, day)}
    shown = permissions.visible_referrals(user, Referral.objects.filter(pk__in=taken)).select_related("individual")
    rows = [
        DrillRow(
            taken[r.pk][0],
            f"{r.reference}: {r.individual}",
            f"decided in {taken[r.pk][1]} working days",
            "On time" if taken[r.pk][1] <= allowed else "Late",
            taken[r.pk][1] <= allowed,
            True,
            "web:referral_detail",
            r.pk,
            r,
        )
        for r in shown
    ]
    return rows, len(taken) - len(rows)


def _first_meetings(user: Any, area: Area, today: dt.date, period: Period, row: str) -> tuple[list[DrillRow], int]:
    if row not in LEVEL_STATES:
        raise UnknownFigure(row)
    counted = {
        o.referral_id: o
        for o in first_meetings_by_area([area.pk], today).get(area.pk, [])
        if o.state == LEVEL_STATES[row] and o.measured and in_period(period, o.due)
    }
    shown = permissions.visible_referrals(user, Referral.objects.filter(pk__in=counted)).select_related("individual")
    rows = [
        DrillRow(
            counted[r.pk].due,
            f"{r.reference}: {r.individual}",
            f"first panel held {_on(counted[r.pk].first_held)}",
            "On time" if counted[r.pk].met else "Late",
            counted[r.pk].met,
            True,
            "web:case_detail",
            r.individual_id,
            r,
        )
        for r in shown
    ]
    return rows, len(counted) - len(rows)


def _reviews(
    user: Any, area: Area, year: Period, today: dt.date, period: Period, row: str
) -> tuple[list[DrillRow], int]:
    levels = {"Level 2": 2, "Level 3": 3}
    if row not in levels:
        raise UnknownFigure(row)
    counted = {
        o.minutes_id: o
        for o in review_outcomes([area.pk], year, today).get(area.pk, [])
        if o.level == levels[row] and o.measured and in_period(period, o.due)
    }
    shown = permissions.visible_minutes(user, CaseMinutes.objects.filter(pk__in=counted)).select_related(
        "agenda_item__registration__individual"
    )
    rows = [
        DrillRow(
            counted[m.pk].due,
            str(m.agenda_item.registration.individual),
            f"next panel held {_on(counted[m.pk].next_held)}",
            "On time" if counted[m.pk].met else "Late",
            counted[m.pk].met,
            True,
            "web:case_detail",
            m.agenda_item.registration.individual_id,
            m.agenda_item.registration,
        )
        for m in shown
    ]
    return rows, len(counted) - len(rows)


def _meetings_rows(user: Any, outcomes: Iterable[tuple[dt.date, bool, Any]], detail: str) -> tuple[list[DrillRow], int]:
    by_meeting = {pk: (day, met) for day, met, pk in outcomes}
    shown = permissions.visible_meetings(user, Meeting.objects.filter(pk__in=by_meeting))
    rows = [
        DrillRow(
            by_meeting[m.pk][0],
            str(m),
            detail.format(approved=_on(m.minutes_approved_at and timezone.localtime(m.minutes_approved_at).date())),
            "On time" if by_meeting[m.pk][1] else "Late",
            by_meeting[m.pk][1],
            True,
            "web:meeting_detail",
            m.pk,
        )
        for m in shown
    ]
    return rows, len(by_meeting) - len(rows)


def _attendance(user: Any, area: Area, year: Period, period: Period, row: str) -> tuple[list[DrillRow], int]:
    agency_type = next((t for t in AgencyType if t.label == row), None)
    if agency_type is None:
        raise UnknownFigure(row)
    counted = attendance_records([area.pk], year).filter(
        agency__agency_type=agency_type, meeting__starts_at__date__range=(period.start, period.end)
    )
    visible = permissions.visible_meetings(user).values("pk")
    shown = counted.filter(meeting__in=visible).select_related("meeting", "agency")
    rows = [
        DrillRow(
            timezone.localtime(a.meeting.starts_at).date(),
            str(a.meeting),
            str(a.agency),
            a.get_status_display(),
            a.status == AttendanceStatus.PRESENT,
            True,
            "web:meeting_detail",
            a.meeting_id,
        )
        for a in shown
    ]
    return rows, counted.count() - len(rows)


def _actions(user: Any, area: Area, today: dt.date, period: Period, row: str) -> tuple[list[DrillRow], int]:
    outcomes = action_outcomes(today)
    measured = outcomes[MET] | outcomes[LATE] | outcomes[NOT_DONE] | outcomes[NOT_POSSIBLE]
    found = RiskAction.objects.filter(
        measured, area=area, owning_agency__name=row, due_date__range=(period.start, period.end)
    )
    if not RiskAction.objects.filter(area=area, owning_agency__name=row).exists():
        raise UnknownFigure(row)
    part_of = {}
    for part in (MET, LATE, NOT_DONE, NOT_POSSIBLE):
        part_of.update(dict.fromkeys(found.filter(outcomes[part]).values_list("pk", flat=True), part))
    shown = permissions.visible_risk_actions(user, found).select_related("registration__individual")
    rows = [
        DrillRow(
            a.due_date,
            f"{a.registration.individual}: {a.description[:80]}",
            f"completed {_on(a.completed_on)}",
            ACTION_OUTCOME_LABELS.get(part_of[a.pk], "Closed, not possible (not counted)"),
            part_of[a.pk] == MET,
            part_of[a.pk] != NOT_POSSIBLE,
            "web:action_detail",
            a.pk,
            a,
        )
        for a in shown
    ]
    hidden = sum(1 for pk, part in part_of.items() if part != NOT_POSSIBLE) - sum(1 for r in rows if r.counted)
    return rows, hidden


def _level_one(
    user: Any, area: Area, today: dt.date, year: int, period: Period, row: str
) -> tuple[list[DrillRow], int]:
    if row != "Level 1":
        raise UnknownFigure(row)
    outcomes = [
        o for o in level_one_outcomes(area, periods(year), today, review_interval(area)) if in_period(period, o[0])
    ]
    registrations = {
        r.pk: r
        for r in permissions.visible_registrations(
            user, Registration.objects.filter(pk__in={pk for _, _, pk in outcomes})
        ).select_related("individual")
    }
    rows = [
        DrillRow(
            due,
            str(registrations[pk].individual),
            "review due",
            "On time" if met else "Late",
            met,
            True,
            "web:case_detail",
            registrations[pk].individual_id,
            registrations[pk],
        )
        for due, met, pk in outcomes
        if pk in registrations
    ]
    return rows, len(outcomes) - len(rows)


# The row shown when none is asked for, for the indicators with a fixed first row.
DEFAULT_ROWS: dict[str, str] = {
    Indicator.SCREENING: "All referrals",
    Indicator.FIRST_MEETING: "Level 2",
    Indicator.REVIEWS: "Level 2",
    Indicator.MINUTES: "All meetings",
    Indicator.LEVEL_ONE_REVIEWS: "Level 1",
}


def drill_down(
    *, user: Any, area: Area, year: int, indicator: str, row: str, period_key: str, today: dt.date | None = None
) -> DrillDown:
    """The records behind ``indicator``'s figure for ``row`` (its first row when empty, where it has a fixed one)
    in ``period_key`` (q1-q4 or year) of ``year``."""
    today = today or timezone.localdate()
    row = row or DEFAULT_ROWS.get(indicator, "")
    period = _period(year, period_key)
    whole = periods(year)[-1]
    if indicator == Indicator.SCREENING:
        rows, not_shown = _screening(user, area, whole, period, row)
    elif indicator == Indicator.FIRST_MEETING:
        rows, not_shown = _first_meetings(user, area, today, period, row)
    elif indicator == Indicator.REVIEWS:
        rows, not_shown = _reviews(user, area, whole, today, period, row)
    elif indicator == Indicator.MINUTES:
        if row != "All meetings":
            raise UnknownFigure(row)
        outcomes = [
            o
            for o in minutes_outcomes(area, whole, settings_by_area([area])[area.pk], today)
            if in_period(period, o[0])
        ]
        rows, not_shown = _meetings_rows(user, outcomes, "minutes approved {approved}")
    elif indicator == Indicator.ATTENDANCE:
        rows, not_shown = _attendance(user, area, whole, period, row)
    elif indicator == Indicator.ACTIONS:
        rows, not_shown = _actions(user, area, today, period, row)
    elif indicator == Indicator.LEVEL_ONE_REVIEWS:
        rows, not_shown = _level_one(user, area, today, year, period, row)
    else:
        raise UnknownFigure(indicator)
    rows.sort(key=lambda r: (r.day, r.what))
    return DrillDown(indicator, Indicator(indicator).label, row, period, rows, not_shown)
