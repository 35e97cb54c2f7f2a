"""The MAPPA annual report tables, derived from the dated registration periods and life events.

Every figure is a database aggregate: computing a report costs the same fixed number of queries
(:data:`QUERIES_PER_REPORT`) whether an area has ten people or ten thousand. Definitions and the choices
made where the published commentary is silent are in ``docs/statistics.md``; the labels are the 2024/25
report's own.

Raw counts are kept on each :class:`Table`; what a reader sees (``display``) has small-number
suppression applied (primary and secondary: ``reporting.disclosure``), so every export and page shows the
same published figures.

One module on purpose, though it passes 500 lines: every table of the report is computed from the same
fixed set of aggregates, and keeping them together keeps :data:`QUERIES_PER_REPORT` checkable in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from case_reviews.models import ReviewState, SeriousCaseReview, SeriousFurtherOffence
from mappa_workflow.models import Area, AreaPopulation, AreaSettings, reporting_year_bounds
from referrals.models import LifeEvent, LifeEventType, Location, RegistrationPeriod

from . import compiled_sql, disclosure

# Areas, settings, snapshot, yearly Level 2/3, life events, returns to custody, serious further offences, serious
# case reviews, population.
QUERIES_PER_REPORT = 9

PUBLISHED_CATEGORIES = (1, 2, 3)  # Category 4 never appears in a local table
LEVELS = (1, 2, 3)
CATEGORY_COLUMNS = (
    ("category_1", "Category 1: Subject to sex offender notification requirements"),
    ("category_2", "Category 2: Violent offenders"),
    ("category_3", "Category 3: Other dangerous offenders"),
)
NOT_APPLICABLE = "-"
SUPPRESSED = "*"


class UnknownReportingYear(ValueError):
    """A reporting year that has not started, or is before records could exist."""


@dataclass
class Column:
    key: str
    label: str


@dataclass
class Row:
    key: str
    label: str
    values: dict[str, int | None]
    is_total: bool = False


@dataclass
class Table:
    """One table of the report. ``values`` hold raw counts (``None`` where a cell cannot exist)."""

    key: str
    title: str
    sheet_name: str  # at most 31 characters: a spreadsheet sheet's name
    columns: list[Column]
    rows: list[Row]
    note: str = ""
    # (row key, column key) of every cell that sums others, with the cells it sums
    totals: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    # counts never shown that a reader knows exist, and that sums name (with their raw values)
    unpublished: dict[tuple[str, str], int] = field(default_factory=dict)
    # False for a figure that is not a count (the rate per 100,000): small-number suppression does not apply
    counts: bool = True
    display: dict[tuple[str, str], str] = field(default_factory=dict)

    def value(self, row: str, column: str) -> int | None:
        for r in self.rows:
            if r.key == row:
                return r.values[column]
        raise KeyError(row)

    def cell_values(self) -> dict[tuple[str, str], int]:
        """Every count, published or not, by (row key, column key); cells that cannot exist left out."""
        published = {(r.key, c): v for r in self.rows for c, v in r.values.items() if v is not None}
        return {**published, **self.unpublished}

    def shown(self, row: str, column: str) -> str:
        return self.display[(row, column)]

    def body(self) -> list[dict[str, Any]]:
        """Rows for templates: label plus the displayed cells in column order."""
        return [
            {
                "key": r.key,
                "label": r.label,
                "is_total": r.is_total,
                "cells": [self.display[(r.key, c.key)] for c in self.columns],
            }
            for r in self.rows
        ]


@dataclass
class AnnualReport:
    areas: list[Area]
    all_areas: bool
    year: int
    tables: list[Table]
    suppression_threshold: int

    @property
    def first_day(self) -> date:
        return reporting_year_bounds(self.year)[0]

    @property
    def last_day(self) -> date:
        return reporting_year_bounds(self.year)[1]

    @property
    def year_label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def area_label(self) -> str:
        if self.all_areas:
            return "All MAPPA areas (England and Wales)"
        return ", ".join(a.name for a in self.areas)

    @property
    def title(self) -> str:
        return f"MAPPA annual report statistics {self.year_label}: {self.area_label}"

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    def as_dict(self) -> dict[str, Any]:
        """The published figures (suppression applied): ``"*"`` for suppressed, ``None`` for "-"."""

        def published(text: str) -> int | str | None:
            if text == NOT_APPLICABLE:
                return None
            if text in (SUPPRESSED, ""):
                return text
            return int(text)

        return {
            "title": self.title,
            "areas": [a.slug for a in self.areas] if not self.all_areas else "all",
            "year": self.year,
            "reporting_year": self.year_label,
            "period": {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()},
            "suppression_threshold": self.suppression_threshold,
            "tables": {
                t.key: {
                    "title": t.title,
                    "note": t.note,
                    "columns": {c.key: c.label for c in t.columns},
                    "rows": {
                        r.key: {"label": r.label, **{c.key: published(t.display[(r.key, c.key)]) for c in t.columns}}
                        for r in t.rows
                    },
                }
                for t in self.tables
            },
        }

    def raw_values(self) -> dict[str, int | None]:
        """Every raw cell as ``"table.row.column"`` -> count, for comparisons and targets."""
        return {f"{t.key}.{r.key}.{c}": v for t in self.tables for r in t.rows for c, v in r.values.items()}


# ---------------------------------------------------------------------------------------------
# Query helpers
# ---------------------------------------------------------------------------------------------


def _cell(category: int, level: int) -> str:
    return f"c{category}_l{level}"


def _area_filter(qs: QuerySet, area_ids: list[int] | None) -> QuerySet:
    return qs if area_ids is None else qs.filter(area_id__in=area_ids)


def snapshot_counts(area_ids: list[int] | None, day: date) -> dict[str, int]:
    """Distinct individuals in the community on ``day`` by category and level (one query).

    GROUP BY category and level, as the hand-written floor in ``benchmarks/measure.py`` does: nine
    ``COUNT(DISTINCT ...) FILTER`` aggregates in one row sort the periods nine times (2.4x the floor for
    one area, against 1.5x; docs/performance.md)."""
    cells = {_cell(c, level): 0 for c in PUBLISHED_CATEGORIES for level in LEVELS}
    for row in compiled_sql.rows(_snapshot_query, area_ids=area_ids, day=day):
        cells[_cell(row["category"], row["level"])] = row["people"]
    return cells


def _snapshot_query(area_ids: list[int] | None, day: date) -> QuerySet:
    periods = _area_filter(
        RegistrationPeriod.objects.on(day).filter(location=Location.COMMUNITY, category__in=PUBLISHED_CATEGORIES),
        area_ids,
    )
    return periods.order_by().values("category", "level").annotate(people=Count("individual", distinct=True))


def level_2_3_periods(area_ids: list[int] | None, first: date, last: date) -> QuerySet:
    return _area_filter(
        RegistrationPeriod.objects.overlapping(first, last).filter(level__in=(2, 3), category__in=PUBLISHED_CATEGORIES),
        area_ids,
    )


def yearly_level_2_3_counts(area_ids: list[int] | None, first: date, last: date) -> dict[str, int]:
    """Each individual at Level 2 or 3 in the year once: under the highest level reached, with the
    category of the latest period at that level (one query).

    A period *represents* its individual when no other qualifying period of theirs is at a higher
    level, or at the same level but later (period id breaks a same-day tie).
    """
    return compiled_sql.row(_yearly_level_2_3_aggregate, area_ids=area_ids, first=first, last=last)


def _yearly_level_2_3_aggregate(area_ids: list[int] | None, first: date, last: date) -> dict[str, int]:
    periods = level_2_3_periods(area_ids, first, last)
    outranked_by = periods.filter(individual=OuterRef("individual")).filter(
        Q(level__gt=OuterRef("level"))
        | Q(level=OuterRef("level"), start_date__gt=OuterRef("start_date"))
        | Q(level=OuterRef("level"), start_date=OuterRef("start_date"), pk__gt=OuterRef("pk"))
    )
    representatives = periods.filter(~Exists(outranked_by))
    return representatives.aggregate(
        **{
            _cell(c, level): Count("individual", distinct=True, filter=Q(category=c, level=level))
            for c in PUBLISHED_CATEGORIES
            for level in (2, 3)
        }
    )


def life_event_counts(area_ids: list[int] | None, first: date, last: date) -> dict[str, int]:
    return compiled_sql.row(_life_event_aggregate, area_ids=area_ids, first=first, last=last)


def _life_event_aggregate(area_ids: list[int] | None, first: date, last: date) -> dict[str, int]:
    events = _area_filter(LifeEvent.objects.filter(occurred_on__gte=first, occurred_on__lte=last), area_ids)
    people = lambda event_type: Count("individual", distinct=True, filter=Q(event_type=event_type))  # noqa: E731
    orders = lambda condition: Count("id", filter=condition)  # noqa: E731
    return events.aggregate(
        cautioned=people(LifeEventType.BREACH_NOTIFICATION_CAUTION),
        convicted=people(LifeEventType.BREACH_NOTIFICATION_CONVICTION),
        lifetime_revoked=people(LifeEventType.LIFETIME_NOTIFICATION_REVOKED),
        shpo=orders(Q(event_type=LifeEventType.SHPO_IMPOSED)),
        shpo_foreign_travel=orders(Q(event_type=LifeEventType.SHPO_IMPOSED, foreign_travel_restriction=True)),
        notification_order=orders(Q(event_type=LifeEventType.NOTIFICATION_ORDER_IMPOSED)),
        sro_breach=people(LifeEventType.SRO_BREACHED),
    )


RETURN_TYPES = (LifeEventType.RETURNED_TO_CUSTODY_LICENCE, LifeEventType.RETURNED_TO_CUSTODY_SHPO)


def period_in_force_the_day_before() -> QuerySet:
    """For a life event (``OuterRef``): the individual's period covering the day before it happened."""
    return RegistrationPeriod.objects.filter(
        individual=OuterRef("individual"), start_date__lt=OuterRef("occurred_on")
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("occurred_on")))


