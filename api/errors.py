"""One error body for every 4xx the API returns.

Every refusal (bad input, a rule of the workflow, no credentials, no permission, nothing there,
a wrong method, too many requests) has the same shape, so an agency's system needs one parser::

    {"status": 400, "title": "Bad Request", "detail": "...", "errors": {"field": ["message"]}}

``errors`` maps a field name to its messages; problems with the request as a whole are under
``"__all__"`` (the key :class:`~mappa_workflow.exceptions.WorkflowError` uses). Nested fields are
joined with ``-`` and list positions count from 1, as the services name them (``attendance-2-name``).
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from mappa_workflow.exceptions import NON_FIELD, NotPermitted, WorkflowError

DRF_NON_FIELD = "non_field_errors"


def problem(status: int, errors: Mapping[str, list[str]] | None = None, detail: str = "") -> dict[str, Any]:
    errors = dict(errors or {})
    if not detail:
        detail = "; ".join(
            msg if field == NON_FIELD else f"{field}: {msg}" for field, msgs in errors.items() for msg in msgs
        )
    detail = detail or HTTPStatus(status).phrase
    return {
        "status": status,
        "title": HTTPStatus(status).phrase,
        "detail": detail,
        "errors": errors or {NON_FIELD: [detail]},
    }


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
    response = drf_exception_handler(exc, context)
    if response is None:  # not a 4xx: Django logs it and answers 500
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = problem(response.status_code, flatten(response.data))
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, Mapping) else ""
        response.data = problem(response.status_code, detail=str(detail))
    return response


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any address under /api/v1/ that matches no endpoint (a malformed UUID, say)."""
    return JsonResponse(problem(404, detail="There is no API endpoint at this address"), status=404)
