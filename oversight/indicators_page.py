"""Everything the SMB's indicators page counts for an area and year: the indicators, movement between levels and
the diversity of referrals (docs/indicators.md). Aggregates only.

:func:`indicators_pages` counts many areas at once with the same queries as one (the national benchmark times
all 42: ``make bench``, docs/performance.md); :func:`indicators_page` is the page's one area.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from mappa_workflow.models import Area

from .counts import AreaCounts, counts_for_areas
from .indicators import AreaIndicators, indicators_for_areas

TREND_YEARS = 3  # the page's chart across years: the year shown and the two before it, as the statistics page


@dataclass(frozen=True)
class IndicatorsPage:
    indicators: AreaIndicators
    counts: AreaCounts  # the movement and diversity tables below them (the API returns the same)


def indicators_pages(*, areas: Sequence[Area], year: int, today: dt.date | None = None) -> list[IndicatorsPage]:
    """The page's figures for each of ``areas`` (in their order) in reporting year ``year``; ``today`` (London
    date) decides what is overdue yet."""
    indicators = indicators_for_areas(areas=areas, year=year, today=today)
    return [IndicatorsPage(*figures) for figures in zip(indicators, counts_for_areas(indicators), strict=True)]


def indicators_page(*, area: Area, year: int, today: dt.date | None = None) -> IndicatorsPage:
    return indicators_pages(areas=[area], year=year, today=today)[0]


def indicators_across_years(
    found: AreaIndicators, *, years: int = TREND_YEARS, today: dt.date | None = None
) -> list[AreaIndicators]:
    """``found`` (one area's indicators for a year) with the same area's indicators for the ``years - 1`` reporting
    years before it, oldest first: each year's own figures, suppressed as that year's page suppresses them (so a
    figure hidden there is hidden here). The same queries again for each earlier year."""
    earlier = range(max(2000, found.year - years + 1), found.year)
    return [*(indicators_for_areas(areas=[found.area], year=y, today=today)[0] for y in earlier), found]
