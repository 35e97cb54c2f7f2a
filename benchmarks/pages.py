"""Each page's cost in this process, and its SQL floor: the page's own statements run again by hand.

Imported by ``benchmarks/measure.py`` (``make bench``) and run alone by ``benchmarks/compare_pages.py``,
which alternates two code trees (a commit before a change and the working tree) against the same
database, so a change is measured before and after in one run.

- **CPU per request**: ``time.process_time()`` around Django's test client fetching the page (a second
  request, as a running server sees it): the Python the page costs, as gunicorn's workers spend it, but
  not PostgreSQL's share. Unlike wall time it hardly moves with what else the machine runs.
- **SQL floor**: the statements the page sent (captured from the same request, parameters bound, as
  psycopg sent them) run again through a raw cursor, one after another, in a transaction rolled back
  afterwards, as a hand-written page would send them with no ORM, forms or templates. Page time / floor
  says how much of a request is not the database's work.

Every page request and every replay runs in a transaction that is rolled back, so the audit rows the case
and meeting pages write are not kept (the chain's next row is the same each time). The rollback would also
undo the session's idle refresh, which a server saves at most once a minute
(``SessionIdleRefreshMiddleware``), and so charge every measured request with a session save: the session
is refreshed, and kept, before each page is measured (``fresh_session``), as a server's would be.
"""

from __future__ import annotations

import statistics as stats
import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mappa_workflow.middleware import SESSION_REFRESHED_AT

PAGES = ("dashboard", "case page", "meeting agenda", "actions list", "statistics page")


def fresh_session(client: Client) -> None:
    """Mark the client's session refreshed now, committed: the next minute's requests do not save it."""
    session = SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)
    session[SESSION_REFRESHED_AT] = int(timezone.now().timestamp())
    session.save()


def _get(client: Client, url: str) -> tuple[float, float, list[str]]:
    """One request in a rolled-back transaction: (wall ms, CPU ms, the SQL it sent)."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as ctx:
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        assert response.status_code == 200, f"{url}: {response.status_code}"
        transaction.set_rollback(True)
    return wall * 1000, cpu * 1000, [q["sql"] for q in ctx.captured_queries]


def _replay(statements: list[str]) -> float:
    """The statements through a raw cursor, fetching every row, in a rolled-back transaction: wall ms."""
    with transaction.atomic():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: no Django wrapper, no query log
            for sql in statements:
                raw.execute(sql)
                if raw.description is not None:
                    raw.fetchall()
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed * 1000


def _summary(values: list[float]) -> dict[str, float]:
    return {"median_ms": stats.median(values), "min_ms": min(values), "max_ms": max(values)}


def measure_page(client: Client, url: str, *, repeat: int = 15) -> dict[str, Any]:
    """Page wall and CPU time and its SQL floor, interleaved request by request."""
    _get(client, url)  # warm: per-process caches (templates, area settings, bank holidays), plans
    fresh_session(client)  # the 16 requests below take take well under a minute
    _, _, statements = _get(client, url)
    _replay(statements)
    walls, cpus, floors = [], [], []
    for _ in range(repeat):
        wall, cpu, statements = _get(client, url)
        walls.append(wall)
        cpus.append(cpu)
        floors.append(_replay(statements))
    return {
        "queries": len(statements),
        "page": _summary(walls),
        "cpu": _summary(cpus),
        "floor": _summary(floors),
    }


def measure_pages(client: Client, urls: dict[str, str], *, repeat: int = 15) -> dict[str, Any]:
    return {page: measure_page(client, urls[page], repeat=repeat) for page in PAGES}


def page_cpu(client: Client, urls: dict[str, str], *, repeat: int) -> dict[str, list[float]]:
    """CPU ms of ``repeat`` requests of each page, pages interleaved (for ``compare_pages.py``)."""
    out: dict[str, list[float]] = {page: [] for page in PAGES}
    for page in PAGES:
        _get(client, urls[page])
    for _ in range(repeat):
        fresh_session(client)  # a round of the five pages takes well under a minute
        for page in PAGES:
            out[page].append(_get(client, urls[page])[1])
    return out
