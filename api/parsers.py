"""JSON in, checked against the published schema before any serializer sees it.

DRF's fields coerce: a ``CharField`` takes ``0`` as ``"0"``, an ``IntegerField`` takes ``"2"``, a
``UUIDField`` takes a number, a ``DateField`` takes ``2025-1-5``. The OpenAPI schema says a string, an
integer, a UUID, a ``YYYY-MM-DD`` date; an agency system built from the schema must be able to trust that
anything else is refused. So the parsed body is validated against the operation's request schema (the one
drf-spectacular publishes at /api/v1/schema/), and a value of the wrong type or format is a 400 naming the
field. Missing fields, lengths, ranges and choices are left to the serializers, which say so in their own
words (the schema is generated from them, so they agree).

Parsing is lazy in DRF (the first ``request.data``), so this runs after the view has answered 401, 403 and
404: the house order of refusals holds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser

from mappa_workflow.exceptions import NON_FIELD

# Checked by the serializers too, with their own messages: left to them.
SERIALIZER_CHECKS = {"required", "minLength", "maxLength", "minimum", "maximum", "enum", "minItems", "maxItems"}
ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# ISO 8601 as docs/api.md describes it: a date, "T", a time, and an offset (a moment without one is UK time).
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

FORMATS = FormatChecker(formats=())


def _calendar_value(value: str, shape: re.Pattern[str], parse: Callable[[str], object]) -> bool:
    """The shape the schema documents, and a real day and time (not 2026-02-30)."""
    if not shape.match(value):
        return False
    try:
        parse(value)
    except ValueError:
        return False
    return True


@FORMATS.checks("date")
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or _calendar_value(value, DATE, dt.date.fromisoformat)


@FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or _calendar_value(
        value, DATE_TIME, lambda text: dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    )


@FORMATS.checks("uuid")
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(UUID.match(value))


TYPE_NAMES = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}
FORMAT_MESSAGES = {
    "date": "Enter a date as YYYY-MM-DD",
    "date-time": "Enter a date and time as ISO 8601, e.g. 2026-12-08T14:00:00+00:00",
    "uuid": "Enter an id (a UUID)",
}


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` as JSON Schema's ``null`` alternative, and ``oneOf`` read as ``anyOf``
    (drf-spectacular writes a blank-or-URL field as a oneOf that "" matches twice); the rest as it is."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, Mapping):
        return node
    converted = {
        "anyOf" if key == "oneOf" else key: _json_schema(value) for key, value in node.items() if key != "nullable"
    }
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@cache
def _request_schemas() -> tuple[dict[str, Any], dict[tuple[str, str], dict[str, Any]]]:
    """The components and each operation's JSON request body schema, by (path, method): built once."""
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    bodies: dict[tuple[str, str], dict[str, Any]] = {}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                bodies[(path, method.upper())] = content["application/json"]["schema"]
    return _json_schema(document.get("components", {})), bodies


def _field(path: Any) -> str:
    parts = [str(part + 1) if isinstance(part, int) else str(part) for part in path]
    return "-".join(parts) or NON_FIELD


def _is_null_branch(error: Any) -> bool:
    """An error only because the value is not null (or not blank): the other branch of a nullable field."""
    return (error.validator == "type" and error.validator_value == "null") or (
        error.validator == "enum" and error.validator_value in ([None], [""])
    )


def _message(error: Any) -> str:
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches = [sub for sub in error.context if not _is_null_branch(sub)]
        if branches:
            return _message(branches[0])
    if error.validator == "enum":
        return "Choose one of: " + ", ".join(
            str(choice) for choice in error.validator_value if choice not in (None, "")
        )
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return "Must be " + " or ".join(TYPE_NAMES.get(str(kind), str(kind)) for kind in expected)
    if error.validator == "format":
        return FORMAT_MESSAGES.get(error.validator_value, f"Must be in the format {error.validator_value}")
    return "Not a valid value for this field"


def schema_errors(body: Any, path: str, method: str) -> dict[str, list[str]]:
    """The body's values of the wrong type or format for the operation at ``path``, by field."""
    components, bodies = _request_schemas()
    schema = bodies.get((path, method))
    if schema is None:
        return {}
    validator = Draft202012Validator({**schema, "components": components}, format_checker=FORMATS)
    errors: dict[str, list[str]] = {}
    for error in validator.iter_errors(body):
        if error.validator in SERIALIZER_CHECKS:
            continue
        errors.setdefault(_field(error.absolute_path), []).append(_message(error))
    return errors


def operation_path(route: str) -> str:
    """Django's route (``api/v1/referrals/<uuid:pk>/``) as the schema names it (``/api/v1/referrals/{id}/``)."""
    return "/" + ROUTE_PARAMETER.sub(lambda match: "{%s}" % ("id" if match[1] == "pk" else match[1]), route)


class SchemaCheckedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        request = (parser_context or {}).get("request")
        match = getattr(getattr(request, "_request", None), "resolver_match", None)
        if request is not None and match is not None and match.route:
            errors = schema_errors(data, operation_path(match.route), request.method)
            if errors:
                raise ValidationError(errors)
        return data
