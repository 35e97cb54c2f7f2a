"""Signals the meetings app sends, always after the change has committed.

The notifications app listens to these to send invitations and reminders in the background;
the meetings app never sends anything itself. Receivers get ids, never model instances, so a
Celery task can re-read what it needs.
"""

from django.dispatch import Signal

meeting_scheduled = Signal()
"""A meeting was scheduled. kwargs: ``meeting_id`` (UUID), ``actor_id`` (int or None).
Build the invitation with ``meetings.ics.meeting_ics(meeting)`` (METHOD:REQUEST)."""

meeting_updated = Signal()
"""A scheduled meeting changed in a way invitees should see (time, place, chair, agenda or invited
agencies); its .ics SEQUENCE has risen. kwargs: ``meeting_id`` (UUID), ``actor_id`` (int or None)."""

meeting_cancelled = Signal()
"""A meeting was cancelled; ``meetings.ics.meeting_ics(meeting)`` now gives METHOD:CANCEL.
kwargs: ``meeting_id`` (UUID), ``actor_id`` (int or None)."""

action_assigned = Signal()
"""A risk management action was given to an agency and officer. kwargs: ``action_id`` (UUID)."""
