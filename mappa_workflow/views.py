from django.db import connection
from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker status for monitoring; unauthenticated, no personal data.

    503 only when the database is down: without it nothing works. A broker outage is reported
    (``"broker": "error: ..."``, ``"status": "degraded"``) but stays 200, because pages still work
    and email waits in the outbox until the broker is back; a load balancer must not take healthy
    web servers out of service for it. Alert on the ``broker`` field and on ``outbox.oldest_waiting_seconds``.
    See docs/operations.md.
    """
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
    body["status"] = "ok" if healthy and body["broker"] == "ok" else ("degraded" if healthy else "down")
    return JsonResponse(body, status=200 if healthy else 503)
