"""A small closed-loop load client: N users, each a thread with its own keep-alive connection to
gunicorn on 127.0.0.1, requesting one page after another for a fixed time. Loopback only, bounded
in time and in count (at most ``MAX_REQUESTS`` per page)."""

from __future__ import annotations

import contextlib
import http.client
import random
import statistics as stats
import threading
import time
from collections.abc import Callable
from typing import Any

MAX_REQUESTS = 5000
WARM_REQUESTS = 8  # per user and page, not timed: so most workers have loaded templates and drawn the charts
_BUDGET_LOCK = threading.Lock()


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _user(
    port: int,
    cookie: str,
    url: str,
    duration: float,
    budget: list[int],
    out: list[float],
    errors: list[str],
    ready: threading.Barrier,
    think: float = 0.0,
    seed: int = 0,
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    rng = random.Random(seed)
    headers = {"Cookie": cookie, "Host": "127.0.0.1", "Connection": "keep-alive"}

    def get() -> tuple[int, float]:
        started = time.perf_counter()
        conn.request("GET", url, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
        return response.status, elapsed

    try:
        for _ in range(WARM_REQUESTS):
            get()
        ready.wait()  # everyone warmed: the measured time starts together
        stop_at = time.monotonic() + duration
        while time.monotonic() < stop_at:
            with _BUDGET_LOCK:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            status, elapsed = get()
            if status != 200:
                errors.append(f"{url}: HTTP {status}")
            else:
                out.append(elapsed)
            if think:
                time.sleep(rng.uniform(0.5 * think, 1.5 * think))  # reading the page before the next click
    except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as exc:
        errors.append(f"{url}: {exc!r}")
        ready.abort()  # a user that cannot warm up must not leave the others waiting
    finally:
        conn.close()


def run_page(
    *, port: int, page: str, targets: list[dict[str, Any]], users: int, duration: float, think: float = 0.0
) -> dict[str, Any]:
    """``users`` threads requesting ``page`` for ``duration`` seconds; ``think`` seconds (on average)
    between a response and the next request, or none (a closed loop: the harshest case)."""
    times: list[float] = []
    errors: list[str] = []
    budget = [MAX_REQUESTS]
    ready = threading.Barrier(users + 1)
    threads = [
        threading.Thread(
            target=_user,
            args=(port, targets[i % len(targets)]["cookie"], targets[i % len(targets)]["urls"][page], duration),
            kwargs={"budget": budget, "out": times, "errors": errors, "ready": ready, "think": think, "seed": i},
        )
        for i in range(users)
    ]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        ready.wait(timeout=300)
    started = time.monotonic()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    return {
        "requests": len(times),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "p50_ms": _percentile(times, 50),
        "p95_ms": _percentile(times, 95),
        "max_ms": max(times) if times else float("nan"),
        "mean_ms": stats.mean(times) if times else float("nan"),
        "throughput": len(times) / wall if wall else 0.0,
    }


def run_all(
    *,
    port: int,
    targets: list[dict[str, Any]],
    users: int,
    duration: float,
    think: float,
    cpu: Callable[[], float],
    on_page: Callable[[], None],
) -> dict[str, dict[str, dict[str, Any]]]:
    """Each page closed-loop (no pause between requests), then with ``think`` seconds between them."""
    from benchmarks.measure import PAGES

    results: dict[str, dict[str, dict[str, Any]]] = {"closed": {}, "think": {}}
    for mode, pause in (("closed", 0.0), ("think", think)):
        for page in PAGES:
            before = cpu()
            r = run_page(port=port, page=page, targets=targets, users=users, duration=duration, think=pause)
            # gunicorn's CPU per request, warm-up included: what the pages cost whatever else the machine runs
            warm = users * WARM_REQUESTS
            r["cpu_ms"] = (cpu() - before) * 1000 / max(1, r["requests"] + r["errors"] + warm)
            results[mode][page] = r
            on_page()
            print(
                f"  {page} ({'no pause' if not pause else f'{pause:g} s pause'}): p50 {r['p50_ms']:.0f} ms, "
                f"p95 {r['p95_ms']:.0f} ms, {r['requests']} requests, {r['errors']} errors, "
                f"{r['cpu_ms']:.0f} ms gunicorn CPU per request"
            )
    return results