def returns_to_custody(area_ids: list[int] | None, first: date, last: date) -> dict[tuple[str, int, int], int]:
    """Returns in the year by (event type, level, category) held the day before (one query)."""
    rows = compiled_sql.rows(_returns_query, area_ids=area_ids, first=first, last=last)
    return {(r["event_type"], r["level_before"], r["category_before"]): r["returns"] for r in rows}


def _returns_query(area_ids: list[int] | None, first: date, last: date) -> QuerySet:
    before = period_in_force_the_day_before().order_by("-start_date")
    return (
        _area_filter(
            LifeEvent.objects.filter(event_type__in=RETURN_TYPES, occurred_on__gte=first, occurred_on__lte=last),
            area_ids,
        )
        .annotate(
            level_before=Subquery(before.values("level")[:1]),
            category_before=Subquery(before.values("category")[:1]),
        )
        .values("event_type", "level_before", "category_before")
        .annotate(returns=Count("id"))
        .order_by()
    )


def serious_further_offence_counts(area_ids: list[int] | None, first: date, last: date) -> dict[str, int]:
    """SFOs charged in the year, by the category and level at the time of the offence (one query). The category
    and level were copied from the period in force on the day of the offence when the SFO was recorded."""
    counts = {_cell(c, level): 0 for c in PUBLISHED_CATEGORIES for level in LEVELS}
    for r in compiled_sql.rows(_serious_further_offence_query, area_ids=area_ids, first=first, last=last):
        counts[_cell(r["category"], r["level"])] = r["offences"]
    return counts


