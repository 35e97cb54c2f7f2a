"""What a reader can work out from one published table, by linear programming (SciPy's HiGHS).

Independent of ``reporting.disclosure``: it knows nothing of networks or flows, only the published facts of
one table written as linear constraints, and asks the solver for the smallest and largest value of each
hidden cell. Test code only (SciPy is a development dependency).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog


@dataclass(frozen=True)
class Disclosure:
    cell: Hashable
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


def feasible_ranges(
    published: Mapping[Hashable, int | None],
    totals: Mapping[Hashable, Sequence[Hashable]],
    *,
    unpublished: Collection[Hashable] = (),
) -> dict[Hashable, tuple[float, float]]:
    """For each hidden cell (``None`` in ``published``): the least and greatest value it can take given the
    shown cells, every ``total = sum(parts)``, hidden counts at least 1 and ``unpublished`` counts (never
    shown, named only in sums) at least 0. ``math.inf`` where nothing bounds it above."""
    unknown = [cell for cell, value in published.items() if value is None] + list(unpublished)
    column = {cell: i for i, cell in enumerate(unknown)}
    rows, right = [], []
    for total, parts in totals.items():
        coefficients = np.zeros(len(unknown))
        constant = 0.0  # the shown cells, moved to the right-hand side
        for cell, sign in [(total, 1.0), *((p, -1.0) for p in parts)]:
            if cell in column:
                coefficients[column[cell]] += sign
            else:
                constant += sign * float(published[cell])  # type: ignore[arg-type]
        if not coefficients.any():
            assert constant == 0, f"the published sum for {total!r} does not add up"
            continue
        rows.append(coefficients)
        right.append(-constant)
    bounds = [(0 if cell in unpublished else 1, None) for cell in unknown]
    ranges = {}
    for cell in unknown:
        if cell in unpublished:
            continue
        objective = np.zeros(len(unknown))
        objective[column[cell]] = 1.0
        extremes = []
        for direction in (1.0, -1.0):
            result = linprog(
                direction * objective,
                A_eq=np.array(rows) if rows else None,
                b_eq=np.array(right) if rows else None,
                bounds=bounds,
                method="highs",
            )
            if result.status == 3:  # unbounded: only upwards can be (every cell has a lower bound)
                assert direction == -1.0
                extremes.append(math.inf)
                continue
            assert result.status == 0, f"the published facts are inconsistent ({result.message})"
            extremes.append(direction * result.fun)
        ranges[cell] = (extremes[0], extremes[1])
    return ranges


def disclosures(
    published: Mapping[Hashable, int | None],
    totals: Mapping[Hashable, Sequence[Hashable]],
    threshold: int,
    *,
    unpublished: Collection[Hashable] = (),
) -> list[Disclosure]:
    """Every hidden cell whose range is narrower than ``threshold``: what subtraction gives away."""
    return [
        Disclosure(cell, low, high)
        for cell, (low, high) in feasible_ranges(published, totals, unpublished=unpublished).items()
        if high - low < threshold - 1e-7
    ]
