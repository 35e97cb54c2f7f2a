"""What every API view shares: JSON in and out (whatever the Accept header), authentication and
throttling, the error-documenting schema, pagination, strict filtering, UUIDs in URLs, and the audit row
for a view of a person's record."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Model
from rest_framework import viewsets
from rest_framework.filters import BaseFilterBackend
from rest_framework.generics import get_object_or_404
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.pagination import BasePagination
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission, IsAuthenticated, OperandHolder, SingleOperandHolder
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.schemas.inspectors import ViewInspector
from rest_framework.throttling import BaseThrottle

from mappa_workflow.audit import audit_list, audit_view

from ..access import ApiAnonRateThrottle, ApiUserRateThrottle, SeesCases
from ..filters import QueryParameterBackend
from ..pagination import Pagination
from ..parsers import SchemaCheckedJSONParser
from ..schema import ApiSchema


class AlwaysJson(BaseContentNegotiation):
    """JSON whatever the request's Accept header says: the schema documents JSON only, and a browser's
    ``Accept: text/html`` must not turn an answer (or an error) into DRF's HTML page."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return DefaultContentNegotiation().select_parser(request, parsers)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class ApiMixin:
    # Annotated as APIView and GenericAPIView declare them, so the mixin agrees with both in every view.
    renderer_classes: Sequence[type[BaseRenderer]] = [JSONRenderer]
    # JSON in, checked against the published schema (forms and multipart are a 415).
    parser_classes: Sequence[type[BaseParser]] = [SchemaCheckedJSONParser]
    content_negotiation_class: type[BaseContentNegotiation] = AlwaysJson
    filter_backends: Sequence[type[BaseFilterBackend | Any]] = [QueryParameterBackend]
    permission_classes: Sequence[type[BasePermission] | OperandHolder | SingleOperandHolder] = [IsAuthenticated]
    throttle_classes: Sequence[type[BaseThrottle]] = [ApiUserRateThrottle, ApiAnonRateThrottle]
    pagination_class: type[BasePagination] | None = Pagination
    schema: ViewInspector | None = ApiSchema()


class CaseViewSet(ApiMixin, viewsets.GenericViewSet):
    """A viewset over records about people: only the roles that work with cases, and only the
    records the user may see (``get_queryset`` applies the visibility rules)."""

    permission_classes = [IsAuthenticated, SeesCases]
    lookup_field = "pk"
    lookup_value_converter = "uuid"
    lists_people = True  # a page of the list is audited as a view of the people on it (audit_list)

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if self.lists_people and page is not None:
            audit_list(
                self.request._request, what=f"api {self.basename} list", shown=page, search=self.request.query_params
            )
        return page

    def get_object(self) -> Any:
        # Filters are for lists: a detail or a transition finds the record among those visible only.
        obj = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj


def record_view(request: Request, obj: Model) -> None:
    """Every view of a person, a referral, a meeting's cases or an action leaves an audit row per person."""
    # DRF's Request wraps Django's; the audit helper reads the user and address from Django's.
    audit_view(request._request, obj, what="api")
