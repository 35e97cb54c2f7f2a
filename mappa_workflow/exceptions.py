"""The one exception type for errors a user can cause.

Pages show it as a GOV.UK error summary, the API as a 400 with field errors, commands as a
non-zero exit naming the field. ``errors`` maps a field name (or ``"__all__"``) to messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from django.core.exceptions import ValidationError

NON_FIELD = "__all__"


class WorkflowError(Exception):
    """A request the rules refuse. Nothing has been saved when it is raised."""

    status_code = 400

    def __init__(self, errors: str | Mapping[str, str | Iterable[str]], *, field: str = NON_FIELD) -> None:
        if isinstance(errors, str):
            errors = {field: [errors]}
        self.errors: dict[str, list[str]] = {
            key: [value] if isinstance(value, str) else list(value) for key, value in errors.items()
        }
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return "; ".join(
            f"{field}: {msg}" if field != NON_FIELD else msg for field, msgs in self.errors.items() for msg in msgs
        )

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> WorkflowError:
        if hasattr(error, "error_dict"):
            return cls({field: [m for e in errs for m in e.messages] for field, errs in error.error_dict.items()})
        return cls({NON_FIELD: error.messages})


class ConcurrentChangeError(WorkflowError):
    """Someone else changed the record between the user loading it and acting on it."""

    status_code = 409

    def __init__(self, what: str = "This record") -> None:
        super().__init__(
            f"{what} was changed by someone else while you were working on it. Reload the page and try again."
        )


class NotPermitted(Exception):
    """The user may not do this. Shown as 403; never used for bad input."""


def problem(status: int, errors: Mapping[str, list[str]] | None = None, detail: str = "") -> dict[str, Any]:
    """The one JSON error body of the API (see ``api.errors``): status, title, detail and field errors."""
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
