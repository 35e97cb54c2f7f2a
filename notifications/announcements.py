"""What each announced change means for email: the announcer the notifications app registers with
``mappa_workflow.changes`` (case apps call ``announce``; this turns it into outbox rows)."""

from __future__ import annotations

from typing import Any

from django.db import connection

from . import services
from .transfers import transfer_change_notify


def outbox_enqueue(*, about: str, object_id: Any, change: str, actor_id: int | None = None) -> int:
    """Write the outbox rows that a change causes. The one way case apps cause messages.

    Call it from the service making the change, **inside its** ``transaction.atomic()`` block,
    after the change and its audit row are saved: the rows commit or roll back with the change.
    ``about`` is ``"referral"`` (``change`` is the transition's name), ``"meeting"`` (``"scheduled"``,
    ``"updated"``, ``"cancelled"`` or ``"minutes_approved"``), ``"risk_action"`` (``"assigned"``),
    ``"report_chase"`` (``"sent"``), ``"serious_case_review"`` (``"decision_due"``: to the area's SMB members),
    ``"sharing_request"`` (``"requested"``: to the area's chairs; ``"decided"``:
    to whoever logged it) or ``"transfer"``. Returns rows added.
    A failure here (a template error, say) rolls the change back: a change that commits without
    its messages is exactly what this function exists to prevent.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("outbox_enqueue must be called inside the transaction of the change it reports")
    if about == "referral":
        return services.referral_transition_notify(referral_id=object_id, transition=change, actor_id=actor_id)
    if about == "meeting" and change == "minutes_approved":
        from .meeting_changes import minutes_circulated_notify

        return minutes_circulated_notify(meeting_id=object_id)
    if about == "meeting":
        return services.meeting_change_notify(meeting_id=object_id, change=change, actor_id=actor_id)
    if about == "risk_action" and change == "assigned":
        return services.action_assigned_notify(action_id=object_id)
    if about == "transfer":
        return transfer_change_notify(transfer_id=object_id, change=change, actor_id=actor_id)
    if about == "sharing_request" and change in ("requested", "decided"):
        from . import between_meetings

        return between_meetings.sharing_request_notify(request_id=object_id, change=change)
    if about == "serious_case_review" and change == "decision_due":
        from .reviews import review_decision_due_notify

        return review_decision_due_notify(review_id=object_id)
    if about == "report_chase" and change == "sent":
        from .meeting_changes import report_chase_notify

        return report_chase_notify(chase_id=object_id)
    raise ValueError(f"No messages are defined for {about} {change}")
