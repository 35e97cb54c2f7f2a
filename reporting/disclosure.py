"""Small-number suppression that holds against subtraction: primary and secondary suppression.

A pure function over one table: its counts, and the sums that link them (``total = part + part + ...``).
No database, no request: ``reporting.statistics.apply_suppression`` calls it for every table of a report,
so every page, export, chart and API response shows the same protected figures.

What it promises (docs/statistics.md, "Small-number suppression"): every count from 1 to the threshold is
hidden, no zero is hidden, and for every hidden count the values consistent with everything the table
publishes (the shown cells, the sums, counts never negative, a hidden count at least 1) span at least the
threshold: ``max - min >= threshold``. ``reporting/tests/test_disclosure.py`` checks that with a
linear-programming solver, independently of the method used here.

The method. A table's sums form a network: each sum (a row's total, a column's total, the grand total)
is a node and each cell an edge between the two sums it takes part in (a sum that is not published, such as
the grand total's second reading across the column totals, is one shared "ground" node). A change to the
hidden cells that keeps every published figure is then a circulation, and how far one hidden cell can move
up (or down) is a maximum flow between its two ends through the other hidden cells, each of which can grow
without bound and shrink to its lower bound. Where a hidden cell cannot move far enough, the cheapest
augmenting path through shown cells (the cost of a shown cell is its count: hide small cells before
large ones, cells before totals; a tie goes to the shorter path) says which cells to hide with it; that
repeats until every hidden cell is protected. Hiding a cell only ever widens the others' ranges, and hiding
every non-zero cell always protects them all (with every shown cell zero, the hidden cells can all be scaled
up together), so the loop ends with every hidden cell protected. The network's constraint matrix is totally
unimodular, so the ranges over whole numbers are those over real numbers: the solver's audit and this
method agree on what a reader can work out.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

# Secondary suppression is what makes the promise hold; the switch exists so that a test can show the
# property test failing without it (reporting/tests/test_disclosure.py). Never turn it off elsewhere.
SECONDARY_SUPPRESSION = True

_UNBOUNDED = 1 << 60  # a capacity no count reaches: "can grow without limit"


class NotATwoWayTable(ValueError):
    """The sums do not form rows and columns (a cell in three sums, or sums that cannot be split into
    two sides): the flow method does not apply, so refuse rather than publish unchecked figures."""


@dataclass
class _Arc:
    head: int
    capacity: int
    cell: Hashable


@dataclass
class _Network:
    """The residual graph: arcs in pairs (``i`` and ``i ^ 1`` are each other's reverse)."""

    nodes: int
    arcs: list[_Arc] = field(default_factory=list)
    out: list[list[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.out = [[] for _ in range(self.nodes)]

    def add(self, tail: int, head: int, *, up: int, down: int, cell: Hashable) -> None:
        """A cell whose value can rise by ``up`` (flow tail -> head) or fall by ``down`` (head -> tail)."""
        self.out[tail].append(len(self.arcs))
        self.arcs.append(_Arc(head, up, cell))
        self.out[head].append(len(self.arcs))
        self.arcs.append(_Arc(tail, down, cell))

    def max_flow(self, source: int, sink: int, limit: int) -> int:
        """Edmonds-Karp, stopping at ``limit`` (we only ask whether a cell can move that far)."""
        flow = 0
        while flow < limit:
            path = self._path(source, sink, lambda arc: 0)
            if path is None:
                break
            pushed = min([limit - flow, *(self.arcs[i].capacity for i in path)])
            for i in path:
                self.arcs[i].capacity -= pushed
                self.arcs[i ^ 1].capacity += pushed
            flow += pushed
        return flow

    def cheapest_path(self, source: int, sink: int, cost: dict[Hashable, int]) -> list[int] | None:
        return self._path(source, sink, lambda arc: cost.get(arc.cell, 0))

    def _path(self, source: int, sink: int, arc_cost: Callable[[_Arc], int]) -> list[int] | None:
        """Dijkstra over arcs with capacity left (all costs 0: breadth first); arcs taken in a fixed order."""
        best: dict[int, tuple[int, int]] = {source: (0, 0)}
        came_by: dict[int, int] = {}
        queue: list[tuple[int, int, int]] = [(0, 0, source)]
        done: set[int] = set()
        while queue:
            cost, hops, node = heapq.heappop(queue)
            if node in done:
                continue
            done.add(node)
            if node == sink:
                break
            for i in self.out[node]:
                arc = self.arcs[i]
                if arc.capacity <= 0 or arc.head in done:
                    continue
                candidate = (cost + arc_cost(arc), hops + 1)
                if arc.head not in best or candidate < best[arc.head]:
                    best[arc.head] = candidate
                    came_by[arc.head] = i
                    heapq.heappush(queue, (*candidate, arc.head))
        if sink not in done:
            return None
        path: deque[int] = deque()
        node = sink
        while node != source:
            i = came_by[node]
            path.appendleft(i)
            node = self.arcs[i ^ 1].head
        return list(path)


@dataclass(frozen=True)
class _Edge:
    tail: int
    head: int


def _edges(cells: Sequence[K], totals: Mapping[K, Sequence[K]]) -> tuple[int, dict[K, _Edge]]:
    """Each cell as an edge between the two sums it takes part in (signs made to agree), and the node count.

    In ``total - part - part ... = 0`` a total has coefficient +1 and a part -1. The sums are split into two
    sides (rows and their grand total on one, columns on the other) by negating one side, so that every
    cell ends with +1 in one sum (its tail) and -1 in the other (its head)."""
    sums = list(totals.items())
    membership: dict[K, list[tuple[int, int]]] = {cell: [] for cell in cells}
    for index, (total, parts) in enumerate(sums):
        if len(set(parts)) != len(parts) or total in parts:
            raise NotATwoWayTable(f"the sum for {total!r} names a cell twice")
        for cell, sign in [(total, 1), *((p, -1) for p in parts)]:
            if cell not in membership:
                raise NotATwoWayTable(f"{cell!r} is in a sum but has no value")
            membership[cell].append((index, sign))
    side: dict[int, int] = {}
    links: dict[int, list[tuple[int, int]]] = {i: [] for i in range(len(sums))}
    for cell, found in membership.items():
        if len(found) > 2:
            raise NotATwoWayTable(f"{cell!r} is in more than two sums")
        if len(found) == 2:
            (a, sign_a), (b, sign_b) = found
            relation = -1 if sign_a == sign_b else 1  # same sign: opposite sides
            links[a].append((b, relation))
            links[b].append((a, relation))
    for start in range(len(sums)):
        if start in side:
            continue
        side[start] = 1
        todo = [start]
        while todo:
            a = todo.pop()
            for b, relation in links[a]:
                wanted = side[a] * relation
                if b not in side:
                    side[b] = wanted
                    todo.append(b)
                elif side[b] != wanted:
                    raise NotATwoWayTable("the sums cannot be split into rows and columns")
    ground = len(sums)
    edges: dict[K, _Edge] = {}
    for cell, found in membership.items():
        signed = [(index, sign * side[index]) for index, sign in found]
        if len(signed) == 1:
            signed.append((ground, -signed[0][1]))
        elif not signed:
            signed = [(ground, 1), (ground, -1)]
        tail = next(index for index, sign in signed if sign == 1)
        head = next(index for index, sign in signed if sign == -1)
        edges[cell] = _Edge(tail, head)
    return ground + 1, edges


class _Sums(Generic[K]):
    """One table as a network, ready to ask how far a cell can move."""

    def __init__(self, values: Mapping[K, int], totals: Mapping[K, Sequence[K]], unpublished: Collection[K]):
        self.values = values
        self.unpublished = set(unpublished)
        cells = list(values)
        self.nodes, self.edges = _edges(cells, totals)
        self.lower = {cell: 0 if cell in self.unpublished else 1 for cell in cells}
        self.position = {cell: i for i, cell in enumerate(cells)}

    def network(self, free: Collection[K], leaving_out: K) -> _Network:
        """The ``free`` cells (hidden or unpublished) but ``leaving_out``, each able to grow without limit
        and to shrink to its lower bound."""
        net = _Network(self.nodes)
        for cell in sorted(free, key=self.position.__getitem__):
            if cell != leaving_out:
                self.add(net, cell)
        return net

    def add(self, net: _Network, cell: K) -> None:
        edge = self.edges[cell]
        net.add(edge.tail, edge.head, up=_UNBOUNDED, down=self.values[cell] - self.lower[cell], cell=cell)

    def fall(self, cell: K, free: Collection[K], limit: int) -> int:
        """How far ``cell`` can fall (at most ``limit``): its own floor, and the rest of the table's."""
        edge = self.edges[cell]
        own_floor = self.values[cell] - self.lower[cell]
        return min(own_floor, self.network(free, cell).max_flow(edge.tail, edge.head, min(limit, own_floor)))


def ranges(
    values: Mapping[K, int], totals: Mapping[K, Sequence[K]], hidden: Collection[K], *, unpublished: Collection[K] = ()
) -> dict[K, tuple[int, float]]:
    """For each ``hidden`` cell, the least and greatest value consistent with everything else the table
    publishes (``math.inf``: no upper limit): the question the linear-programming audit asks a solver."""
    sums = _Sums(values, totals, unpublished)
    free = set(hidden) | sums.unpublished
    found: dict[K, tuple[int, float]] = {}
    for cell in hidden:
        edge = sums.edges[cell]
        down = sums.fall(cell, free, _UNBOUNDED)
        up = sums.network(free, cell).max_flow(edge.head, edge.tail, _UNBOUNDED)
        found[cell] = (values[cell] - down, math.inf if up >= _UNBOUNDED else values[cell] + up)
    return found


def suppress(
    values: Mapping[K, int],
    totals: Mapping[K, Sequence[K]],
    threshold: int,
    *,
    unpublished: Collection[K] = (),
    secondary: bool | None = None,
) -> set[K]:
    """The cells of one table to show as suppressed.

    ``values``: every cell with a count (cells that cannot exist are left out), including ``unpublished``
    ones: counts that are never shown but that a reader knows exist (the SHPOs *without* a foreign travel
    restriction make "with a restriction" at most "all SHPOs"); they may be 0. ``totals``: each cell that
    is the sum of others, with those others. ``threshold``: 0 for no suppression. ``secondary``: ``None``
    follows :data:`SECONDARY_SUPPRESSION`.

    Deterministic: the same table (cells and sums in the same order) always gives the same cells.
    """
    if threshold <= 0:
        return set()
    order = [cell for cell in values if cell not in set(unpublished)]
    hidden = {cell for cell in order if 1 <= values[cell] <= threshold}
    if not (SECONDARY_SUPPRESSION if secondary is None else secondary):
        return hidden
    sums = _Sums(values, totals, unpublished)
    while True:
        free = hidden | sums.unpublished
        for cell in order:
            if cell not in hidden:
                continue
            edge = sums.edges[cell]
            down = sums.fall(cell, free, threshold)
            rising = sums.network(free, cell)
            up = rising.max_flow(edge.head, edge.tail, threshold - down)
            if up + down >= threshold:
                continue
            # Not protected: with flow ``up`` already pushed, find the cheapest way round through shown cells.
            candidates = [c for c in order if c not in hidden and c != cell and values[c] > 0]
            for candidate in candidates:
                sums.add(rising, candidate)
            path = rising.cheapest_path(edge.head, edge.tail, {c: values[c] for c in candidates})
            newly = {rising.arcs[i].cell for i in path or ()} & set(candidates)
            if not newly:  # cannot happen (see the module docstring); never publish an unprotected table
                newly = set(candidates) or {c for c in order if values[c] > 0}
                if newly <= hidden:
                    return hidden
            hidden |= newly  # type: ignore[arg-type]
            break
        else:
            return hidden