def _serious_further_offence_query(area_ids: list[int] | None, first: date, last: date) -> QuerySet:
    return (
        _area_filter(
            SeriousFurtherOffence.objects.filter(
                charged_on__gte=first, charged_on__lte=last, category__in=PUBLISHED_CATEGORIES
            ),
            area_ids,
        )
        .values("category", "level")
        .annotate(offences=Count("id"))
        .order_by()
    )


# A review counts as commissioned in the year of the SMB's decision, and as completed in the year its report was
# approved (it may be closed later, when its action plan is done).
COMMISSIONED_STATES = (
    ReviewState.COMMISSIONED,
    ReviewState.REPORT_DRAFTED,
    ReviewState.REPORT_APPROVED,
    ReviewState.CLOSED,
)


def serious_case_review_counts(area_ids: list[int] | None, first: date, last: date) -> dict[str, int]:
    """Serious case reviews commissioned and completed in the year (one query); Category 4 left out."""
    return compiled_sql.row(_serious_case_review_aggregate, area_ids=area_ids, first=first, last=last)


def _serious_case_review_aggregate(area_ids: list[int] | None, first: date, last: date) -> dict[str, int]:
    return _area_filter(
        SeriousCaseReview.objects.filter(serious_further_offence__category__in=PUBLISHED_CATEGORIES), area_ids
    ).aggregate(
        commissioned=Count("id", filter=Q(state__in=COMMISSIONED_STATES, decided_on__gte=first, decided_on__lte=last)),
        completed=Count("id", filter=Q(report_approved_on__gte=first, report_approved_on__lte=last)),
    )


