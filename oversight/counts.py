"""The tables of counts below the indicators (movement between levels, diversity), read once for the page, its
downloads and the API, so each shows the same counts hidden the same way (the area's suppression threshold, as
the indicators above them use). Five queries, for one area or many: movement's three, diversity's two."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .diversity import diversity_for_areas
from .indicators import AreaIndicators
from .movement import CountTable, Movement, movement_for_areas


@dataclass(frozen=True)
class AreaCounts:
    movement: Movement
    diversity: list[CountTable]


def counts_for_areas(found: Sequence[AreaIndicators]) -> list[AreaCounts]:
    """The counts of each of ``found``'s areas (one year: theirs), with each area's threshold, in their order."""
    if not found:
        return []
    areas = [f.area for f in found]
    year = found[0].year
    thresholds = {f.area.pk: f.suppression_threshold for f in found}
    movement = movement_for_areas(areas=areas, year=year, thresholds=thresholds)
    diversity = diversity_for_areas(areas=areas, year=year, thresholds=thresholds)
    return [AreaCounts(m, d) for m, d in zip(movement, diversity, strict=True)]


def area_counts(found: AreaIndicators) -> AreaCounts:
    """The counts of ``found``'s area and year, with its threshold."""
    return counts_for_areas([found])[0]
