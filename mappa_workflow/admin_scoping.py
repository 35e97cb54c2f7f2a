"""The Django admin obeys the same visibility rules as the pages and the API, and audits what it shows.

Staff reach the admin, but being staff is not a permission to see a case: every list and change
page of a record about a person is filtered through ``mappa_workflow.permissions.visible_*``
(area isolation, agency involvement, Category 4 clearance; administrators see other areas, and
each such view is flagged ``cross_area`` in the audit trail), and opening a record writes the same
view row as opening it in the service's own pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from . import permissions
from .audit import audit_view


@dataclass(frozen=True)
class Scope:
    """What a user may see of a model's queryset: ``scope(user, queryset) -> queryset``."""

    apply: Callable[[Any, QuerySet], QuerySet]

    def __call__(self, user: Any, queryset: QuerySet) -> QuerySet:
        return self.apply(user, queryset)


class ScopedAdminMixin:
    """Set ``scope`` to a :class:`Scope` of what the user may see (see :func:`scoped` and :func:`via`)."""

    scope: Scope | None = None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return queryset if self.scope is None else self.scope(request.user, queryset)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
            if obj is not None:
                audit_view(request, obj, what="admin")
        return response


def via(path: str, visible: Callable[..., QuerySet]) -> Scope:
    """Scope records that belong to a visible parent, e.g. ``via("meeting", permissions.visible_meetings)``."""

    def scope(user: Any, queryset: QuerySet) -> QuerySet:
        return queryset.filter(**{f"{path}__in": visible(user).values("pk")})

    return Scope(scope)


def scoped(visible: Callable[..., QuerySet]) -> Scope:
    def scope(user: Any, queryset: QuerySet) -> QuerySet:
        return visible(user, queryset)

    return Scope(scope)


__all__ = ["Scope", "ScopedAdminMixin", "admin", "permissions", "scoped", "via"]
