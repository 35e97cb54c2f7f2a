"""Edges of the annual report's counts that mutation testing found no test for: another area's records in every
table, each order and breach in its own row, a category changed at the same level, an event that is not a return."""

from __future__ import annotations

from datetime import date as D

import pytest

from mappa_workflow.models import Area, AreaPopulation
from referrals.models import LifeEventType
from reporting.statistics import compute_annual_report
from reporting.synthetic.timeline import ChangeLevel, Event, Open
from tests.factories import northamptonshire

from .histories import add, person, write

pytestmark = pytest.mark.django_db

RTC = LifeEventType.RETURNED_TO_CUSTODY_LICENCE


def _report(area, year=2024):
    return compute_annual_report(areas=area, year=year, suppression_threshold=0)


def test_another_areas_people_and_events_count_in_none_of_an_areas_tables():
    north = northamptonshire()
    kent = Area.objects.get(slug="kent")
    write(north, person(north, Open(D(2020, 1, 1), 1, 1)), person(north, Open(D(2024, 6, 1), 2, 2)))
    before = _report(north).as_dict()
    add(
        kent,
        person(kent, Open(D(2024, 5, 1), 2, 2), ChangeLevel(D(2024, 7, 1), 3, "up"), Event(D(2024, 8, 1), RTC)),
        person(kent, Open(D(2024, 5, 1), 1, 2), Event(D(2024, 9, 1), LifeEventType.RETURNED_TO_CUSTODY_SHPO)),
        person(
            kent,
            Open(D(2020, 1, 1), 1, 1),
            Event(D(2024, 6, 1), LifeEventType.BREACH_NOTIFICATION_CONVICTION),
            Event(D(2024, 6, 2), LifeEventType.BREACH_NOTIFICATION_CAUTION),
            Event(D(2024, 6, 3), LifeEventType.SHPO_IMPOSED, foreign_travel_restriction=True),
            Event(D(2024, 6, 4), LifeEventType.NOTIFICATION_ORDER_IMPOSED),
        ),
    )
    kent_report = _report(kent)
    assert kent_report.table("level_2_3_yearly").value("total", "total") == 2  # so Kent's records are there
    assert kent_report.table("returns_licence").value("total", "total") == 1
    assert kent_report.table("restrictive_orders").value("shpo", "number") == 1
    assert _report(north).as_dict() == before


def test_each_order_and_breach_counts_in_its_own_row():
    area = northamptonshire()
    write(
        area,
        person(area, Open(D(2020, 1, 1), 1, 1), Event(D(2024, 6, 1), LifeEventType.BREACH_NOTIFICATION_CONVICTION)),
        person(area, Open(D(2020, 1, 1), 1, 1), Event(D(2024, 7, 1), LifeEventType.BREACH_NOTIFICATION_CONVICTION)),
        person(area, Event(D(2024, 8, 1), LifeEventType.NOTIFICATION_ORDER_IMPOSED)),
    )
    report = _report(area)
    assert report.table("notification_breaches").value("convicted", "number") == 2
    assert report.table("notification_breaches").value("cautioned", "number") == 0
    orders = report.table("restrictive_orders")
    assert (orders.value("notification_order", "number"), orders.value("shpo", "number")) == (1, 0)


def test_a_category_changed_at_the_same_level_counts_everyone_under_their_latest_category():
    area = northamptonshire()
    # six people, each Category 2 at Level 2 and then Category 1 at Level 2 (the periods' ids fall in any order)
    write(
        area,
        *(
            person(area, Open(D(2024, 5, 1), 2, 2), ChangeLevel(D(2024, 6, 1 + n), 2, "category", category=1))
            for n in range(6)
        ),
    )
    yearly = _report(area).table("level_2_3_yearly")
    assert (yearly.value("level_2", "category_1"), yearly.value("level_2", "category_2")) == (6, 0)
    assert yearly.value("total", "total") == 6


def test_an_event_that_is_not_a_return_to_custody_is_not_counted_as_one():
    area = northamptonshire()
    write(
        area,
        person(area, Open(D(2024, 5, 1), 2, 2), Event(D(2024, 6, 1), LifeEventType.HOSPITAL_ADMISSION)),
        person(area, Open(D(2024, 5, 1), 2, 3), Event(D(2024, 6, 1), LifeEventType.SHPO_IMPOSED)),
        person(area, Open(D(2024, 5, 1), 2, 2), Event(D(2024, 7, 1), RTC)),
    )
    report = _report(area)
    assert report.table("returns_licence").value("total", "total") == 1
    assert report.table("returns_shpo").value("total", "number") == 0


def test_a_table_the_report_does_not_have_is_refused_by_its_name():
    report = _report(northamptonshire())
    with pytest.raises(KeyError) as refused:
        report.table("arrests")
    assert refused.value.args == ("arrests",)


def test_the_returns_tables_total_their_levels():
    report = _report(northamptonshire())
    licence, shpo = report.table("returns_licence"), report.table("returns_shpo")
    for table in (licence, shpo):
        assert [(row.key, row.is_total) for row in table.rows] == [
            ("level_2", False),
            ("level_3", False),
            ("total", True),
        ]
    assert shpo.totals == {("total", "number"): [("level_2", "number"), ("level_3", "number")]}


