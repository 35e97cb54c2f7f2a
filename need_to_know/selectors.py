"""Reads of the case apps as one reader may see them: each case app's selector with the reader's
need-to-know rule applied (the case apps take the rule as a filter, so they never import this layer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mappa_workflow.models import Area
from meetings import selectors as meeting_selectors
from meetings.models import Meeting

from . import permissions


def cases_due(
    *, user: Any, area: Area, today: dt.date | None = None, until: dt.date | None = None, level: int | None = None
) -> list[meeting_selectors.CaseDue]:
    """The Level 2/3 cases falling due that ``user`` may see (a Category 4 case needs counter-terrorism
    clearance), filtered in the same query."""
    return meeting_selectors.cases_due(
        area=area, today=today, until=until, level=level, visible=_registrations_visible_to(user)
    )


def cases_by_registration(
    *, user: Any, area: Area, level: int, registration_ids: list[str]
) -> list[meeting_selectors.CaseDue]:
    """The given cases of ``area`` at ``level`` that ``user`` may see; others are dropped."""
    return meeting_selectors.cases_by_registration(
        area=area, level=level, registration_ids=registration_ids, visible=_registrations_visible_to(user)
    )


def _registrations_visible_to(user: Any) -> meeting_selectors.Visible:
    return lambda registrations: permissions.visible_registrations(user, registrations)


def cases_at_level_matching(
    *, user: Any, area: Area, level: int, term: str, today: dt.date | None = None, limit: int = 25
) -> list[meeting_selectors.CaseDue]:
    """The agenda search: cases of ``area`` at ``level`` matching ``term`` that ``user`` may see."""
    return meeting_selectors.cases_at_level_matching(
        visible=_registrations_visible_to(user),
        area=area,
        level=level,
        term=term,
        today=today,
        limit=limit,
    )


def invitations_as_seen_by(meeting: Meeting, user: Any | None) -> list[meeting_selectors.InvitationAsSeen]:
    """The meeting's invitations with each case need naming only people ``user`` may see (``None``: nobody)."""
    if user is None:
        return meeting_selectors.invitations_as_seen_by(meeting, None)
    return meeting_selectors.invitations_as_seen_by(
        meeting, lambda items: permissions.visible_agenda_items(user, items)
    )