# ---------------------------------------------------------------------------------------------
# Building the tables
# ---------------------------------------------------------------------------------------------


def _category_level_table(
    key: str, title: str, sheet_name: str, counts: dict[str, int], levels: Iterable[int], note: str = ""
) -> Table:
    columns = [Column(k, label) for k, label in CATEGORY_COLUMNS] + [Column("total", "Total")]
    rows = []
    totals: dict[tuple[str, str], list[tuple[str, str]]] = {}
    levels = list(levels)
    for level in levels:
        values: dict[str, int | None] = {}
        for c in PUBLISHED_CATEGORIES:
            values[f"category_{c}"] = None if (c == 3 and level == 1) else counts[_cell(c, level)]
        values["total"] = sum(v for v in values.values() if v is not None)
        row_key = f"level_{level}"
        totals[(row_key, "total")] = [
            (row_key, f"category_{c}") for c in PUBLISHED_CATEGORIES if values[f"category_{c}"] is not None
        ]
        rows.append(Row(row_key, f"Level {level}", values))
    total_values: dict[str, int | None] = {}
    for col in columns:
        cells = [(r.key, col.key) for r in rows if r.values[col.key] is not None]
        total_values[col.key] = sum(r.values[col.key] or 0 for r in rows)
        totals[("total", col.key)] = cells
    rows.append(Row("total", "Total", total_values, is_total=True))
    return Table(key, title, sheet_name, columns, rows, note, totals)


def _count_table(
    key: str,
    title: str,
    sheet_name: str,
    rows: list[tuple[str, str, int]],
    note: str = "",
    *,
    totals: dict[tuple[str, str], list[tuple[str, str]]] | None = None,
    unpublished: dict[tuple[str, str], int] | None = None,
) -> Table:
    return Table(
        key,
        title,
        sheet_name,
        [Column("number", "Number")],
        [Row(k, label, {"number": n}) for k, label, n in rows],
        note,
        totals or {},
        unpublished or {},
    )


def _returns_tables(returns: dict[tuple[str, int, int], int]) -> tuple[Table, Table]:
    licence = {
        _cell(c, level): returns.get((LifeEventType.RETURNED_TO_CUSTODY_LICENCE, level, c), 0)
        for c in PUBLISHED_CATEGORIES
        for level in (2, 3)
    }
    licence_table = _category_level_table(
        "returns_licence",
        "Level 2 and 3 individuals returned to custody: returned to custody for breach of licence",
        "Returns breach of licence",
        licence,
        (2, 3),
        note="Returns in the year, by the level and category held the day before the return.",
    )
    shpo_rows: list[Row] = []
    for level in (2, 3):
        n = sum(returns.get((LifeEventType.RETURNED_TO_CUSTODY_SHPO, level, c), 0) for c in PUBLISHED_CATEGORIES)
        shpo_rows.append(Row(f"level_{level}", f"Level {level}", {"number": n}))
    shpo_rows.append(Row("total", "Total", {"number": sum(r.values["number"] or 0 for r in shpo_rows)}, is_total=True))
    shpo_table = Table(
        "returns_shpo",
        "Level 2 and 3 individuals returned to custody: breach of SHPO",
        "Returns breach of SHPO",
        [Column("number", "Number")],
        shpo_rows,
        "Returns in the year, by the level held the day before the return.",
        {("total", "number"): [("level_2", "number"), ("level_3", "number")]},
    )
    return licence_table, shpo_table


