"""The annual report tables of an area and reporting year, as published (suppression applied)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mappa_workflow.audit import audit_export
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Area
from need_to_know import permissions
from reporting import statistics

from ..access import ReadsStatistics, require
from ..serializers import AnnualStatisticsSerializer
from .base import ApiMixin


class AnnualStatisticsView(ApiMixin, APIView):
    permission_classes = [*ApiMixin.permission_classes, ReadsStatistics]

    @extend_schema(
        tags=["statistics"],
        operation_id="statistics_annual",
        parameters=[
            OpenApiParameter("area", str, OpenApiParameter.PATH, description="The area's slug, e.g. northamptonshire"),
            OpenApiParameter(
                "year", int, OpenApiParameter.PATH, description="The April the year starts: 2024 is 2024/25"
            ),
        ],
        responses={200: AnnualStatisticsSerializer},
    )
    def get(self, request: Request, area: str, year: int) -> Response:
        """Every table of the MAPPA annual report, derived from the records. SMB members, lay advisers,
        co-ordinators and chairs read their own area's; administrators any area's."""
        area_obj = Area.objects.filter(slug=area).first()
        if area_obj is None:
            raise Http404("There is no MAPPA area with this name")
        if not permissions.has_perm(request.user, "mappa_workflow.cross_area_access"):
            require(request, "reporting.view_statistics", area_obj)
        try:
            report = statistics.compute_annual_report(areas=area_obj, year=year)
        except statistics.UnknownReportingYear as exc:
            raise WorkflowError({"year": str(exc)}) from exc
        audit_export(request._request, what=f"statistics {area_obj.slug} {year} (api)", area_id=area_obj.pk)
        return Response(report.as_dict())
