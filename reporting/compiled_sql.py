"""ORM queries compiled to SQL once per process and run again with new values.

The annual report is nine aggregates written with the ORM. For a small area the database answers them in about
4 ms, but building their SQL (the ``Count(..., filter=Q(...))`` cells, the ``Exists`` that picks each person's
highest level) took three times as long again, on every report (``docs/performance.md``). The SQL of a query
depends only on the shape of its inputs (how many areas, whether there is an area at all), not on their values,
so it is built once per shape and process, and later reports send the same statement with the new values.

How the values' places are found, without trusting a guess: the query is built twice with two different sets of
stand-in values (areas and dates no record can have), and each time the statement is caught as it is about to
be sent and is not sent (so nothing reaches the database and no query is counted). The SQL must come out the
same both times, and every parameter must either be the same both times (a constant of the query, such as a
category or a level) or be the same input's stand-in both times. A value the ORM derives from an input (the
day after ``last``, say) would break that rule, and such a query is never reused: it is built each time, as
before. So is one whose stand-ins send no query or make it fail. The two sets are spaced differently, so a
derived value cannot pass for another input's stand-in in both builds. A build must send one statement (a
``values()`` queryset or an ``aggregate()``): only the first is caught.

Reused statements go through Django's cursor, so they are counted, logged and wrapped like any other query.
Their rows come back as dicts keyed by the columns' names, as ``values()`` and ``aggregate()`` give them; the
queries reused here return only numbers and codes, which need none of the ORM's converters.

django-prepared-queries does this by hand-marked parameters, but was last released in 2019 (before Django 3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet


class _Caught(Exception):
    """Raised by the execute wrapper so that a stand-in statement is never sent."""


@dataclass(frozen=True)
class _Slot:
    position: int
    name: str
    index: int | None  # the item of a list input, or None for a single value
    as_text: bool  # the backend sends this value as ISO text (SQLite's dates)
    wrapper: type | None = None  # the backend sends this integer wrapped (psycopg's Int2 for a small field)


@dataclass(frozen=True)
class _Plan:
    sql: str
    constants: tuple[Any, ...]
    slots: tuple[_Slot, ...]


_plans: dict[tuple[Any, ...], _Plan | None] = {}


def _shape(inputs: dict[str, Any]) -> tuple[Any, ...]:
    shape: list[tuple[Any, ...]] = []
    for name, value in sorted(inputs.items()):
        if isinstance(value, list | tuple):
            shape.append((name, "list", len(value)))
        else:
            shape.append((name, type(value).__name__))
    return tuple(shape)


# The two sets of stand-ins are spaced differently (7 apart, then 11), so a value the ORM derives from one input
# (``first`` plus a day, ``year`` less one) can equal another input's stand-in in one build but never in both.
_SPACING = {1: 7, 2: 11}


def _stand_in(value: Any, set_number: int, counter: int) -> Any:
    step = _SPACING[set_number] * counter
    if type(value) is int:  # not a bool, not an IntEnum: their SQL may differ
        # inside every integer field's range (the ORM sends no query for a value outside it): a stand-in that
        # happens to equal a constant of the query only makes that query be built each time
        return 29_000 + set_number * 1_000 + step
    if type(value) is date:  # not a datetime, which the ORM may cut to its date
        return date(1000 + set_number, 1, 1) + timedelta(days=step)
    return None


def _stand_ins(inputs: dict[str, Any], set_number: int) -> tuple[dict[str, Any], dict[tuple[type, Any], _Slot]] | None:
    """Stand-in inputs of the same shape, and where each stand-in would be found among the parameters."""
    values: dict[str, Any] = {}
    found: dict[tuple[type, Any], _Slot] = {}
    counter = 0

    def one(value: Any, name: str, index: int | None) -> Any:
        nonlocal counter
        counter += 1
        stand_in = _stand_in(value, set_number, counter)
        if stand_in is None:
            raise TypeError
        found[(type(stand_in), stand_in)] = _Slot(-1, name, index, as_text=False)
        if isinstance(stand_in, date):
            found[(str, stand_in.isoformat())] = _Slot(-1, name, index, as_text=True)
        return stand_in

    try:
        for name, value in inputs.items():
            if value is None:
                values[name] = None
            elif isinstance(value, list | tuple):
                values[name] = [one(item, name, i) for i, item in enumerate(value)]
            else:
                values[name] = one(value, name, None)
    except TypeError:
        return None
    return values, found


class _Unsupported(Exception):
    """A build this module does not reuse: it is built by the ORM each time."""


def _evaluate(result: Any) -> None:
    if isinstance(result, QuerySet):
        if result._prefetch_related_lookups:  # type: ignore[attr-defined]  # no public way to ask
            raise _Unsupported  # more statements after the first
        list(result)


def _catch(build: Callable[..., Any], inputs: dict[str, Any]) -> tuple[str, list[Any]] | None:
    """The first statement ``build`` would send with ``inputs``, caught unsent; None if it sends none, or if the
    stand-ins make it fail (a build that checks its inputs' range, say).

    A build is one statement (a ``values()`` queryset or an ``aggregate()``): only the first is caught, so a build
    that would send a second one must not be handed to this module (a queryset with ``prefetch_related`` is
    refused)."""
    caught: list[tuple[str, list[Any]]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        caught.append((sql, list(params or ())))
        raise _Caught

    logged = connection.force_debug_cursor
    log = connection.queries_log
    log_size = len(log)
    connection.force_debug_cursor = False  # an unsent statement is not a query (assertNumQueries, the benchmarks)
    try:
        with connection.execute_wrapper(wrapper):
            _evaluate(build(**inputs))
    except _Caught:
        pass
    except Exception:  # whatever the stand-ins upset, the ORM is used for this query instead
        return None
    finally:
        connection.force_debug_cursor = logged
        while len(log) > log_size:  # with DEBUG on, Django logs even a statement that was never sent
            log.pop()
    return caught[0] if caught else None


def _key(parameter: Any) -> tuple[type, Any]:
    if isinstance(parameter, int) and not isinstance(parameter, bool):
        return (int, int(parameter))  # psycopg's Int2 and the like compare as the integer they carry
    return (type(parameter), parameter)


def _plan(build: Callable[..., Any], inputs: dict[str, Any]) -> _Plan | None:
    sets = [_stand_ins(inputs, n) for n in (1, 2)]
    if sets[0] is None or sets[1] is None:
        return None
    (first_inputs, first_found), (second_inputs, second_found) = sets[0], sets[1]
    first, second = _catch(build, first_inputs), _catch(build, second_inputs)
    if first is None or second is None or first[0] != second[0] or len(first[1]) != len(second[1]):
        return None
    slots = []
    for position, (a, b) in enumerate(zip(first[1], second[1], strict=True)):
        try:
            slot_a, slot_b = first_found.get(_key(a)), second_found.get(_key(b))
        except TypeError:
            return None  # a list or other unhashable parameter: not a shape this module reuses
        if slot_a is None and slot_b is None:
            if type(a) is not type(b) or a != b:
                return None  # a value derived from an input: this query's SQL cannot be reused
            continue
        if slot_a is None or slot_b is None or slot_a != slot_b:
            return None
        if type(a) is not type(b):
            return None
        wrapper = type(a) if isinstance(a, int) and type(a) is not int else None
        slots.append(_Slot(position, slot_a.name, slot_a.index, slot_a.as_text, wrapper))
    return _Plan(first[0], tuple(first[1]), tuple(slots))


def _plan_for(build: Callable[..., Any], inputs: dict[str, Any]) -> _Plan | None:
    key = (build.__module__, build.__qualname__, connection.alias, connection.vendor, _shape(inputs))
    if key not in _plans:
        _plans[key] = _plan(build, inputs)
    return _plans[key]


def _run(plan: _Plan, inputs: dict[str, Any]) -> list[dict[str, Any]]:
    params = list(plan.constants)
    for slot in plan.slots:
        value = inputs[slot.name] if slot.index is None else inputs[slot.name][slot.index]
        if slot.as_text:
            value = value.isoformat()
        elif slot.wrapper is not None:
            value = slot.wrapper(value)
        params[slot.position] = value
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def rows(build: Callable[..., Iterable[dict[str, Any]]], **inputs: Any) -> list[dict[str, Any]]:
    """The rows of the ``values()`` query ``build(**inputs)`` returns, its SQL built once per shape of inputs."""
    plan = _plan_for(build, inputs)
    if plan is None:
        return list(build(**inputs))
    return _run(plan, inputs)


def row(build: Callable[..., dict[str, Any]], **inputs: Any) -> dict[str, Any]:
    """The result of the ``aggregate()`` that ``build(**inputs)`` runs, its SQL built once per shape of inputs."""
    plan = _plan_for(build, inputs)
    if plan is None:
        return build(**inputs)
    (result,) = _run(plan, inputs)
    return result


def forget() -> None:
    """Drop every stored statement (tests that change how a query is built)."""
    _plans.clear()
