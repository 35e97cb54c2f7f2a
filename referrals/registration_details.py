"""The named officer, team and notes of a registration (probation's MAPPA details): one service.

Kept out of ``referrals.services`` while that module is being split by sub-capability; it belongs with
the registration services there.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from mappa_workflow import roles
from mappa_workflow.audit import audit_record
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AuditAction, User

from .models import Registration, RegistrationStatus

DETAIL_FIELDS = ("officer_name", "team", "notes")


def registration_details_update(
    *,
    actor: User | None,
    registration: Registration,
    officer_name: str,
    team: str,
    notes: str | None = None,
    next_review_due: date | None = None,
) -> Registration:
    """Name the officer and team managing a registration (and, from an import, its notes and review date).

    For the area's co-ordinators and chairs (``None`` is the system: the MAPPA details import). Refuses an
    ended registration. Writes one audit row naming the fields that changed.
    """
    roles.require(actor, "referrals.manage_registration", registration)
    values = {"officer_name": (officer_name or "").strip(), "team": (team or "").strip()}
    if notes is not None:
        values["notes"] = notes.strip()
    if next_review_due is not None:
        values["next_review_due"] = next_review_due  # type: ignore[assignment]
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status == RegistrationStatus.EXITED:
            raise WorkflowError({"registration": "This registration has ended: its details can no longer change"})
        changed = [name for name, value in values.items() if getattr(locked, name) != value]
        for name in changed:
            setattr(locked, name, values[name])
        try:
            locked.full_clean(exclude=["status"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise WorkflowError.from_validation_error(exc) from exc
        if changed:
            locked.save(update_fields=changed)
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                obj=locked,
                reason="Named officer and team",
                details={"changed": changed},
            )
    return locked
