"""The tables of counts below the indicators (movement between levels, diversity), read once for the page, its
downloads and the API, so each shows the same counts hidden the same way (the area's suppression threshold, as
the indicators above them use). Five queries: movement's three, diversity's two."""

from __future__ import annotations

from dataclasses import dataclass

from .diversity import area_diversity
from .indicators import AreaIndicators
from .movement import CountTable, Movement, area_movement


@dataclass(frozen=True)
class AreaCounts:
    movement: Movement
    diversity: list[CountTable]


def area_counts(found: AreaIndicators) -> AreaCounts:
    """The counts of ``found``'s area and year, with its threshold."""
    threshold = found.suppression_threshold
    return AreaCounts(
        movement=area_movement(area=found.area, year=found.year, threshold=threshold),
        diversity=area_diversity(area=found.area, year=found.year, threshold=threshold),
    )
