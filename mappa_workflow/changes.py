"""The narrow interface through which case apps cause messages: announce a change, inside its transaction.

A case app's service calls :func:`announce` after saving a change and its audit row, inside the same
``transaction.atomic()`` block. What the change means for email (who is told, in which words) is the
business of the app that registered the announcer, ``notifications``, whose outbox rows then commit or roll
back with the change (see docs/reliability.md). Case apps therefore never import notification internals,
and the base app never imports notifications: ``notifications`` registers itself here when Django starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import connection


class Announcer(Protocol):
    def __call__(self, *, about: str, object_id: Any, change: str, actor_id: int | None = None) -> int: ...


_announcer: Announcer | None = None


def register_announcer(announcer: Announcer | Callable[..., int]) -> None:
    """Called once by the notifications app at start-up."""
    global _announcer
    _announcer = announcer  # type: ignore[assignment]


def announce(*, about: str, object_id: Any, change: str, actor_id: int | None = None) -> int:
    """Record the messages a change causes, in the change's transaction. Returns the rows added.

    ``about`` is ``"referral"`` (``change`` is the transition's name), ``"meeting"`` (``"scheduled"``,
    ``"updated"``, ``"cancelled"`` or ``"minutes_approved"``), ``"risk_action"`` (``"assigned"``),
    ``"report_chase"`` (``"sent"``, an agency asked for its missing written reports), ``"sharing_request"``
    (``"requested"`` or ``"decided"``: release_planning), ``"transfer"`` (transfers) or ``"serious_case_review"``
    (``"decision_due"``: oversight). Refuses outside a transaction,
    and refuses (rather than silently dropping the message) if no announcer is registered.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("announce must be called inside the transaction of the change it reports")
    if _announcer is None:
        raise ImproperlyConfigured("No announcer is registered: add notifications to INSTALLED_APPS")
    return _announcer(about=about, object_id=object_id, change=change, actor_id=actor_id)
