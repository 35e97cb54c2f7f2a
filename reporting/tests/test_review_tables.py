"""The national bulletin's SFO and serious case review tables in the annual report: counted from the records the
co-ordinator and the SMB keep, by the category and level on the day of the offence, in the reporting year of the
charge (SFOs) and of the SMB's decision or approval (reviews), another area's left out, small numbers suppressed."""

from __future__ import annotations

import datetime as dt

import pytest

from case_reviews.models import SeriousCaseReview, SeriousFurtherOffence
from mappa_workflow.models import AgencyType, Area
from oversight import services
from oversight.tests.scenario import on
from referrals import services as referral_services
from reporting.statistics import PUBLISHED_CATEGORIES, compute_annual_report
from tests import factories

pytestmark = pytest.mark.django_db

REPORT = {
    "background": "Managed at Level 2.",
    "chronology": "Two panels, then the offence.",
    "findings": "Information was not shared.",
    "learning_points": "Share it.",
}


def _sfo(registration, offence_date: dt.date, charged_on: dt.date) -> SeriousFurtherOffence:
    with on(charged_on):
        return services.sfo_record(
            actor=factories.coordinator(registration.area),
            registration=registration,
            offence_date=offence_date,
            charged_on=charged_on,
            offence="Wounding with intent",
        )


def _commission(sfo: SeriousFurtherOffence, day: dt.date) -> SeriousCaseReview:
    area = sfo.area
    with on(day):
        return services.scr_commission(
            actor=factories.board_chair(area),
            review=sfo.review,
            criteria_met=["level_2_or_3"],
            reasons="",
            remit="Information sharing.",
            lay_adviser=factories.lay_adviser(area),
        )


@pytest.fixture
def history():
    """Two years of SFOs and reviews in Northamptonshire, and one in Kent."""
    north = factories.northamptonshire()
    kent = Area.objects.get(slug="kent")
    escalated = factories.registration_at_level(level=2, decided_on=dt.date(2024, 5, 1))
    first = _sfo(escalated, dt.date(2024, 6, 10), dt.date(2024, 6, 12))  # Category 2, Level 2 that day
    with on(dt.date(2024, 7, 1)):
        referral_services.registration_change_level(
            actor=factories.coordinator(north),
            registration=escalated,
            level=3,
            effective_date=dt.date(2024, 7, 1),
            reason="Escalated",
        )
    second = _sfo(escalated, dt.date(2024, 8, 1), dt.date(2024, 8, 2))  # now Level 3
    reviewed = _commission(first, dt.date(2024, 6, 14))
    with on(dt.date(2024, 8, 2)):
        services.scr_decide_not_to_review(
            actor=factories.board_chair(north), review=second.review, criteria_met=[], reasons="Already under review."
        )
    with on(dt.date(2025, 5, 1)):  # approved in the next reporting year
        reviewed = services.scr_report_write(actor=factories.coordinator(north), review=reviewed, **REPORT)
        services.scr_report_approve(actor=factories.smb_member(north), review=reviewed)
    registered = factories.registration_at_level(level=2, decided_on=dt.date(2024, 5, 1), category=1)
    late = _sfo(registered, dt.date(2025, 3, 30), dt.date(2025, 4, 2))  # offence in 2024/25, charged in 2025/26
    _commission(late, dt.date(2025, 4, 4))
    kent_case = factories.registration_at_level(
        level=2,
        decided_on=dt.date(2024, 5, 1),
        referrer=factories.practitioner(AgencyType.PROBATION, area=kent),
    )
    _commission(_sfo(kent_case, dt.date(2024, 9, 1), dt.date(2024, 9, 2)), dt.date(2024, 9, 3))
    return north


def _independent_counts(area: Area, year: int) -> tuple[dict[tuple[int, int], int], int, int]:
    """Counted row by row in Python from the records themselves, not by the report's aggregate."""
    first, last = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
    cells: dict[tuple[int, int], int] = {}
    for sfo in SeriousFurtherOffence.objects.filter(area=area):
        if first <= sfo.charged_on <= last and sfo.category in PUBLISHED_CATEGORIES:
            cells[(sfo.category, sfo.level)] = cells.get((sfo.category, sfo.level), 0) + 1
    commissioned = completed = 0
    for review in SeriousCaseReview.objects.filter(area=area):
        if review.decided_on and first <= review.decided_on <= last and review.lay_adviser_id:
            commissioned += 1
        if review.report_approved_on and first <= review.report_approved_on <= last:
            completed += 1
    return cells, commissioned, completed


@pytest.mark.parametrize(
    ("year", "expected_cells", "commissioned", "completed"),
    [(2024, {(2, 2): 1, (2, 3): 1}, 1, 0), (2025, {(1, 2): 1}, 1, 1), (2026, {}, 0, 0)],
)
def test_the_tables_count_what_the_records_say(history, year, expected_cells, commissioned, completed):
    report = compute_annual_report(areas=history, year=year, suppression_threshold=0)
    offences, reviews = report.table("serious_further_offences"), report.table("serious_case_reviews")
    independent = _independent_counts(history, year)
    assert independent == (expected_cells, commissioned, completed)
    for category in PUBLISHED_CATEGORIES:
        for level in (1, 2, 3):
            value = offences.value(f"level_{level}", f"category_{category}")
            if (category, level) == (3, 1):
                assert value is None
            else:
                assert value == expected_cells.get((category, level), 0), (category, level)
    assert offences.value("total", "total") == sum(expected_cells.values())
    assert reviews.value("commissioned", "number") == commissioned
    assert reviews.value("completed", "number") == completed


def test_small_numbers_are_suppressed_like_every_other_table(history):
    report = compute_annual_report(areas=history, year=2024, suppression_threshold=2)
    offences = report.table("serious_further_offences")
    assert offences.shown("level_2", "category_2") == "*" and offences.shown("total", "total") == "*"
    assert report.table("serious_case_reviews").shown("commissioned", "number") == "*"
    assert offences.shown("level_1", "category_1") == "0"  # a zero gives nothing away


def test_a_correction_to_an_sfo_in_a_closed_year_shows_at_once_in_the_cached_report(history):
    from reporting.statistics import cached_annual_reports

    def offences() -> int | None:
        (report,) = cached_annual_reports(areas=history, years=[2024])
        return report.table("serious_further_offences").value("total", "total")

    assert offences() == 2
    SeriousFurtherOffence.objects.filter(area=history, charged_on=dt.date(2024, 8, 2)).update(
        charged_on=dt.date(2025, 4, 1)  # no signals, no save(): a correction made in the database
    )
    assert offences() == 1
