"""Third-party notifications (MAPPA guidance chapter 10) and requests to share minutes onward (MAPPA D).

A notification records what an agency shared with whom, and why it passed the tests: necessary, lawful,
proportionate, the recipient's undertaking, and whether the person was told (and if not, why not). A
request to share a case's minutes beyond the meeting waits for the chair's decision: in full, an
executive summary only, or refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mappa_workflow.audit import audit_record
from mappa_workflow.changes import announce
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AuditAction, User
from mappa_workflow.services_base import apply_transition, lock_for_change, require_not_future, require_text
from need_to_know import permissions
from referrals.models import Individual

from ..models import RecipientType, ReleasePlan, SharingRequest, ThirdPartyNotification
from .plans import checklist_item_complete


def _full_clean(record: Any) -> None:
    """The field validators (hidden characters, lengths) as field errors; nothing is saved yet."""
    try:
        record.full_clean(exclude=["state"], validate_constraints=False)
    except ValidationError as exc:
        raise WorkflowError.from_validation_error(exc) from exc


NOTIFICATION_TEXT = {
    "recipient": "Enter who it was sent to",
    "what_was_shared": "Enter what was shared",
    "why_necessary": "Enter why sharing was necessary",
    "lawful_basis": "Enter the lawful basis for sharing",
    "why_proportionate": "Enter why sharing was proportionate",
    "recipient_undertaking": "Enter what the recipient undertook to do with it",
}


def third_party_notification_record(
    *,
    actor: User | None,
    individual: Individual,
    recipient_type: str,
    sent_on: dt.date | None,
    individual_told: bool | None,
    why_individual_not_told: str = "",
    release_plan: ReleasePlan | None = None,
    completes_item: str = "",
    **answers: Any,
) -> ThirdPartyNotification:
    """Record a notification sent to a third party about ``individual`` by the actor's agency.

    With ``release_plan`` and ``completes_item`` (a checklist item such as ``mappa_j``), the item is marked
    done in the same transaction, so the MAPPA J and the notification that carried it are one record.
    """
    permissions.require(actor, "release_planning.record_notification", individual)
    errors: dict[str, str] = {}
    if recipient_type not in RecipientType.values:
        errors["recipient_type"] = "Select who the notification went to"
    cleaned: dict[str, str] = {}
    for field, message in NOTIFICATION_TEXT.items():
        value = str(answers.pop(field, "") or "").strip()
        if not value:
            errors[field] = message
        cleaned[field] = value
    if answers:
        raise TypeError(f"Unknown notification fields: {sorted(answers)}")
    if sent_on is None:
        errors["sent_on"] = "Enter the date it was sent"
    elif sent_on > timezone.localdate():
        errors["sent_on"] = "The date it was sent must be today or in the past"
    if individual_told is None:
        errors["individual_told"] = "Say whether the person was told"
    elif not individual_told and not why_individual_not_told.strip():
        errors["why_individual_not_told"] = "Say why the person was not told"
    if release_plan is not None and release_plan.individual_id != individual.pk:
        errors["release_plan"] = "The release plan is not this person's"
    if completes_item and release_plan is None:
        errors["completes_item"] = "Choose the release plan whose item this notification completes"
    agency = getattr(actor, "agency", None)
    if agency is None:
        errors["sent_by_agency"] = "Your account has no agency to send from"
    if errors:
        raise WorkflowError(errors)
    assert sent_on is not None and agency is not None
    with transaction.atomic():
        notification = ThirdPartyNotification(
            area_id=individual.area_id,
            individual=individual,
            release_plan=release_plan,
            recipient_type=recipient_type,
            sent_on=sent_on,
            individual_told=bool(individual_told),
            why_individual_not_told="" if individual_told else why_individual_not_told.strip(),
            sent_by_agency=agency,
            recorded_by=actor,
            **cleaned,
        )
        _full_clean(notification)
        notification.save(force_insert=True)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=notification,
            to_state=notification.state,
            details={"recipient_type": recipient_type, "sent_on": sent_on, "individual_told": bool(individual_told)},
        )
        if completes_item:
            assert release_plan is not None
            checklist_item_complete(
                actor=actor,
                plan=release_plan,
                kind=completes_item,
                notes=f"Sent to {notification.recipient} ({notification.get_recipient_type_display()})",
                completed_on=sent_on,
            )
    return notification


def third_party_notification_acknowledge(
    *, actor: User | None, notification: ThirdPartyNotification, acknowledged_on: dt.date | None = None
) -> ThirdPartyNotification:
    """The recipient confirmed receipt."""
    permissions.require(actor, "release_planning.acknowledge_notification", notification)
    acknowledged_on = require_not_future(
        acknowledged_on or timezone.localdate(), field="acknowledged_on", label="date of the acknowledgement"
    )
    if acknowledged_on < notification.sent_on:
        raise WorkflowError({"acknowledged_on": "The acknowledgement cannot be before the notification was sent"})
    with transaction.atomic():
        locked = lock_for_change(notification, state_field="state", what="This notification")
        apply_transition(
            locked,
            "acknowledge",
            actor=actor,
            what="This notification",
            action_label="record the acknowledgement",
            update_fields=["acknowledged_on"],
            acknowledged_on=acknowledged_on,
        )
    return locked


def sharing_request_record(
    *,
    actor: User | None,
    agenda_item: Any,
    requested_by: str,
    purpose: str,
    requested_on: dt.date | None = None,
) -> SharingRequest:
    """Log a request to share one case's minutes beyond the meeting; the area's chairs are told it waits
    for a decision (the email names no one)."""
    individual = agenda_item.registration.individual if agenda_item.registration else agenda_item.referral.individual
    permissions.require(actor, "release_planning.record_sharing_request", individual)
    if not permissions.has_perm(actor, "meetings.view_minutes", agenda_item) and actor is not None:
        raise WorkflowError({"agenda_item": "You cannot see these minutes"})
    requested_by = require_text(requested_by, field="requested_by", message="Enter who asked for the minutes")
    purpose = require_text(purpose, field="purpose", message="Enter what the minutes are wanted for")
    requested_on = require_not_future(
        requested_on or timezone.localdate(), field="requested_on", label="date of the request"
    )
    if not hasattr(agenda_item, "minutes"):
        raise WorkflowError({"agenda_item": "No minutes have been recorded for this case at this meeting"})
    with transaction.atomic():
        request = SharingRequest(
            area_id=individual.area_id,
            individual=individual,
            agenda_item=agenda_item,
            requested_by=requested_by,
            purpose=purpose,
            requested_on=requested_on,
            recorded_by=actor,
        )
        _full_clean(request)
        request.save(force_insert=True)
        audit_record(actor=actor, action=AuditAction.CREATE, obj=request, to_state=request.state)
        announce(about="sharing_request", object_id=request.pk, change="requested", actor_id=getattr(actor, "pk", None))
    return request


SHARING_OUTCOMES = {"agreed_in_full": "agree_in_full", "agreed_summary": "agree_summary", "refused": "refuse"}


def sharing_request_decide(
    *, actor: User | None, request: SharingRequest, outcome: str, reason: str, decided_on: dt.date | None = None
) -> SharingRequest:
    """The chair's decision on a request to share minutes; whoever logged the request is told."""
    permissions.require(actor, "release_planning.decide_sharing_request", request)
    if outcome not in SHARING_OUTCOMES:
        raise WorkflowError({"outcome": "Select a decision: the minutes in full, an executive summary, or refused"})
    reason = require_text(reason, field="reason", message="Enter the reason for the decision")
    decided_on = require_not_future(decided_on or timezone.localdate(), field="decided_on", label="decision date")
    if decided_on < request.requested_on:
        raise WorkflowError({"decided_on": "The decision cannot be before the request"})
    with transaction.atomic():
        locked = lock_for_change(request, state_field="state", what="This request")
        apply_transition(
            locked,
            SHARING_OUTCOMES[outcome],
            actor=actor,
            what="This request",
            action_label="decide it",
            update_fields=["decided_by", "decided_on", "decision_reason"],
            reason=reason,
            decided_by=actor,
            decided_on=decided_on,
            reason_text=reason,
        )
        announce(about="sharing_request", object_id=locked.pk, change="decided", actor_id=getattr(actor, "pk", None))
    return locked
