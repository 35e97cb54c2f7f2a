"""Who is acting and from where, for audit rows written deep inside services.

The middleware sets it per request; commands and Celery tasks run without it (no address).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    kept: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)


_NO_REQUEST = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("mappa_request_context", default=None)


def current() -> RequestContext:
    return _current.get() or _NO_REQUEST


def set_current(context: RequestContext):  # type: ignore[no-untyped-def]
    return _current.set(context)


def reset(token) -> None:  # type: ignore[no-untyped-def]
    _current.reset(token)


def once_per_request(key: Hashable, build: Callable[[], T]) -> T:
    """``build()`` once per request under ``key`` (an area's settings, which several parts of a page read);
    outside a request (commands, Celery tasks, a service called directly) every call builds afresh."""
    context = _current.get()
    if context is None:
        return build()
    if key not in context.kept:
        context.kept[key] = build()
    return context.kept[key]  # type: ignore[no-any-return]
