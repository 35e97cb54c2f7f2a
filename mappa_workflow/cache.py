"""Django's Redis cache, falling back to a per-process memory cache while Redis does not answer.

The cache holds nothing that cannot be recomputed (closed years' statistics, API throttle counts),
so a Redis outage must not turn pages into errors. While Redis is unreachable every call goes to a
memory cache in this process: statistics are computed directly (and kept per process), and the
API throttles count per process, so limits still hold, a little looser across processes. After a
failure Redis is not tried again for ``RETRY_AFTER_SECONDS``, so requests do not each wait for a
connection timeout; the socket timeouts in settings keep the first failure short.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

UNREACHABLE: tuple[type[BaseException], ...] = (RedisError, OSError)
RETRY_AFTER_SECONDS = 5.0


class FallbackRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._local = LocMemCache(
            f"fallback-{id(self)}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": {"MAX_ENTRIES": 5000}},
        )
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def degraded(self) -> bool:
        """True while this process is using its memory cache because Redis did not answer."""
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.degraded:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as exc:
                with self._lock:
                    self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
                logger.warning("Cache (Redis) unreachable, using this process's memory for now: %r", exc)
        return getattr(self._local, name)(*args, **kwargs)


def _falling_back(name: str) -> Any:
    def method(self: FallbackRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


# Every operation of Django's cache API (the *_many and touch ones too) goes through _call.
for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(FallbackRedisCache, _name, _falling_back(_name))


def cache_reachable() -> bool:
    """For /healthz: False when the cache is Redis and Redis does not answer now. Never raises."""
    from django.core.cache import caches

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return True
    try:
        cache._cache.get_client(write=True).ping()  # type: ignore[attr-defined]
    except UNREACHABLE:
        return False
    return True