def rate_per_100000(category_1: int, population: int | None) -> int | None:
    if not population:
        return None
    return int((Decimal(category_1) * 100_000 / Decimal(population)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _rate_table(category_1: int, populations: list[tuple[int, int, str]], area_count: int | None) -> Table:
    complete = area_count is not None and len(populations) == area_count and area_count > 0
    population = sum(p for _, p, _ in populations) if complete else None
    rate = rate_per_100000(category_1, population)
    if rate is None:
        note = (
            "Not calculated: the population aged 10 and over is not recorded for "
            + ("every area in" if (area_count or 0) > 1 else "this area and")
            + " this year. Add it under Area populations."
        )
    elif len(populations) == 1:
        note = f"Population aged 10 and over: {population:,}. {populations[0][2]}"
    else:
        note = f"Population aged 10 and over: {population:,} (the sum of {len(populations)} areas' recorded estimates)."
    return Table(
        "rate",
        "Total number of individuals subject to sex offender notification requirements per 100,000 population",
        "Rate per 100,000",
        [Column("number", "Per 100,000")],
        [Row("rate", "Category 1 per 100,000 population aged 10 and over", {"number": rate})],
        note,
        counts=False,
    )


# ---------------------------------------------------------------------------------------------
# Suppression
# ---------------------------------------------------------------------------------------------


def apply_suppression(table: Table, threshold: int) -> None:
    """Fill ``table.display``: "*" for every count from 1 to ``threshold`` and for the cells hidden with them
    so that none can be worked out from the rest of the table (:func:`reporting.disclosure.suppress`)."""
    hidden = (
        disclosure.suppress(table.cell_values(), table.totals, threshold, unpublished=table.unpublished)
        if table.counts
        else set()
    )
    table.display = {}
    for r in table.rows:
        for c, v in r.values.items():
            if v is None:
                table.display[(r.key, c)] = NOT_APPLICABLE if table.counts else ""
            elif (r.key, c) in hidden:
                table.display[(r.key, c)] = SUPPRESSED
            else:
                table.display[(r.key, c)] = str(v)


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


def current_reporting_year(today: date | None = None) -> int:
    today = today or timezone.localdate()
    return today.year if today.month >= 4 else today.year - 1


def first_record_day(area_ids: list[int]) -> date | None:
    """The earliest day the areas' statistics can count anything: the first registration period or life
    event. None when the areas have no records yet."""
    days = [
        RegistrationPeriod.objects.filter(area_id__in=area_ids).aggregate(first=Min("start_date"))["first"],
        LifeEvent.objects.filter(area_id__in=area_ids).aggregate(first=Min("occurred_on"))["first"],
    ]
    found = [d for d in days if d is not None]
    return min(found) if found else None


def reporting_year_of(day: date) -> int:
    return current_reporting_year(day)


def check_year(year: int) -> None:
    latest = current_reporting_year()
    if not 2000 <= year <= latest:
        raise UnknownReportingYear(
            f"There is no reporting year {year}/{(year + 1) % 100:02d}: choose a year from 2000 to {latest} "
            "(the April in which the reporting year starts)"
        )


def _threshold_aggregate(area_ids: list[int] | None) -> dict[str, int | None]:
    return _area_filter(AreaSettings.objects.all(), area_ids).aggregate(threshold=Max("suppression_threshold"))


def _population_query(area_ids: list[int] | None, year: int) -> QuerySet:
    return _area_filter(AreaPopulation.objects.filter(year=year), area_ids).values(
        "area_id", "population_aged_10_and_over", "source"
    )


def compute_annual_report(
    *, areas: Area | Iterable[Area] | None = None, year: int, suppression_threshold: int | None = None
) -> AnnualReport:
    """Every table of the annual report for ``areas`` (one, several, or ``None`` for all) and the
    reporting year starting in April ``year``. Costs :data:`QUERIES_PER_REPORT` queries.

    ``suppression_threshold`` overrides the areas' setting (the highest of them when several).
    """
    check_year(year)
    all_areas = areas is None
    if isinstance(areas, Area):
        areas = [areas]
    area_ids = None if areas is None else sorted({a.pk for a in areas})
    area_list = list(Area.objects.all() if area_ids is None else Area.objects.filter(pk__in=area_ids))
    if suppression_threshold is None:
        suppression_threshold = compiled_sql.row(_threshold_aggregate, area_ids=area_ids)["threshold"] or 0

    first, last = reporting_year_bounds(year)
    snapshot = snapshot_counts(area_ids, last)
    yearly = yearly_level_2_3_counts(area_ids, first, last)
    events = life_event_counts(area_ids, first, last)
    returns = returns_to_custody(area_ids, first, last)
    offences = serious_further_offence_counts(area_ids, first, last)
    reviews = serious_case_review_counts(area_ids, first, last)
    populations = [
        (r["area_id"], r["population_aged_10_and_over"], r["source"])
        for r in compiled_sql.rows(_population_query, area_ids=area_ids, year=year)
    ]

    snapshot_table = _category_level_table(
        "snapshot",
        f"MAPPA-eligible individuals on {last.day} March {last.year}",
        f"On 31 March {last.year}",
        snapshot,
        LEVELS,
        note="A snapshot on 31 March of individuals living in the community (not in custody or detained in hospital).",
    )
    yearly_table = _category_level_table(
        "level_2_3_yearly",
        "MAPPA-eligible offenders in Levels 2 and 3 by category (yearly total)",
        "Levels 2 and 3 yearly total",
        yearly,
        (2, 3),
        note="Each individual is counted once, under the highest level reached in the year.",
    )
    licence_table, shpo_table = _returns_tables(returns)
    category_1_total = snapshot_table.value("total", "category_1") or 0
    tables = [
        snapshot_table,
        yearly_table,
        _count_table(
            "notification_breaches",
            "Category 1 cautioned or convicted for breach of notification requirements",
            "Breach of notification",
            [
                ("cautioned", "Category 1 cautioned for breach of notification requirements", events["cautioned"]),
                ("convicted", "Category 1 convicted for breach of notification requirements", events["convicted"]),
            ],
        ),
        _count_table(
            "lifetime_revoked",
            "Category 1 who have had their life time notification revoked on application",
            "Lifetime notification revoked",
            [
                (
                    "revoked",
                    "Category 1 who have had their life time notification revoked on application",
                    events["lifetime_revoked"],
                )
            ],
        ),
        _count_table(
            "restrictive_orders",
            "Restrictive orders for Category 1 offenders",
            "Restrictive orders",
            [
                ("shpo", "Sexual Harm Prevention Order (SHPO)", events["shpo"]),
                ("shpo_foreign_travel", "SHPO with foreign travel restriction", events["shpo_foreign_travel"]),
                ("notification_order", "Notification Order", events["notification_order"]),
            ],
            note="Orders imposed in the year (orders, not people).",
            # "with a foreign travel restriction" is a part of all SHPOs: a reader knows it is at most the SHPOs
            totals={("shpo", "number"): [("shpo_foreign_travel", "number"), ("shpo_other", "number")]},
            unpublished={("shpo_other", "number"): events["shpo"] - events["shpo_foreign_travel"]},
        ),
        _count_table(
            "sro_breach",
            "Number of individuals who became subject to sex offender notification requirements following a "
            "breach(es) of a Sexual Risk Order (SRO)",
            "Breach of SRO",
            [
                (
                    "individuals",
                    "Number of individuals who became subject to sex offender notification requirements "
                    "following a breach(es) of a Sexual Risk Order (SRO)",
                    events["sro_breach"],
                )
            ],
        ),
        licence_table,
        shpo_table,
        _category_level_table(
            "serious_further_offences",
            "MAPPA-eligible offenders charged with a serious further offence",
            "Serious further offences",
            offences,
            LEVELS,
            note="Charged in the year, by the level and category held on the day of the offence.",
        ),
        _count_table(
            "serious_case_reviews",
            "MAPPA serious case reviews",
            "Serious case reviews",
            [
                ("commissioned", "Serious case reviews commissioned by the SMB", reviews["commissioned"]),
                ("completed", "Serious case reviews completed (report approved by the SMB)", reviews["completed"]),
            ],
            note="Commissioned: the SMB's decision was in the year. Completed: its report was approved in the year.",
        ),
        _rate_table(category_1_total, populations, None if all_areas and not area_list else len(area_list)),
    ]
    for table in tables:
        apply_suppression(table, suppression_threshold)
    rate = next(t for t in tables if t.key == "rate")
    if snapshot_table.shown("total", "category_1") == SUPPRESSED and rate.value("rate", "number") is not None:
        rate.display[("rate", "number")] = SUPPRESSED  # the rate and population would reveal the count
    return AnnualReport(area_list, all_areas, year, tables, suppression_threshold)


# ---------------------------------------------------------------------------------------------
# Closed reporting years, cached
# ---------------------------------------------------------------------------------------------

REPORT_CACHE_SECONDS = 24 * 60 * 60
_REPORT_CACHE_VERSION = 3  # bump when the report's tables or their definitions change


def suppression_threshold_for(area_ids: list[int]) -> int:
    """The areas' suppression threshold (the highest of them), as compute_annual_report uses it."""
    settings = AreaSettings.objects.filter(area_id__in=area_ids)
    return settings.aggregate(threshold=Max("suppression_threshold"))["threshold"] or 0


# Each part: how many rows, and the sum of a 64-bit hash of each row's (id, xmin), xmin being the id of the
# transaction that wrote that version of the row. Any committed insert, update or delete changes that set of
# pairs (an update leaves the row's id with another transaction's id), so the sum changes with it (barring a
# 64-bit hash collision). It reads no row contents: a few milliseconds for the largest area. Inside a
# transaction that has itself written (txid_current_if_assigned), rows it wrote and then changed again would
# keep its id: there the version is NULL and the cache is not used.
_DATA_VERSION_SQL = """
WITH periods AS (
    SELECT p.id, p.xmin FROM referrals_registrationperiod p WHERE p.area_id = ANY(%(areas)s)
    UNION
    SELECT p.id, p.xmin FROM referrals_registrationperiod p
     WHERE p.individual_id = ANY(ARRAY(
        SELECT e.individual_id FROM referrals_lifeevent e
         WHERE e.area_id = ANY(%(areas)s) AND e.event_type = ANY(%(returns)s)))
)
SELECT CASE WHEN txid_current_if_assigned() IS NULL THEN concat_ws(':',
    (SELECT count(*) || '-' || coalesce(sum(hashint8extended((p.id::bigint << 32) # p.xmin::text::bigint, 0)), 0) FROM periods p),
    (SELECT count(*) || '-' || coalesce(sum(hashtextextended(e.id::text || ':' || e.xmin::text, 0)), 0)
       FROM referrals_lifeevent e WHERE e.area_id = ANY(%(areas)s)),
    (SELECT count(*) || '-' || coalesce(sum(hashint8extended((x.id::bigint << 32) # x.xmin::text::bigint, 0)), 0)
       FROM mappa_workflow_areapopulation x WHERE x.area_id = ANY(%(areas)s)),
    (SELECT count(*) || '-' || coalesce(sum(hashtextextended(s.id::text || ':' || s.xmin::text, 0)), 0)
       FROM case_reviews_seriousfurtheroffence s WHERE s.area_id = ANY(%(areas)s)),
    (SELECT count(*) || '-' || coalesce(sum(hashtextextended(r.id::text || ':' || r.xmin::text, 0)), 0)
       FROM case_reviews_seriouscasereview r WHERE r.area_id = ANY(%(areas)s)),
    (SELECT count(*) || '-' || coalesce(sum(hashint8extended((a.id::bigint << 32) # a.xmin::text::bigint, 0)), 0)
       FROM mappa_workflow_area a WHERE a.id = ANY(%(areas)s))
) END
"""


def data_version(area_ids: list[int]) -> str | None:
    """A fingerprint of every row a report for ``area_ids`` reads, in one query: the areas' periods (and
    the periods, in any area, of their people returned to custody, which the returns table looks up),
    life events, populations, serious further offences and reviews, and the areas themselves. Any insert, delete or edit of such a row, however it
    was made (services, imports, retention, the admin, SQL), changes it, so a cached report is never stale.
    On PostgreSQL it reads only row ids and transaction ids (a few milliseconds for the largest area), and is
    None inside a transaction that has written something (do not use the cache there).
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_DATA_VERSION_SQL, {"areas": list(area_ids), "returns": [str(t) for t in RETURN_TYPES]})
            version = cursor.fetchone()[0]
            return None if version is None else str(version)
    # Elsewhere (SQLite in development and tests): the same rows, hashed here.
    import hashlib

    returned = LifeEvent.objects.filter(area_id__in=area_ids, event_type__in=RETURN_TYPES).values("individual_id")
    periods = RegistrationPeriod.objects.filter(Q(area_id__in=area_ids) | Q(individual_id__in=returned))
    parts = [
        periods.order_by("pk").values_list(),
        LifeEvent.objects.filter(area_id__in=area_ids).order_by("pk").values_list(),
        AreaPopulation.objects.filter(area_id__in=area_ids).order_by("pk").values_list(),
        Area.objects.filter(pk__in=area_ids).order_by("pk").values_list(),
        SeriousFurtherOffence.objects.filter(area_id__in=area_ids).order_by("pk").values_list(),
        SeriousCaseReview.objects.filter(area_id__in=area_ids).order_by("pk").values_list(),
    ]
    digest = hashlib.blake2b(digest_size=16)
    for rows in parts:
        digest.update(repr(list(rows)).encode())
    return digest.hexdigest()


def cached_annual_reports(*, areas: Area | Iterable[Area], years: Iterable[int]) -> list[AnnualReport]:
    """compute_annual_report for each of ``years``, keeping the reports of closed reporting years in the
    cache keyed by area, year, suppression threshold and :func:`data_version`: a correction to an old
    record changes the version, so it shows at once. The year still open is always computed."""
    from django.core.cache import cache

    if isinstance(areas, Area):
        areas = [areas]
    area_list = list(areas)
    area_ids = sorted({a.pk for a in area_list})
    years = list(years)
    open_year = current_reporting_year()
    if not area_ids or all(y >= open_year for y in years):
        return [compute_annual_report(areas=area_list, year=y) for y in years]
    threshold = suppression_threshold_for(area_ids)
    version = data_version(area_ids)
    if version is None:
        return [compute_annual_report(areas=area_list, year=y, suppression_threshold=threshold) for y in years]
    area_key = ",".join(map(str, area_ids))
    reports = []
    for year in years:
        if year >= open_year:
            reports.append(compute_annual_report(areas=area_list, year=year, suppression_threshold=threshold))
            continue
        key = f"annual-report:{_REPORT_CACHE_VERSION}:{area_key}:{year}:{threshold}:{version}"
        report = cache.get(key)
        if report is None:
            report = compute_annual_report(areas=area_list, year=year, suppression_threshold=threshold)
            cache.set(key, report, REPORT_CACHE_SECONDS)
        reports.append(report)
    return reports
