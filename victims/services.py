"""Recording victims' views: one service, called by the page and the API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from mappa_workflow.audit import audit_record
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AuditAction, User
from mappa_workflow.services_base import require_text
from meetings.models import Meeting, MeetingState
from need_to_know import permissions
from referrals.models import Registration, RegistrationStatus

from .models import VictimView


def victim_view_record(
    *, actor: User, registration: Registration, views: str, concerns: str = "", meeting: Meeting | None = None
) -> VictimView:
    """A victim liaison officer records victims' views and concerns for a case (and, optionally, for one
    of its meetings still to be held). Only a VLO whose agency may see the case; the views are then
    readable by the area's co-ordinators and chairs and the VLO's agency only. The audit row holds no text.
    """
    permissions.require(actor, "victims.record_victim_view", registration)
    views = require_text(views, field="views", message="Enter the victims' views")
    concerns = (concerns or "").strip()
    if actor.agency_id is None:
        raise WorkflowError({"views": "Your account is not linked to an agency: ask your administrator"})
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status == RegistrationStatus.EXITED:
            raise WorkflowError({"registration": "This case has left MAPPA: views can no longer be recorded"})
        if meeting is not None:
            on_agenda = meeting.agenda_items.filter(registration_id=locked.pk).exists()
            if meeting.area_id != locked.area_id or not on_agenda:
                raise WorkflowError({"meeting": "Select a meeting this case is on the agenda of"})
            if meeting.state != MeetingState.SCHEDULED:
                raise WorkflowError({"meeting": "Select a meeting still to be held"})
        view = VictimView(
            area_id=locked.area_id,
            registration=locked,
            meeting=meeting,
            agency_id=actor.agency_id,
            recorded_by=actor,
            views=views,
            concerns=concerns,
        )
        try:
            view.full_clean()
        except ValidationError as exc:
            raise WorkflowError.from_validation_error(exc) from exc
        view.save(force_insert=True)
        details: dict[str, Any] = {"registration": str(locked.pk), "individual": str(locked.individual_id)}
        if meeting is not None:
            details["meeting"] = str(meeting.pk)
        audit_record(actor=actor, action=AuditAction.CREATE, obj=view, details=details)
    return view
