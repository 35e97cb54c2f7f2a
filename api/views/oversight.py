"""The SMB's figures over the API: performance indicators and audit results of an area and year.

Aggregates only, for the statistics readers (SMB members and lay advisers included): the same figures as
the pages `/indicators/` and `/audits/results/`, suppressed the same way; nothing names a person, meeting
or case. Each reader their own area; administrators any area (docs/api.md).
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mappa_workflow.audit import audit_export
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Area
from need_to_know import permissions
from oversight import exports
from oversight.audits.questions import AuditKind
from oversight.audits.results import audit_results, results_as_dict
from oversight.counts import area_counts
from oversight.indicators import area_indicators
from reporting import statistics

from ..access import ReadsStatistics, require
from ..serializers_oversight import IndicatorsSerializer
from .base import ApiMixin

PARAMETERS = [
    OpenApiParameter("area", str, OpenApiParameter.PATH, description="The area's slug, e.g. northamptonshire"),
    OpenApiParameter("year", int, OpenApiParameter.PATH, description="The April the year starts: 2025 is 2025/26"),
]


def _area(request: Request, slug: str, year: int) -> Area:
    area = Area.objects.filter(slug=slug).first()
    if area is None:
        raise Http404("There is no MAPPA area with this name")
    if not permissions.has_perm(request.user, "mappa_workflow.cross_area_access"):
        require(request, "reporting.view_statistics", area)
    try:
        statistics.check_year(year)
    except statistics.UnknownReportingYear as exc:
        raise WorkflowError({"year": str(exc)}) from exc
    return area


class IndicatorsView(ApiMixin, APIView):
    permission_classes = [*ApiMixin.permission_classes, ReadsStatistics]

    @extend_schema(
        tags=["oversight"],
        operation_id="indicators_annual",
        parameters=PARAMETERS,
        responses={200: IndicatorsSerializer},
    )
    def get(self, request: Request, area: str, year: int) -> Response:
        """The performance indicators by quarter, then the counts of movement between levels and of the diversity
        of referrals (docs/indicators.md), as on the page `/indicators/`; a suppressed figure or count is
        ``hidden``, with null values."""
        area_obj = _area(request, area, year)
        found = area_indicators(area=area_obj, year=year)
        counts = area_counts(found)
        audit_export(request._request, what=f"indicators {area_obj.slug} {year} (api)", area_id=area_obj.pk)
        return Response(exports.as_dict(found, counts))


class AuditResultsView(ApiMixin, APIView):
    permission_classes = [*ApiMixin.permission_classes, ReadsStatistics]

    @extend_schema(
        tags=["oversight"], operation_id="audit_results_annual", parameters=PARAMETERS, responses=OpenApiTypes.OBJECT
    )
    def get(self, request: Request, area: str, year: int) -> Response:
        """Mean scores of the submitted meeting and case audits by question and quarter (docs/audits.md)."""
        area_obj = _area(request, area, year)
        results = [results_as_dict(audit_results(area=area_obj, kind=kind, year=year)) for kind in AuditKind.values]
        audit_export(request._request, what=f"audit results {area_obj.slug} {year} (api)", area_id=area_obj.pk)
        return Response({"area": area_obj.slug, "year": year, "audits": results})
