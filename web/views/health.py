"""The health check for monitoring: /healthz."""

import ipaddress

from django.db import connection
from django.http import HttpRequest, JsonResponse

from mappa_workflow import roles
from notifications import broker

# Headers a reverse proxy adds: a request carrying one came from elsewhere, even if the proxy is on this host.
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def sees_health_details(request: HttpRequest) -> bool:
    """An administrator signed in with two factors, or a request from this machine that no proxy forwarded
    (monitoring on the host itself). Everyone else learns only "ok", "degraded" or "down"."""
    user = getattr(request, "user", None)
    if roles.is_administrator(user) and getattr(user, "is_verified", lambda: False)():
        return True
    if any(request.META.get(header) for header in FORWARDED_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker status for monitoring; unauthenticated, no personal data.

    Publicly the body is only ``{"status": "ok" | "degraded" | "down"}`` (and the status code): the
    database, broker and outbox details are for administrators and for monitoring on the host itself
    (:func:`sees_health_details`), since queue sizes and error names tell an outsider about the service.

    503 only when the database is down: without it nothing works. A broker outage is reported
    (``"broker": "error: ..."``, ``"status": "degraded"``) but stays 200, because pages still work
    and email waits in the outbox until the broker is back; a load balancer must not take healthy
    web servers out of service for it. Alert on the ``broker`` field and on ``outbox.oldest_waiting_seconds``.
    See docs/operations.md.
    """
    from mappa_workflow.cache import cache_reachable
    from notifications.outbox import outbox_backlog

    body: dict[str, object] = {"database": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure is "down" for monitoring
        body["database"] = f"error: {type(exc).__name__}"
    body["broker"] = broker.broker_status()
    if body["database"] == "ok":
        try:
            body["outbox"] = outbox_backlog()
        except Exception as exc:  # e.g. migrations not yet run
            body["outbox"] = f"error: {type(exc).__name__}"
    healthy = body["database"] == "ok"
    # Degraded, not down: with Redis (broker or cache) unreachable pages still answer (the cache
    # falls back to memory in each process) and email waits in the outbox.
    redis_ok = body["broker"] == "ok" and cache_reachable()
    body["status"] = "ok" if healthy and redis_ok else ("degraded" if healthy else "down")
    if not sees_health_details(request):
        body = {"status": body["status"]}
    return JsonResponse(body, status=200 if healthy else 503)
