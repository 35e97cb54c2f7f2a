"""Who may call which endpoint: DRF permission classes over the `rules` of need_to_know.permissions.

Endpoints answer in the order of the house test pattern: 401 without credentials, 403 for a role
that may never do this, 404 for a record the user may not see (so its existence is not revealed),
then 403 if the rules refuse this user on this record, then 400 for bad input.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from need_to_know import permissions


class SeesCases(BasePermission):
    """Co-ordinators, chairs and agency practitioners: the roles that work with named people."""

    message = "Your role does not give access to case records: SMB members and lay advisers see statistics only"

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(permissions.sees_cases(request.user))


class ReadsStatistics(BasePermission):
    message = "Your role does not give access to the statistics"

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(permissions.is_statistics_reader(request.user))


def require(request: Request, perm: str, obj: Any = None) -> None:
    """403 naming what is refused, unless the rules allow ``perm`` (on ``obj``)."""
    if not permissions.has_perm(request.user, perm, obj):
        raise PermissionDenied(f"You may not {perm.split('.', 1)[1].replace('_', ' ')}")


class ApiUserRateThrottle(UserRateThrottle):
    scope = "api_user"


class ApiAnonRateThrottle(AnonRateThrottle):
    scope = "api_anon"
