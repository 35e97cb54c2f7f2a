"""What the meeting services share: the locked re-read of a meeting, the state guard, the
invitation's SEQUENCE, and the messages written in the change's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q

from mappa_workflow.changes import announce
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import User
from mappa_workflow.services_base import lock_for_change
from referrals.models import Registration

from .. import signals
from ..models import (
    UNFINISHED,
    AgendaItem,
    Meeting,
    RiskAction,
    RiskActionState,
)

MEETING = "This meeting"
ACTION = "This action"


_MESSAGES = {"meeting_scheduled": "scheduled", "meeting_updated": "updated", "meeting_cancelled": "cancelled"}


def _announce(signal: Any, *, meeting_id: uuid.UUID, actor_id: int | None) -> None:
    """Write the invitees' messages now, in the change's transaction, and send ``signal`` after commit.

    The outbox rows commit or roll back with the change, so a connection lost just after commit
    cannot lose an invitation (a signal receiver writing them after commit could).
    """
    name = next(n for n in _MESSAGES if getattr(signals, n) is signal)
    announce(about="meeting", object_id=meeting_id, change=_MESSAGES[name], actor_id=actor_id)
    transaction.on_commit(lambda: signal.send(sender=Meeting, meeting_id=meeting_id, actor_id=actor_id))


def _actor_id(actor: User | None) -> int | None:
    return actor.pk if actor is not None else None


def _carried_actions(registration: Registration) -> list[RiskAction]:
    """What the case's next meeting reviews: actions still unfinished, and actions closed without
    being done that no minuted meeting has reviewed yet (the guidance asks for their reason)."""
    reviewed = AgendaItem.actions_to_review.through.objects.filter(agendaitem__minutes__isnull=False)
    return list(
        registration.risk_actions.exclude(state=RiskActionState.COMPLETED)
        .exclude(~Q(state__in=UNFINISHED) & Q(pk__in=reviewed.values("riskaction_id")))
        .order_by("due_date", "created_at")
    )


def _lock_meeting(meeting: Meeting) -> Meeting:
    return lock_for_change(meeting, state_field="state", what=MEETING)


def _require_state(meeting: Meeting, states: Iterable[str], doing: str) -> None:
    if meeting.state not in states:
        raise WorkflowError(
            {"state": f"You cannot {doing} because the meeting is {meeting.get_state_display().lower()}"}
        )


def _bump_sequence(meeting: Meeting, *fields: str) -> None:
    meeting.ics_sequence += 1
    meeting.save(update_fields=["ics_sequence", "updated_at", *fields])
