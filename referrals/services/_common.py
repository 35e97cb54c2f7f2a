"""What the referrals services share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from mappa_workflow.exceptions import WorkflowError


def _clean(instance: Any, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_constraints=True)
    except ValidationError as exc:
        raise WorkflowError.from_validation_error(exc) from exc
