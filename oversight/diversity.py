"""Diversity of referrals and of screening decisions, for the SMB's equality duty (docs/indicators.md, "Diversity").

Counts by quarter, hidden when small as everywhere else (oversight.movement's tables). Gender and age band come
from the person's record; ethnicity is recorded in the person's own words, so it is counted only as stated or not
stated: a table of free-text descriptions would name groups small enough to point at someone. The area's eligible
population by gender, age and ethnicity is not held by this service; the SMB compares with its own figures.
Two queries, whatever the number of records or of areas.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

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


def diversity_for_areas(*, areas: Sequence[Area], year: int, thresholds: Mapping[Any, int]) -> list[list[CountTable]]:
    """The four tables for each of ``areas`` (in their order), with each area's threshold (by area id)."""
    year_periods: list[Period] = periods(year)
    start, end = year_periods[-1].start, year_periods[-1].end
    area_ids = [area.pk for area in areas]
    by_gender: dict[Any, dict[str, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    by_age: dict[Any, dict[str, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    by_ethnicity: dict[Any, dict[str, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    for area_id, submitted_at, gender, ethnicity, born in Referral.objects.filter(
        area_id__in=area_ids,
        submitted_at__gte=_midnight(start),
        submitted_at__lt=_midnight(periods(year + 1)[0].start),
    ).values_list(
        "area_id",
        "submitted_at",
        "individual__gender",
        "individual__ethnicity_as_stated",
        "individual__date_of_birth",
    ):
        received_on = timezone.localtime(submitted_at).date()
        by_gender[area_id][gender].append(received_on)
        by_age[area_id][age_band(born, received_on)].append(received_on)
        by_ethnicity[area_id]["stated" if ethnicity.strip() else "not_stated"].append(received_on)
    decided: dict[Any, dict[str, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    for area_id, state, gender, decided_on in Referral.objects.filter(
        area_id__in=area_ids, state__in=DECIDED, decided_on__range=(start, end)
    ).values_list("area_id", "state", "individual__gender", "decided_on"):
        decided[area_id][f"{state}-{gender}"].append(decided_on)
    return [
        _tables(
            year_periods,
            thresholds[area.pk],
            by_gender[area.pk],
            by_age[area.pk],
            by_ethnicity[area.pk],
            decided[area.pk],
        )
        for area in areas
    ]


def area_diversity(*, area: Area, year: int, threshold: int) -> list[CountTable]:
    return diversity_for_areas(areas=[area], year=year, thresholds={area.pk: threshold})[0]


def _tables(
    year_periods: list[Period],
    threshold: int,
    by_gender: dict[str, list[dt.date]],
    by_age: dict[str, list[dt.date]],
    by_ethnicity: dict[str, list[dt.date]],
    decided: dict[str, list[dt.date]],
) -> list[CountTable]:
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
