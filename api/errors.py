"""One error body for every 4xx the API returns.

Every refusal (bad input, a rule of the workflow, no credentials, no permission, nothing there,
a wrong method, too many requests) has the same shape, so an agency's system needs one parser::

    {"status": 400, "title": "Bad Request", "detail": "...", "errors": {"field": ["message"]}}

``errors`` maps a field name to its messages; problems with the request as a whole are under
``"__all__"`` (the key :class:`~mappa_workflow.exceptions.WorkflowError` uses). Nested fields are
joined with ``-`` and list positions count from 1, as the services name them (``attendance-2-name``).

``status``, ``title`` and ``detail`` are RFC 9457 problem-details members (``type`` is left out, which
RFC 9457 reads as ``about:blank``); ``errors`` is its extension member. The body is sent as
``application/json``, as the schema documents it.

The same body answers the refusals Django makes before or around DRF for an address under /api/:
no endpoint there (404), a CSRF failure (403), a request Django cannot read (400) and a server error
(500), so a client never has to parse an HTML page (``config.urls`` and ``CSRF_FAILURE_VIEW``
point here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from mappa_workflow.errors import database_went_away
from mappa_workflow.errors import server_error as pages_server_error
from mappa_workflow.exceptions import NON_FIELD, NotPermitted, WorkflowError, problem

DRF_NON_FIELD = "non_field_errors"
API_PREFIX = "/api/"
RETRY_UNAVAILABLE_SECONDS = 5


def flatten(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error data as ``{"field-1-subfield": ["message"]}``."""
    flat: dict[str, list[str]] = {}

    def key(part: Any) -> str:
        part = NON_FIELD if part == DRF_NON_FIELD else str(part)
        if not prefix:
            return part
        return prefix if part == NON_FIELD else f"{prefix}-{part}"

    if isinstance(data, Mapping):
        for name, value in data.items():
            name = int(name) + 1 if isinstance(name, int) else name
            for field, msgs in flatten(value, key(name)).items():
                flat.setdefault(field, []).extend(msgs)
    elif isinstance(data, list | tuple):
        if all(not isinstance(item, Mapping | list | tuple) for item in data):
            flat.setdefault(prefix or NON_FIELD, []).extend(str(item) for item in data)
        else:
            for number, item in enumerate(data, start=1):
                if item:
                    for field, msgs in flatten(item, key(number)).items():
                        flat.setdefault(field, []).extend(msgs)
    elif data not in (None, ""):
        flat.setdefault(prefix or NON_FIELD, []).append(str(data))
    return flat


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: the workflow's own exceptions, then DRF's, as one shape."""
    if isinstance(exc, WorkflowError):
        return Response(problem(exc.status_code, exc.errors), status=exc.status_code)
    if isinstance(exc, NotPermitted):
        exc = exceptions.PermissionDenied(str(exc))
    if isinstance(exc, OperationalError | InterfaceError):
        # The database refused the connection or timed out waiting for a lock: worth retrying shortly,
        # so a 503 with Retry-After rather than a 500. Django still logs it (got_request_exception).
        return unavailable()
    response = drf_exception_handler(exc, context)
    if response is None:  # a bug: Django logs it and server_error() below answers 500
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = problem(response.status_code, flatten(response.data))
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, Mapping) else ""
        response.data = problem(response.status_code, detail=str(detail))
    return response


class JsonErrorsMixin:
    """For the views under /api/ that answer something other than JSON (the schema in YAML, the docs page):
    their errors are JSON all the same, whatever those views' own renderers are."""

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)  # type: ignore[misc]  # APIView's, with which this is mixed
        self.request.accepted_renderer = JSONRenderer()  # type: ignore[attr-defined]
        self.request.accepted_media_type = JSONRenderer.media_type  # type: ignore[attr-defined]
        return response


def unavailable() -> Response:
    response = Response(
        problem(503, detail="The service cannot reach its database just now: try again in a few seconds"),
        status=503,
    )
    response["Retry-After"] = str(RETRY_UNAVAILABLE_SECONDS)
    return response


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _json(status: int, detail: str = "") -> JsonResponse:
    return JsonResponse(problem(status, detail=detail), status=status)


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any address under /api/v1/ that matches no endpoint (a malformed UUID, say)."""
    return _json(404, "There is no API endpoint at this address")


# Django's own error views (``handler400`` ... in config.urls, ``CSRF_FAILURE_VIEW``): the shared
# body for an address under /api/, Django's pages (the service's templates) everywhere else.


def bad_request(request: HttpRequest, exception: Exception, *args: Any, **kwargs: Any) -> HttpResponse:
    if is_api(request):
        return _json(400, "The request could not be read")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception, *args: Any, **kwargs: Any) -> HttpResponse:
    if is_api(request):
        return _json(403, "You may not do this")
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception, *args: Any, **kwargs: Any) -> HttpResponse:
    if is_api(request):
        return _json(404, "There is no API endpoint at this address")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    if not is_api(request):
        return pages_server_error(request)  # a 503 "Sorry" page when the database went away
    if database_went_away():
        response = _json(503, "The service cannot reach its database just now: try again in a few seconds")
        response["Retry-After"] = str(RETRY_UNAVAILABLE_SECONDS)
        return response
    return _json(500, "Something went wrong on the server; it has been logged")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if is_api(request):
        return _json(
            403,
            f"CSRF Failed: {reason}. A browser session must send the CSRF token; a system should use its API token",
        )
    return django_csrf_failure(request, reason=reason)
