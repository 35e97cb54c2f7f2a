import sys

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as django_server_error

DATABASE_UNAVAILABLE_DETAIL = "The service cannot reach its database just now. Try again in a few moments."


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler; a database that went away (a dropped connection, a restart) is a 503 instead.

    Django calls this inside its ``except`` block, so the exception is ``sys.exc_info()``. The broken
    connection is closed when the request finishes (it is unusable), so the next request reconnects.
    The page is rendered without the request's context processors: they could query the database.
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, DatabaseError) and not isinstance(exc, IntegrityError):
        if request.path.startswith("/api/"):
            body = {"status": 503, "title": "Service Unavailable", "detail": DATABASE_UNAVAILABLE_DETAIL}
            return JsonResponse(body, status=503, content_type="application/problem+json", headers={"Retry-After": "5"})
        html = render_to_string("503.html", {"service_name": getattr(settings, "SERVICE_NAME", "")})
        return HttpResponse(html, status=503, headers={"Retry-After": "5"})
    return django_server_error(request)


def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker status for monitoring; unauthenticated, no personal data.

    503 only when the database is down: without it nothing works. A broker outage is reported
    (``"broker": "error: ..."``, ``"status": "degraded"``) but stays 200, because pages still work
    and email waits in the outbox until the broker is back; a load balancer must not take healthy
    web servers out of service for it. Alert on the ``broker`` field and on ``outbox.oldest_waiting_seconds``.
    See docs/operations.md.
    """
    from mappa_workflow.cache import cache_reachable
    from mappa_workflow.celery import broker_status
    from notifications.outbox import outbox_backlog

    body: dict[str, object] = {"database": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure is "down" for monitoring
        body["database"] = f"error: {type(exc).__name__}"
    body["broker"] = broker_status()
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
    return JsonResponse(body, status=200 if healthy else 503)
