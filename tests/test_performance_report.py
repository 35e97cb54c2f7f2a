"""docs/performance.md as `make bench` writes it (`benchmarks/report.py`), from a small set of results: the SMB's
indicators for all areas have their target row, met or not met, and their own section."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from benchmarks import report


def _timing(ms: float) -> dict[str, float]:
    return {"median_ms": ms, "min_ms": ms * 0.9, "max_ms": ms * 1.2}


def _scope(area: str, report_ms: float) -> dict[str, Any]:
    return {
        "area": area,
        "people": 5000,
        "in_community": 2500,
        "report": _timing(report_ms),
        "report_queries": 7,
        "floor": _timing(report_ms / 1.5),
        "floor_queries": 9,
        "cells": 120,
        "orm_snapshot": _timing(3),
        "sql_snapshot": _timing(2),
    }


RESULTS: dict[str, Any] = {
    "started": datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
    "finished": datetime(2026, 12, 3, 9, 12, tzinfo=UTC),
    "machine": {"cpu": "Test CPU", "nproc": "2", "memory": "8.0 GiB", "python": "3.11.9", "os": "Linux"},
    "load_before": "0.50, 0.40, 0.30",
    "load_after": "0.60, 0.50, 0.40",
    "command": "make bench  (benchmarks/run.py --skip-load)",
    "database": "127.0.0.1:5432/mappa_bench",
    "code": "commit abc1234, clean",
    "generation_seconds": None,
    "data": {
        "areas": 42,
        "individuals": 110_000,
        "registrations": 150_000,
        "periods": 177_000,
        "events": 40_000,
        "in_community": 90_000,
        "snapshot_year": 2024,
        "category_1_share": 75,
        "level_2_3_now": 2_000,
        "meetings": 6_644,
        "agenda_items": 17_920,
        "actions": 35_501,
        "open_actions": 3_000,
    },
    "reports": {
        "year": 2024,
        "one_area": _scope("Essex", 40),
        "one_small_area": _scope("Dyfed-Powys", 20),
        "all_areas": _scope("all 42 areas", 900),
    },
    "indicators": {
        "year": 2024,
        "areas": 42,
        "repeat": 5,
        "figures": 13_630,
        "all_areas": _timing(1240),
        "all_areas_queries": 19,
        "largest_area": "Essex",
        "largest_area_figures": 325,
        "largest_area_timing": _timing(102),
        "largest_area_queries": 19,
        "earlier_years": 2,
        "earlier_years_timing": _timing(1500),
        "earlier_years_queries": 28,
    },
    "query_counts": {
        "smallest": {"area": "Dyfed-Powys", "people": 900, "meetings": 80, "open_actions": 40, "queries": {"page": 9}},
        "largest": {"area": "Essex", "people": 5000, "meetings": 300, "open_actions": 200, "queries": {"page": 9}},
    },
    "sweep": {"seconds": 4.2, "open_actions": 3000, "queries": 12, "messages": 150},
}


def _target(results: dict[str, Any], name: str) -> tuple[str, str, str]:
    return next(row for row in report.targets(results) if row[0] == name)


def test_the_indicators_for_all_areas_have_a_target_row_and_a_section():
    document = report.render(RESULTS)

    name, measured, verdict = _target(RESULTS, "Indicators for all 42 areas under 2 s")
    assert measured.startswith("1240 ms (median of 5;") and "19 queries" in measured
    assert verdict == "**met**"
    assert f"| {name} | {measured} | {verdict} |" in document
    assert "## The SMB's indicators" in document
    assert "Reporting year 2024/25" in document
    assert "| all 42 areas | 13,630 | 19 | 1240.0 (1116.0-1488.0) |" in document
    assert "| Essex (the largest area) alone | 325 | 19 | 102.0 (91.8-122.4) |" in document
    assert (
        "the indicators of the 2 years before (the page's charts across years; not in the target) | | 28 |" in document
    )


def test_indicators_over_two_seconds_are_not_met_and_say_by_how_much():
    slow = copy.deepcopy(RESULTS)
    slow["indicators"]["all_areas"] = _timing(2600)

    _, _, verdict = _target(slow, "Indicators for all 42 areas under 2 s")

    assert verdict == "**not met**: 600 ms over"
    assert "**not met**: 600 ms over" in report.render(slow)


def test_results_saved_before_the_indicators_were_measured_still_render():
    older = {key: value for key, value in RESULTS.items() if key != "indicators"}

    document = report.render(older)

    assert "Indicators for all" not in document
    assert "## The SMB's indicators" not in document
    assert "All 42 areas under 2 s" in document  # the annual report's own target is still there


def test_the_case_pages_two_template_engines_have_a_section_saying_what_switching_would_save():
    measured = copy.deepcopy(RESULTS)
    measured["template_engines"] = {
        "area": "Essex",
        "repeat": 41,
        "html_kb": 43.4,
        "queries_in_render": 0,
        "rows": {"timeline": 53, "actions": 32, "disclosures": 0, "viewers": 1},
        "differences": ["the phase banner macro's width container"],
        "django": _timing(8),
        "jinja2": _timing(6),
        "request": _timing(50),
        "request_wall": _timing(80),
    }

    document = report.render(measured)

    assert "## The case page's templates: Django's engine and Jinja2" in document
    assert "Essex: 53 timeline entries, 32 actions" in document
    assert "(except: the phase banner macro's width container)" in document
    assert "| render, Django templates | 8.0 (7.2-9.6) |" in document
    assert "| render, Jinja2 | 6.0 (5.4-7.2) |" in document
    assert (
        "Django's render is 16% of the request's CPU; Jinja2 renders in 0.75x its time, which would save 2.0 ms (4%)"
        in document
    )
    assert "Django's engine and Jinja2" not in report.render(RESULTS)
