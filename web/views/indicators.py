"""Performance indicators for the SMB, lay advisers, co-ordinators and chairs of the area: aggregates only.

The same readers as the statistics page (``can_read_statistics``), each for their own area only.
Figures come from oversight.indicators and are shown and downloaded through oversight.exports, so the
page and the CSV agree. No figure links to a case: the co-ordinators' drill-down is a later piece of work.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from mappa_workflow.audit import audit_export
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from oversight import exports
from oversight.indicators import AreaIndicators, area_indicators

from ..access import can_read_statistics, page
from .statistics import _year, recent_years, year_label


def _indicators(request: AuthenticatedHttpRequest) -> AreaIndicators:
    area = request.user.area
    if area is None:
        raise Http404("Your account has no area")
    return area_indicators(area=area, year=_year(request))


@page(can_read_statistics)
def indicators_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    found = _indicators(request)
    return render(
        request,
        "web/statistics/indicators.html",
        {
            "area": found.area,
            "year": found.year,
            "year_label": year_label(found.year),
            "years": recent_years(),
            "periods": found.periods,
            "threshold": found.suppression_threshold,
            "indicators": exports.page_context(found),
            "csv_href": reverse("web:indicators_csv") + f"?year={found.year}",
        },
    )


@page(can_read_statistics)
def indicators_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    found = _indicators(request)
    audit_export(
        request,
        what=f"indicators-{found.year}-csv",
        details={"year": found.year, "format": "csv", "path": request.path},
    )
    response = HttpResponse(exports.render_csv(found), content_type="text/csv; charset=utf-8")
    filename = f"mappa-indicators-{found.year}-{(found.year + 1) % 100:02d}-{found.area.slug}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
