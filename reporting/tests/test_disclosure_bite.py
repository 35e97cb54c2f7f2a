"""Edges of the flow method that protects hidden counts, each checked against the linear-programming audit
(SciPy's solver, `disclosure_audit.feasible_ranges`) or against the exact refusal a table that is not rows and
columns gets. Found by mutation testing: the random tables of `test_disclosure.py` never needed them."""

from __future__ import annotations

import pytest

from reporting import disclosure

from .disclosure_audit import feasible_ranges

TOLERANCE = 1e-7


def _agrees_with_the_solver(values, totals, hidden) -> None:
    published = {cell: None if cell in hidden else value for cell, value in values.items()}
    flow = disclosure.ranges(values, totals, hidden)
    solver = feasible_ranges(published, totals)
    assert flow.keys() == solver.keys() == set(hidden)
    for cell in hidden:
        assert flow[cell] == pytest.approx(solver[cell], abs=TOLERANCE), cell


def _four_by_four() -> tuple[dict, dict]:
    """Four rows by four columns with totals, three cells that cannot exist; found by searching random tables for
    one where the first route the flow takes has to be partly undone to find how far a hidden cell can move."""
    rows = {
        "r0": {"c0": 1, "c2": 6, "c3": 3},
        "r1": {"c0": 0, "c1": 31, "c2": 37, "c3": 2},
        "r2": {"c0": 40, "c1": 0, "c2": 2, "c3": 0},
        "r3": {"c0": 0, "c1": 23, "c2": 6, "c3": 39},
    }
    values = {(r, c): v for r, cells in rows.items() for c, v in cells.items()}
    totals: dict = {}
    for r, cells in rows.items():
        values[(r, "total")] = sum(cells.values())
        totals[(r, "total")] = [(r, c) for c in cells]
    for c in ("c0", "c1", "c2", "c3"):
        parts = [(r, c) for r in rows if (r, c) in values]
        values[("total", c)] = sum(values[p] for p in parts)
        totals[("total", c)] = parts
    values[("total", "total")] = sum(values[(r, "total")] for r in rows)
    totals[("total", "total")] = [(r, "total") for r in rows]
    return values, totals


def test_a_table_whose_first_route_must_be_undone_still_gets_the_solvers_ranges():
    values, totals = _four_by_four()
    hidden = {
        ("r0", "c0"), ("r0", "c3"), ("r1", "c2"), ("r1", "c3"), ("r2", "c0"), ("r2", "c2"), ("r3", "c2"),
        ("r3", "c3"), ("r1", "total"), ("r3", "total"), ("total", "c0"), ("total", "c1"), ("total", "c2"),
        ("total", "c3"),
    }  # fmt: skip
    _agrees_with_the_solver(values, totals, hidden)
    assert disclosure.ranges(values, totals, hidden)[("r3", "c3")] == (1, 81)


def test_sums_in_separate_parts_of_a_table_each_get_their_ranges():
    # rows a and b share their column "x" total; row c stands apart (its own sum only)
    values = {"a1": 2, "a2": 5, "b1": 3, "b2": 4, "x": 5, "ta": 7, "tb": 7, "c1": 1, "c2": 6, "tc": 7}
    totals = {"ta": ["a1", "a2"], "tb": ["b1", "b2"], "x": ["a1", "b1"], "tc": ["c1", "c2"]}
    _agrees_with_the_solver(values, totals, {"a1", "b1", "a2", "b2", "c1", "c2"})
    assert disclosure.suppress(values, totals, 3) >= {"a1", "b1", "c1", "c2"}


@pytest.mark.parametrize(
    ("values", "totals", "message"),
    [
        ({"a": 1, "t": 2}, {"t": ["a", "a"]}, "the sum for 't' names a cell twice"),
        ({"a": 1, "t": 1}, {"t": ["t", "a"]}, "the sum for 't' names a cell twice"),
        ({"a": 1, "t": 3}, {"t": ["a", "z"]}, "'z' is in a sum but has no value"),
        (
            {"a": 1, "b": 1, "c": 2, "d": 3, "e": 5},
            {"c": ["a", "b"], "d": ["a", "c"], "e": ["a", "d"]},
            "'a' is in more than two sums",
        ),
        (  # three sums, each sharing a part with the other two: an odd cycle has no rows-and-columns split
            {"a": 1, "b": 2, "c": 3, "x": 3, "y": 5, "z": 4},
            {"x": ["a", "b"], "y": ["b", "c"], "z": ["c", "a"]},
            "the sums cannot be split into rows and columns",
        ),
    ],
    ids=["a part twice", "the total among its parts", "a part with no value", "a cell in three sums", "odd cycle"],
)
def test_sums_that_are_not_a_two_way_table_are_refused_saying_why(values, totals, message):
    with pytest.raises(disclosure.NotATwoWayTable) as refused:
        disclosure.suppress(values, totals, 2)
    assert str(refused.value) == message


def test_the_cheapest_way_round_is_found_when_a_sum_is_first_reached_the_dear_way():
    # sums 0 (start), 1, 2 and 3 (end): 0 -> 1 directly costs 5, through 2 costs nothing; 1 -> 3 costs 6. The
    # dear entry for 1 is still queued when 1 is settled the cheap way, and must be passed over, not end the search.
    net = disclosure._Network(4)
    net.add(0, 1, up=1, down=0, cell="dear")
    net.add(0, 2, up=1, down=0, cell="free")
    net.add(2, 1, up=1, down=0, cell="free too")
    net.add(1, 3, up=1, down=0, cell="last")
    path = net.cheapest_path(0, 3, {"dear": 5, "last": 6})
    assert path is not None
    assert [net.arcs[i].cell for i in path] == ["free", "free too", "last"]
