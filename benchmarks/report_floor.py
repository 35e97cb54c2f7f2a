"""The whole annual report as hand-written SQL: every table, for the floor `make bench` compares it with.

``report_floor(area_ids, year)`` sends one hand-written statement per thing the report reads (areas,
suppression setting, snapshot, yearly Level 2/3, life events, returns to custody, serious further offences,
serious case reviews, population: the same nine reads as ``reporting.statistics.compute_annual_report``) through a raw cursor and returns every raw
cell as ``"table.row.column" -> count``, the shape of ``AnnualReport.raw_values()``, so the two are checked
cell for cell on every run (``check``). Where the ORM uses an anti-join (yearly Level 2/3) or correlated
subqueries (returns to custody), the floor uses what one would write by hand (``DISTINCT ON``, a
``LATERAL`` join): the floor is the fastest way we know, not the ORM's plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

from mappa_workflow.models import reporting_year_bounds

AREAS_SQL = "SELECT id, name FROM mappa_workflow_area {where_id}"
THRESHOLD_SQL = "SELECT MAX(suppression_threshold) FROM mappa_workflow_areasettings {where_area}"
SNAPSHOT_SQL = """
SELECT category, level, COUNT(DISTINCT individual_id)
FROM referrals_registrationperiod
WHERE start_date <= %(last)s AND (end_date IS NULL OR end_date > %(last)s)
  AND location = 'community' AND category IN (1, 2, 3) {and_area}
GROUP BY category, level
"""
# Each person once, under the highest level reached in the year, with the category of their latest
# period at that level (a later start, then a higher id, wins a tie).
YEARLY_SQL = """
SELECT category, level, COUNT(*) FROM (
    SELECT DISTINCT ON (individual_id) individual_id, category, level
    FROM referrals_registrationperiod
    WHERE start_date <= %(last)s AND (end_date IS NULL OR end_date > %(first)s)
      AND level IN (2, 3) AND category IN (1, 2, 3) {and_area}
    ORDER BY individual_id, level DESC, start_date DESC, id DESC
) representative
GROUP BY category, level
"""
EVENTS_SQL = """
SELECT
    COUNT(DISTINCT individual_id) FILTER (WHERE event_type = 'breach_notification_caution'),
    COUNT(DISTINCT individual_id) FILTER (WHERE event_type = 'breach_notification_conviction'),
    COUNT(DISTINCT individual_id) FILTER (WHERE event_type = 'lifetime_notification_revoked'),
    COUNT(*) FILTER (WHERE event_type = 'shpo_imposed'),
    COUNT(*) FILTER (WHERE event_type = 'shpo_imposed' AND foreign_travel_restriction),
    COUNT(*) FILTER (WHERE event_type = 'notification_order_imposed'),
    COUNT(DISTINCT individual_id) FILTER (WHERE event_type = 'sro_breached')
FROM referrals_lifeevent
WHERE occurred_on BETWEEN %(first)s AND %(last)s {and_area}
"""
# Each return in the year, by the level and category of the person's period in force the day before.
RETURNS_SQL = """
SELECT e.event_type, before.level, before.category, COUNT(*)
FROM referrals_lifeevent e
LEFT JOIN LATERAL (
    SELECT p.level, p.category FROM referrals_registrationperiod p
    WHERE p.individual_id = e.individual_id AND p.start_date < e.occurred_on
      AND (p.end_date IS NULL OR p.end_date >= e.occurred_on)
    ORDER BY p.start_date DESC LIMIT 1
) before ON TRUE
WHERE e.event_type IN ('returned_to_custody_licence', 'returned_to_custody_shpo')
  AND e.occurred_on BETWEEN %(first)s AND %(last)s {and_e_area}
GROUP BY 1, 2, 3
"""
SFO_SQL = """
SELECT category, level, COUNT(*) FROM case_reviews_seriousfurtheroffence
WHERE charged_on BETWEEN %(first)s AND %(last)s AND category IN (1, 2, 3) {and_area}
GROUP BY category, level
"""
REVIEWS_SQL = """
SELECT
    COUNT(*) FILTER (WHERE r.decided_on BETWEEN %(first)s AND %(last)s
                     AND r.state IN ('review_commissioned', 'report_drafted', 'report_approved', 'closed')),
    COUNT(*) FILTER (WHERE r.report_approved_on BETWEEN %(first)s AND %(last)s)
