"""Who may open which page. Page rules are the `rules` predicates of need_to_know.permissions,
applied before a view reads anything; a refusal becomes the 403 page.

Which records a page may show is never decided here: lists use ``permissions.visible_*`` and
single records ``permissions.has_perm`` (area isolation, agency involvement and the Category 4
barrier, in one place, the same as the services and the API). This module only says which roles
may open a page at all, and turns a service's NotPermitted into the 403 page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from mappa_workflow.exceptions import NotPermitted
from mappa_workflow.models import Role
from need_to_know.permissions import (
    is_administrator,
    is_chair,
    is_coordinator,
    is_statistics_reader,
    reads_board_governance,
    sees_cases,
)

# Pages that name people: co-ordinators, chairs and practitioners. SMB members and lay advisers never.
can_see_cases = sees_cases
can_manage_cases = is_coordinator | is_chair
can_read_statistics = is_statistics_reader
can_read_board_governance = reads_board_governance  # SMB members, lay advisers, co-ordinators, administrators


@rules.predicate
def can_audit_meetings(user: Any) -> bool:
    """Meeting audits (docs/audits.md): co-ordinators, SMB members and lay advisers; never a case for the last two."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(
        Role.COORDINATOR, Role.SMB_MEMBER, Role.LAY_ADVISER
    )


def page(predicate: Callable[[Any], bool] | None = None) -> Callable:
    """Decorate a view: signed in, holds ``predicate``, and NotPermitted from a service shows as 403."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if predicate is not None and not predicate(request.user):
                raise PermissionDenied("Your role does not give access to this page.")
            # login_required has run, so the user is signed in (never AnonymousUser) here.
            if (
                predicate is not None
                and getattr(request.user, "area_id", None) is None
                and not is_administrator(request.user)
            ):
                raise PermissionDenied(
                    "Your account is not linked to a MAPPA area. Ask your administrator to add your area."
                )
            try:
                return view(request, *args, **kwargs)
            except NotPermitted as exc:
                raise PermissionDenied(str(exc)) from exc

        return wrapped

    return decorator
