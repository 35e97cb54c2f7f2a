"""Who is acting and from where, for audit rows written deep inside services.

The middleware sets it per request; commands and Celery tasks run without it (no address).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None


_NO_REQUEST = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("mappa_request_context", default=None)


def current() -> RequestContext:
    return _current.get() or _NO_REQUEST


def set_current(context: RequestContext):  # type: ignore[no-untyped-def]
    return _current.set(context)


def reset(token) -> None:  # type: ignore[no-untyped-def]
    _current.reset(token)