FROM case_reviews_seriouscasereview r
JOIN case_reviews_seriousfurtheroffence s ON s.id = r.serious_further_offence_id
WHERE s.category IN (1, 2, 3) {and_r_area}
"""
POPULATION_SQL = (
    "SELECT area_id, population_aged_10_and_over FROM mappa_workflow_areapopulation WHERE year = %(year)s {and_area}"
)

STATEMENTS = (
    AREAS_SQL,
    THRESHOLD_SQL,
    SNAPSHOT_SQL,
    YEARLY_SQL,
    EVENTS_SQL,
    RETURNS_SQL,
    SFO_SQL,
    REVIEWS_SQL,
    POPULATION_SQL,
)
CATEGORIES = (1, 2, 3)
EVENT_ROWS = (
    ("notification_breaches", "cautioned"),
    ("notification_breaches", "convicted"),
    ("lifetime_revoked", "revoked"),
    ("restrictive_orders", "shpo"),
    ("restrictive_orders", "shpo_foreign_travel"),
    ("restrictive_orders", "notification_order"),
    ("sro_breach", "individuals"),
)


def _fetch(sql: str, params: dict[str, Any], area_ids: list[int] | None) -> list[tuple]:
    area = "" if area_ids is None else "= ANY(%(areas)s)"
    clauses = {
        "where_id": f"WHERE id {area}" if area else "",
        "where_area": f"WHERE area_id {area}" if area else "",
        "and_area": f"AND area_id {area}" if area else "",
        "and_e_area": f"AND e.area_id {area}" if area else "",
        "and_r_area": f"AND r.area_id {area}" if area else "",
    }
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor
        raw.execute(sql.format(**clauses), {**params, "areas": area_ids})
        return raw.fetchall()


def _category_level(cells: dict[tuple[int, int], int], key: str, levels: Iterable[int]) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    columns: dict[str, int] = {f"category_{c}": 0 for c in CATEGORIES} | {"total": 0}
    for level in levels:
        row = 0
        for c in CATEGORIES:
            value = None if (c, level) == (3, 1) else cells.get((c, level), 0)
            out[f"{key}.level_{level}.category_{c}"] = value
            row += value or 0
            columns[f"category_{c}"] += value or 0
        out[f"{key}.level_{level}.total"] = row
        columns["total"] += row
    for column, total in columns.items():
        out[f"{key}.total.{column}"] = total
    return out


def report_floor(area_ids: list[int] | None, year: int) -> dict[str, int | None]:
    """Every raw cell of the year's report for ``area_ids`` (None: all areas), from hand-written SQL."""
    first, last = reporting_year_bounds(year)
    params = {"first": first, "last": last, "year": year}
    areas = _fetch(AREAS_SQL, params, area_ids)
    threshold = _fetch(THRESHOLD_SQL, params, area_ids)[0][0] or 0
    snapshot = {(c, lv): n for c, lv, n in _fetch(SNAPSHOT_SQL, params, area_ids)}
    yearly = {(c, lv): n for c, lv, n in _fetch(YEARLY_SQL, params, area_ids)}
    events = _fetch(EVENTS_SQL, params, area_ids)[0]
    returns = {(t, lv, c): n for t, lv, c, n in _fetch(RETURNS_SQL, params, area_ids)}
    offences = {(c, lv): n for c, lv, n in _fetch(SFO_SQL, params, area_ids)}
    commissioned, completed = _fetch(REVIEWS_SQL, params, area_ids)[0]
    populations = _fetch(POPULATION_SQL, params, area_ids)

    cells: dict[str, int | None] = {"suppression_threshold": threshold}
    cells |= _category_level(snapshot, "snapshot", (1, 2, 3))
    cells |= _category_level(yearly, "level_2_3_yearly", (2, 3))
    for (table, row), n in zip(EVENT_ROWS, events, strict=True):
        cells[f"{table}.{row}.number"] = n
    licence = {(c, lv): returns.get(("returned_to_custody_licence", lv, c), 0) for c in CATEGORIES for lv in (2, 3)}
    cells |= _category_level(licence, "returns_licence", (2, 3))
    shpo = [sum(returns.get(("returned_to_custody_shpo", lv, c), 0) for c in CATEGORIES) for lv in (2, 3)]
    cells["returns_shpo.level_2.number"], cells["returns_shpo.level_3.number"] = shpo
    cells["returns_shpo.total.number"] = sum(shpo)
    cells |= _category_level(offences, "serious_further_offences", (1, 2, 3))
    cells["serious_case_reviews.commissioned.number"] = commissioned
    cells["serious_case_reviews.completed.number"] = completed
    complete = bool(areas) and len(populations) == len(areas)
    population = sum(p for _, p in populations) if complete else 0
    category_1 = cells["snapshot.total.category_1"] or 0
    # half up, as the published rate is rounded
    cells["rate.rate.number"] = (category_1 * 200_000 + population) // (2 * population) if population else None
    return cells


def check(report: Any, floor: dict[str, int | None]) -> None:
    """The ORM report (``AnnualReport``) and the hand-written floor agree on every cell."""
    orm: dict[str, int | None] = {"suppression_threshold": report.suppression_threshold, **report.raw_values()}
    assert set(orm) == set(floor), f"cells differ: {sorted(set(orm) ^ set(floor))}"
    wrong = {cell: (orm[cell], floor[cell]) for cell in orm if orm[cell] != floor[cell]}
    assert not wrong, f"hand-written SQL disagrees with reporting.statistics (report, floor): {wrong}"