# Every table as the published annual report words it (title, spreadsheet sheet, note, columns and rows), for the
# year 2024/25. A change here is a change to what the public reads: make it on purpose, here and in the code.
PUBLISHED_WORDING = [
    (
        "snapshot",
        "MAPPA-eligible individuals on 31 March 2025",
        "On 31 March 2025",
        "A snapshot on 31 March of individuals living in the community (not in custody or detained in hospital).",
        [
            ("category_1", "Category 1: Subject to sex offender notification requirements"),
            ("category_2", "Category 2: Violent offenders"),
            ("category_3", "Category 3: Other dangerous offenders"),
            ("total", "Total"),
        ],
        [("level_1", "Level 1"), ("level_2", "Level 2"), ("level_3", "Level 3"), ("total", "Total")],
    ),
    (
        "level_2_3_yearly",
        "MAPPA-eligible offenders in Levels 2 and 3 by category (yearly total)",
        "Levels 2 and 3 yearly total",
        "Each individual is counted once, under the highest level reached in the year.",
        [
            ("category_1", "Category 1: Subject to sex offender notification requirements"),
            ("category_2", "Category 2: Violent offenders"),
            ("category_3", "Category 3: Other dangerous offenders"),
            ("total", "Total"),
        ],
        [("level_2", "Level 2"), ("level_3", "Level 3"), ("total", "Total")],
    ),
    (
        "notification_breaches",
        "Category 1 cautioned or convicted for breach of notification requirements",
        "Breach of notification",
        "",
        [("number", "Number")],
        [
            ("cautioned", "Category 1 cautioned for breach of notification requirements"),
            ("convicted", "Category 1 convicted for breach of notification requirements"),
        ],
    ),
    (
        "lifetime_revoked",
        "Category 1 who have had their life time notification revoked on application",
        "Lifetime notification revoked",
        "",
        [("number", "Number")],
        [("revoked", "Category 1 who have had their life time notification revoked on application")],
    ),
    (
        "restrictive_orders",
        "Restrictive orders for Category 1 offenders",
        "Restrictive orders",
        "Orders imposed in the year (orders, not people).",
        [("number", "Number")],
        [
            ("shpo", "Sexual Harm Prevention Order (SHPO)"),
            ("shpo_foreign_travel", "SHPO with foreign travel restriction"),
            ("notification_order", "Notification Order"),
        ],
    ),
    (
        "sro_breach",
        "Number of individuals who became subject to sex offender notification requirements following a breach(es) of a "
        "Sexual Risk Order (SRO)",
        "Breach of SRO",
        "",
        [("number", "Number")],
        [
            (
                "individuals",
                "Number of individuals who became subject to sex offender notification requirements following a breach(es) of "
                "a Sexual Risk Order (SRO)",
            )
        ],
    ),
    (
        "returns_licence",
        "Level 2 and 3 individuals returned to custody: returned to custody for breach of licence",
        "Returns breach of licence",
        "Returns in the year, by the level and category held the day before the return.",
        [
            ("category_1", "Category 1: Subject to sex offender notification requirements"),
            ("category_2", "Category 2: Violent offenders"),
            ("category_3", "Category 3: Other dangerous offenders"),
            ("total", "Total"),
        ],
        [("level_2", "Level 2"), ("level_3", "Level 3"), ("total", "Total")],
    ),
    (
        "returns_shpo",
        "Level 2 and 3 individuals returned to custody: breach of SHPO",
        "Returns breach of SHPO",
        "Returns in the year, by the level held the day before the return.",
        [("number", "Number")],
        [("level_2", "Level 2"), ("level_3", "Level 3"), ("total", "Total")],
    ),
    (
        "serious_further_offences",
        "MAPPA-eligible offenders charged with a serious further offence",
        "Serious further offences",
        "Charged in the year, by the level and category held on the day of the offence.",
        [
            ("category_1", "Category 1: Subject to sex offender notification requirements"),
            ("category_2", "Category 2: Violent offenders"),
            ("category_3", "Category 3: Other dangerous offenders"),
            ("total", "Total"),
        ],
        [("level_1", "Level 1"), ("level_2", "Level 2"), ("level_3", "Level 3"), ("total", "Total")],
    ),
    (
        "serious_case_reviews",
        "MAPPA serious case reviews",
        "Serious case reviews",
        "Commissioned: the SMB's decision was in the year. Completed: its report was approved in the year.",
        [("number", "Number")],
        [
            ("commissioned", "Serious case reviews commissioned by the SMB"),
            ("completed", "Serious case reviews completed (report approved by the SMB)"),
        ],
    ),
    (
        "rate",
        "Total number of individuals subject to sex offender notification requirements per 100,000 population",
        "Rate per 100,000",
        "Population aged 10 and over: 721,200. Estimate consistent with the published 2024/25 rate (132 per 100,000 "
        "from 952 Category 1): the report cites the mid-2024 estimated resident population, ONS, 30 July 2025, "
        "excluding those aged under 10.",
        [("number", "Per 100,000")],
        [("rate", "Category 1 per 100,000 population aged 10 and over")],
    ),
]


def test_every_table_carries_the_published_wording():
    report = _report(northamptonshire())
    assert [
        (
            t.key,
            t.title,
            t.sheet_name,
            t.note,
            [(c.key, c.label) for c in t.columns],
            [(r.key, r.label) for r in t.rows],
        )
        for t in report.tables
    ] == PUBLISHED_WORDING


def test_with_no_category_1_people_the_rate_is_nought_not_one():
    area = northamptonshire()
    AreaPopulation.objects.update_or_create(
        area=area, year=2024, defaults={"population_aged_10_and_over": 50_000, "source": "ONS (synthetic)"}
    )
    write(area, person(area, Open(D(2020, 1, 1), 2, 1)))
    assert _report(area).table("rate").value("rate", "number") == 0
