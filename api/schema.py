"""The OpenAPI description: every operation documents the shared error body for each error status it can
return (and only those), and a value the API can send is one the schema allows (blank choices included)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated

from mappa_workflow.exceptions import NON_FIELD


class ProblemSerializer(serializers.Serializer):
    """The body of every error response (RFC 9457 problem details, with the field errors as ``errors``)."""

    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    title = serializers.CharField(help_text="The HTTP reason phrase, e.g. 'Bad Request'.")
    detail = serializers.CharField(help_text="What went wrong, in words a person can act on.")
    errors = serializers.DictField(  # type: ignore[assignment]  # a declared field, not Serializer.errors: the metaclass takes it off the class
        child=serializers.ListField(child=serializers.CharField()),
        help_text=f"Messages by field. Problems with the request as a whole are under '{NON_FIELD}'; nested "
        "fields are joined with '-' and list positions count from 1 (e.g. 'attendance-2-name').",
    )


ERRORS = {
    "400": "The request has errors, or the workflow's rules refuse it in the record's current state",
    "401": "No credentials, or the token is not valid",
    "403": "Your role or agency may not do this",
    "404": "Nothing you may see has this identifier",
    "409": "Someone else changed the record at the same moment: reload it and try again",
    "415": "The body's media type is not one the API reads, or it cannot be read as that type",
    "429": "Too many requests: wait for the number of seconds in Retry-After",
    "503": "The database cannot be reached just now: wait for the number of seconds in Retry-After",
}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _model_field(field: serializers.Field) -> models.Field | None:
    """The model field a ModelSerializer field shows, if any."""
    meta = getattr(getattr(field, "parent", None), "Meta", None)
    model = getattr(meta, "model", None)
    if model is None or not field.source or "." in field.source or field.source == "*":
        return None
    try:
        return model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return None


class ApiSchema(AutoSchema):
    def _error_codes(self) -> list[str]:
        """The error statuses this operation can answer: every one it can, and none it cannot."""
        codes = ["401", "404", "429", "503"]  # no or a bad token; no such record or page; throttled; database away
        is_read_of_one = self.method == "GET" and getattr(self.view, "action", None) == "retrieve"
        if not is_read_of_one:  # a body, query parameters (lists) or path values (statistics) to refuse
            codes.append("400")
        checks_more_than_sign_in = any(
            permission is not IsAuthenticated for permission in getattr(self.view, "permission_classes", [])
        )
        if self.method in UNSAFE or checks_more_than_sign_in:  # a role, an agency, or a browser's CSRF token
            codes.append("403")
        if self.method in UNSAFE:
            codes.append("409")
            if self.get_request_serializer() is not None:
                codes.append("415")
        return sorted(codes)

    def _map_serializer_field(self, field: serializers.Field, direction: Any, bypass_extensions: bool = False) -> Any:
        # DRF drops allow_blank from read-only fields, so a blank choice the model allows ("" for an answer
        # not yet given) would be missing from the enum though the API sends it.
        model_field = _model_field(field)
        if (
            field.read_only
            and isinstance(field, serializers.ChoiceField | serializers.CharField)
            and model_field is not None
            and model_field.blank
        ):
            field.allow_blank = True  # type: ignore[union-attr]
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ProblemSerializer, description=ERRORS[code]), code, direction=direction
                )
        return responses


def link_records_to_their_operations(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: OpenAPI links from where a record's id is given to what can be done
    with it. Creating a referral (201, ``id``) links to reading, changing and each transition of it; a list
    (200, ``results/0/id``) links to its records' operations. A client (and schemathesis' stateful phase)
    can follow them without guessing which id goes where."""
    paths = result.get("paths", {})
    for path, operations in paths.items():
        record_operations = [
            operation
            for record_path, record_ops in paths.items()
            if record_path.startswith(f"{path}{{id}}/")
            for operation in record_ops.values()
        ]
        if not record_operations:
            continue
        for method, pointer, code in (("post", "/id", "201"), ("get", "/results/0/id", "200")):
            response = operations.get(method, {}).get("responses", {}).get(code)
            if response is None:
                continue
            response["links"] = {
                operation["operationId"]: {
                    "operationId": operation["operationId"],
                    "parameters": {"id": f"$response.body#{pointer}"},
                }
                for operation in record_operations
            }
    return result
