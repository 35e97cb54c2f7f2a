"""Diversity of referrals and of screening decisions, for the SMB's equality duty (docs/indicators.md, "Diversity").

Counts by quarter, hidden when small as everywhere else (oversight.movement's tables). Gender and age band come
from the person's record; ethnicity is recorded in the person's own words, so it is counted only as stated or not
stated: a table of free-text descriptions would name groups small enough to point at someone. The area's eligible
population by gender, age and ethnicity is not held by this service; the SMB compares with its own figures.
Two queries, whatever the number of records.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.utils import timezone

from mappa_workflow.models import Area
from referrals.models import DECIDED, Gender, Referral, ReferralState, age_on

from .movement import CountTable, count_table
from .periods import Period, periods

AGE_BANDS: list[tuple[int, str]] = [  # lower bound (years), label
    (0, "Under 18"),
    (18, "18 to 24"),
    (25, "25 to 34"),
    (35, "35 to 44"),
    (45, "45 to 54"),
    (55, "55 to 64"),
    (65, "65 and over"),
]
LEVELS = [
    (ReferralState.ACCEPTED_LEVEL_3, "Level 3"),
    (ReferralState.ACCEPTED_LEVEL_2, "Level 2"),
    (ReferralState.MANAGED_AT_LEVEL_1, "Level 1 (not adopted)"),
]


def age_band(born: dt.date, on: dt.date) -> str:
    age = age_on(born, on)
    return next(label for lower, label in reversed(AGE_BANDS) if age >= lower)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def area_diversity(*, area: Area, year: int, threshold: int) -> list[CountTable]:
    year_periods: list[Period] = periods(year)
    start, end = year_periods[-1].start, year_periods[-1].end
    by_gender: dict[str, list[dt.date]] = defaultdict(list)
    by_age: dict[str, list[dt.date]] = defaultdict(list)
    by_ethnicity: dict[str, list[dt.date]] = defaultdict(list)
    for submitted_at, gender, ethnicity, born in Referral.objects.filter(
        area=area, submitted_at__gte=_midnight(start), submitted_at__lt=_midnight(periods(year + 1)[0].start)
    ).values_list("submitted_at", "individual__gender", "individual__ethnicity_as_stated", "individual__date_of_birth"):
        received_on = timezone.localtime(submitted_at).date()
        by_gender[gender].append(received_on)
        by_age[age_band(born, received_on)].append(received_on)
        by_ethnicity["stated" if ethnicity.strip() else "not_stated"].append(received_on)
    decided: dict[str, list[dt.date]] = defaultdict(list)
    for state, gender, decided_on in Referral.objects.filter(
        area=area, state__in=DECIDED, decided_on__range=(start, end)
    ).values_list("state", "individual__gender", "decided_on"):
        decided[f"{state}-{gender}"].append(decided_on)

    def table(
        key: str, title: str, counted: str, labels: Sequence[tuple[str, str]], dates: dict[str, list[dt.date]]
    ) -> CountTable:
        return count_table(key, title, counted, labels, dates, year_periods, threshold)

    received = "referrals received (sent by the referring agency) in the period"
    return [
        table("referrals_by_gender", "Referrals received by gender", received, Gender.choices, by_gender),
        table(
            "referrals_by_age",
            "Referrals received by age band",
            f"{received}, by age on the day received",
            [(label, label) for _, label in AGE_BANDS],
            by_age,
        ),
        table(
            "referrals_by_ethnicity_recorded",
            "Referrals received: ethnicity recorded",
            received,
            [("stated", "Stated in the person's own words"), ("not_stated", "Not recorded")],
            by_ethnicity,
        ),
        table(
            "decisions_by_level_and_gender",
            "Screening decisions by level and gender",
            "referrals decided in the period (on the day of the decision)",
            [
                (f"{state}-{gender}", f"{level}, {label.lower()}")
                for state, level in LEVELS
                for gender, label in Gender.choices
            ],
            decided,
        ),
    ]
