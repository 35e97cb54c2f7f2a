"""The OpenAPI description: every operation documents the shared error body for the 4xx it can return."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from mappa_workflow.exceptions import NON_FIELD


class ProblemSerializer(serializers.Serializer):
    """The body of every 4xx response."""

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
}


class ApiSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes += ["409", "415"]
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ProblemSerializer, description=ERRORS[code]), code, direction=direction
                )
        return responses
