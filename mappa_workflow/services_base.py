"""What every state-changing service shares: the locked re-read, the guarded transition, the audit row.

A service calls :func:`lock_for_change` first (row lock on PostgreSQL, and a check that the state
the user saw is still the state in the database), then :func:`apply_transition`, which checks the
FSM allows it, runs it, saves only the named fields, and writes the audit row in the same transaction.
:func:`transition_under_lock` is the two together in one transaction, with a place for the checks
on the locked row before the transition and for the messages the change causes after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed

from .audit import audit_record
from .exceptions import ConcurrentChangeError, WorkflowError
from .models import AuditAction, User

M = TypeVar("M", bound=models.Model)


def lock_for_change(instance: M, *, state_field: str, what: str) -> M:
    """Re-read ``instance`` under a row lock; refuse if its state changed since the caller loaded it."""
    model = type(instance)
    try:
        fresh = model._default_manager.select_for_update().get(pk=instance.pk)
    except ObjectDoesNotExist as exc:  # the model's DoesNotExist
        raise WorkflowError(f"{what} no longer exists") from exc
    if getattr(fresh, state_field) != getattr(instance, state_field):
        raise ConcurrentChangeError(what)
    return fresh


def _subject(what: str) -> str:
    """'This referral' -> 'this referral'; 'Referral' -> 'the referral'."""
    lowered = what.strip().lower()
    return lowered if lowered.startswith(("this ", "the ")) else f"the {lowered}"


def _state_label(instance: models.Model, field: str) -> str:
    display = getattr(instance, f"get_{field}_display", None)
    return str(display()).lower() if display else str(getattr(instance, field))


def apply_transition(
    instance: M,
    transition_name: str,
    *,
    actor: User | None,
    what: str,
    action_label: str,
    state_field: str = "state",
    update_fields: Iterable[str] = (),
    reason: str = "",
    details: dict[str, Any] | None = None,
    **kwargs: Any,
) -> M:
    """Run one FSM transition on a locked instance, save it and audit it."""
    method: Callable[..., Any] = getattr(instance, transition_name)
    from_state = getattr(instance, state_field)
    subject = _subject(what)
    if not can_proceed(method, check_conditions=False):
        raise WorkflowError(
            {"state": f"You cannot {action_label} because {subject} is {_state_label(instance, state_field)}"}
        )
    if not can_proceed(method):
        raise WorkflowError(f"{subject[0].upper()}{subject[1:]} is not ready to {action_label}")
    method(**kwargs)
    try:
        instance.full_clean(exclude=[state_field], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise WorkflowError.from_validation_error(exc) from exc
    try:
        instance.save(update_fields=[state_field, *update_fields])
    except ConcurrentTransition as exc:
        raise ConcurrentChangeError(what) from exc
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=instance,
        transition=transition_name,
        from_state=from_state,
        to_state=getattr(instance, state_field),
        reason=reason,
        details=details,
    )
    return instance


def transition_under_lock(
    instance: M,
    transition_name: str,
    *,
    actor: User | None,
    what: str,
    action_label: str,
    state_field: str = "state",
    prepare: Callable[[M], dict[str, Any] | None] | None = None,
    then: Callable[[M], None] | None = None,
    **options: Any,
) -> M:
    """One guarded state change, all in one transaction; returns the changed (locked) instance.

    Re-reads ``instance`` under a lock (:func:`lock_for_change`); ``prepare(locked)`` checks the locked
    row and sets fields on it, and may return more options for :func:`apply_transition` (the fields it
    set, the audit details); then the transition runs and is audited (:func:`apply_transition`, given
    ``options``); then ``then(locked)`` writes what the change causes (its messages, in the same
    transaction, and anything to send after commit).
    """
    with transaction.atomic():
        locked = lock_for_change(instance, state_field=state_field, what=what)
        extra = prepare(locked) if prepare is not None else None
        apply_transition(
            locked,
            transition_name,
            actor=actor,
            what=what,
            action_label=action_label,
            state_field=state_field,
            **{**options, **(extra or {})},
        )
        if then is not None:
            then(locked)
    return locked


def require_text(value: str | None, *, field: str, message: str) -> str:
    if value is None or not str(value).strip():
        raise WorkflowError({field: message})
    return str(value).strip()


def require_not_future(day, *, field: str, label: str):  # type: ignore[no-untyped-def]
    if day is None:
        raise WorkflowError({field: f"Enter the {label}"})
    if day > timezone.localdate():
        raise WorkflowError({field: f"The {label} must be today or in the past"})
    return day
