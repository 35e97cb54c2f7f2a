"""Turn committed domain events into outbox rows, in the process that made the change.

The signals are sent after commit, so a row here never describes a change that was rolled back.
Writing the row here (rather than in a task) means a broker outage cannot lose the message: the
delivery task is published on commit and, if that fails, the beat drain sends it later.

A receiver must never turn a successful request into an error page: the change has already
committed, and a retry by the user would repeat it. So failures are logged, loudly, not raised.
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from referrals.signals import referral_transitioned

from . import services

logger = logging.getLogger(__name__)


@receiver(referral_transitioned, dispatch_uid="notifications.referral_transitioned")
def on_referral_transitioned(
    sender: Any, *, referral_id: Any, transition: str, actor_id: int | None = None, **_: Any
) -> None:
    try:
        services.referral_transition_notify(referral_id=referral_id, transition=transition, actor_id=actor_id)
    except Exception:
        logger.exception("Could not write notifications for referral %s (%s)", referral_id, transition)


def _on_meeting_change(change: str):  # type: ignore[no-untyped-def]
    def handler(sender: Any, *, meeting_id: Any, actor_id: int | None = None, **_: Any) -> None:
        try:
            services.meeting_change_notify(meeting_id=meeting_id, change=change, actor_id=actor_id)
        except Exception:
            logger.exception("Could not write the %s notifications for meeting %s", change, meeting_id)

    handler.__name__ = f"on_meeting_{change}"
    return handler


on_meeting_scheduled = _on_meeting_change("scheduled")
on_meeting_updated = _on_meeting_change("updated")
on_meeting_cancelled = _on_meeting_change("cancelled")


def on_action_assigned(sender: Any, *, action_id: Any, **_: Any) -> None:
    try:
        services.action_assigned_notify(action_id=action_id)
    except Exception:
        logger.exception("Could not write the notification for risk management action %s", action_id)


def _connect_meetings() -> None:
    """The meetings app may be absent in a stripped-down install; without it there is nothing to hear."""
    try:
        from meetings import signals as meeting_signals
    except ImportError:  # pragma: no cover - meetings is in INSTALLED_APPS in every settings file
        logger.warning("meetings.signals not found: meeting invitations and action emails are off")
        return
    meeting_signals.meeting_scheduled.connect(on_meeting_scheduled, dispatch_uid="notifications.meeting_scheduled")
    meeting_signals.meeting_updated.connect(on_meeting_updated, dispatch_uid="notifications.meeting_updated")
    meeting_signals.meeting_cancelled.connect(on_meeting_cancelled, dispatch_uid="notifications.meeting_cancelled")
    meeting_signals.action_assigned.connect(on_action_assigned, dispatch_uid="notifications.action_assigned")


_connect_meetings()
